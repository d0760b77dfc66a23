// The contract per target, through the committed bundle run as the runner runs it: with only the
// inputs a user must give (the rest at their action.yml defaults) the action succeeds, or fails
// first on what the user has to provide, never on an input the step did not set.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { copyBundle, inputsBlamedButNotSet, type BundleCopy } from './fixtures/bundle.js'
import { startAzurite, type AzuriteHandle } from './helpers/azurite.js'

let bundle: BundleCopy
let azurite: AzuriteHandle

beforeAll(async () => {
  bundle = copyBundle()
  azurite = await startAzurite()
})
afterAll(async () => {
  await azurite?.stop()
  bundle?.remove()
})

describe('only the required inputs, the rest at the runner defaults', () => {
  it('emulator target: up succeeds and verifies the store', async () => {
    const given = { target: 'emulator', 'emulator-connection-string': azurite.connectionString, environment: 'contract-emulator' }
    const run = await bundle.run(given)
    expect(inputsBlamedButNotSet(run, given)).toEqual([])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.outputs['table-name']).toMatch(/^events/)
    expect(run.summary).toMatch(/Event-store check: passed/)
  })

  it('azure target with nothing else: the first error is about the missing backend or credentials', async () => {
    const given = { environment: 'contract-azure' }
    const run = await bundle.run(given)
    expect(run.code).toBe(1)
    expect(inputsBlamedButNotSet(run, given)).toEqual([])
    const first = run.stdout.split('\n').find((l) => l.startsWith('::error::'))
    expect(first).toMatch(/backend|credentials/i)
  })

  it.each([
    ['cosmos-table', { engine: 'cosmos-table' }],
    ['isolation tables', { isolation: 'tables', 'shared-account-name': 'sharedevents01', 'shared-account-resource-group': 'rg-shared' }],
    ['auth entra', { auth: 'entra' }]
  ])('azure target, %s: no input the step did not set is blamed', async (_mode, extra) => {
    const given = { environment: 'contract-azure', ...extra }
    const run = await bundle.run(given)
    expect(run.code).toBe(1)
    expect(inputsBlamedButNotSet(run, given)).toEqual([])
    expect(run.stdout).toMatch(/^::error::.*(backend|credentials)/im)
  })
})
