// The committed bundle, run as a runner runs it, with no node_modules beside it: user errors
// end cleanly, and the emulator target works end to end against a real Azurite.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { TableServiceClient } from '@azure/data-tables'
import { startAzurite, freePort, type AzuriteHandle } from './fixtures/azurite.js'
import { startBrokenProxy } from './fixtures/broken-proxy.js'
import { copyBundle, everythingWritten, type BundleCopy, type BundleRun } from './fixtures/bundle.js'
import { parseConnectionString } from '../src/tables/connection-string.js'

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

const errorLines = (run: BundleRun): string[] => run.stdout.split('\n').filter((l) => l.startsWith('::error'))

function expectCleanFailure(run: BundleRun, message: RegExp): void {
  expect(run.code).toBe(1)
  const errors = errorLines(run)
  expect(errors).toHaveLength(1)
  expect(errors[0]).toMatch(message)
  expect(run.stdout + run.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/) // no stack trace
  expect(run.stderr).toBe('')
}

/** A secret may appear only in its mask command and in the connection-string output. */
function expectNoLeak(run: BundleRun, secrets: string[]): void {
  const written = everythingWritten(run)
  for (const secret of secrets) expect(written).not.toContain(secret)
}

async function listTables(): Promise<string[]> {
  const client = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true })
  const names: string[] = []
  for await (const t of client.listTables()) names.push(t.name!)
  return names.sort()
}

const emulator = (inputs: Record<string, string>): Record<string, string> => ({
  target: 'emulator',
  'emulator-connection-string': azurite.connectionString,
  ...inputs
})

describe('the bundle on user errors', () => {
  it('a bad command: one error, exit 1, no stack trace, no outputs', async () => {
    const run = await bundle.run({ command: 'apply', environment: 'pr-1' })
    expectCleanFailure(run, /^::error::Input 'command': got 'apply'; allowed: up, preview, refresh, destroy, prune\.$/)
    expect(run.outputFile).toBe('')
  })
  it('no backend on the azure target names what to set', async () => {
    const run = await bundle.run({ environment: 'pr-1' }, { ARM_USE_OIDC: 'true', ARM_CLIENT_ID: 'a', ARM_TENANT_ID: 'b', ARM_SUBSCRIPTION_ID: 'c' })
    expectCleanFailure(run, /backend-url.*PULUMI_ACCESS_TOKEN/)
  })
  it('a malformed emulator connection string is refused without echoing it', async () => {
    const secretish = 'AccountName=x;AccountKey=c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw=='
    const run = await bundle.run({ environment: 'pr-1', target: 'emulator', 'emulator-connection-string': secretish })
    expectCleanFailure(run, /emulator-connection-string/)
    expectNoLeak(run, [secretish, 'c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3QtbGVhaw=='])
  })
})

describe('the bundle on the emulator target (Azurite)', () => {
  const key = (): string => parseConnectionString(azurite.connectionString).accountKey

  it('up creates the tables, masks the secrets, sets the outputs and verifies the store', async () => {
    const run = await bundle.run(emulator({ environment: 'feature/Add-Memory', tables: 'events,snapshots' }))
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`::add-mask::${azurite.connectionString}`)
    expect(run.stdout).toContain(`::add-mask::${key()}`)
    expect(run.outputs['connection-string']).toBe(azurite.connectionString)
    const names = JSON.parse(run.outputs['table-names']!) as string[]
    expect(names).toHaveLength(2)
    expect(run.outputs['table-name']).toBe(names[0])
    for (const n of names) expect(n).toMatch(/^[A-Za-z][A-Za-z0-9]{2,62}$/)
    expect(run.outputs['storage-account-name']).toBe('devstoreaccount1')
    expect(run.outputs['resource-group-name']).toBe('')
    expect(run.outputs['table-endpoint']).toBe(`http://127.0.0.1:${azurite.port}/devstoreaccount1`)
    expect(run.outputs['stack-name']).toMatch(/^feature-add-memory-/)
    expect(await listTables()).toEqual(expect.arrayContaining(names))
    expect(run.summary).toMatch(/Event-store check: passed/)
    expectNoLeak(run, [azurite.connectionString, key()])
  })

  it('a second up succeeds with identical outputs and creates nothing', async () => {
    const first = await bundle.run(emulator({ environment: 'pr-7' }))
    const second = await bundle.run(emulator({ environment: 'pr-7' }))
    expect(second.code).toBe(0)
    expect(second.outputs).toEqual(first.outputs)
    expect(second.summary).toMatch(/\| 0 \| 0 \| 0 \| 0 \| 1 \|/)
  })

  it('a second environment gets its own tables on the same endpoint', async () => {
    const a = await bundle.run(emulator({ environment: 'pr-100' }))
    const b = await bundle.run(emulator({ environment: 'pr-101' }))
    expect(a.outputs['table-name']).not.toBe(b.outputs['table-name'])
    const tables = await listTables()
    expect(tables).toEqual(expect.arrayContaining([a.outputs['table-name'], b.outputs['table-name']]))
  })

  it('preview changes nothing', async () => {
    const before = await listTables()
    const run = await bundle.run(emulator({ command: 'preview', environment: 'pr-200', tables: 'events,projections' }))
    expect(run.code).toBe(0)
    expect(await listTables()).toEqual(before)
    expect(run.summary).toMatch(/\| 2 \| 0 \| 0 \| 0 \| 0 \|/)
  })

  it('destroy removes exactly this environment, and a second destroy succeeds', async () => {
    const keep = await bundle.run(emulator({ environment: 'pr-300' }))
    const gone = await bundle.run(emulator({ environment: 'pr-301' }))
    const destroy = await bundle.run(emulator({ command: 'destroy', environment: 'pr-301' }))
    expect(destroy.code).toBe(0)
    const tables = await listTables()
    expect(tables).toContain(keep.outputs['table-name'])
    expect(tables).not.toContain(gone.outputs['table-name'])
    expect(destroy.outputs['connection-string']).toBe('')
    const again = await bundle.run(emulator({ command: 'destroy', environment: 'pr-301' }))
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/::notice::/)
  })

  it('a closed endpoint fails clearly, without the secret', async () => {
    const port = await freePort()
    const cs = azurite.connectionString.replace(`:${azurite.port}/`, `:${port}/`)
    const run = await bundle.run({ target: 'emulator', 'emulator-connection-string': cs, environment: 'pr-1' })
    expectCleanFailure(run, new RegExp(`127\\.0\\.0\\.1:${port}`))
    expectNoLeak(run, [cs, key()])
  })

  it('verify catches a store without optimistic concurrency', async () => {
    const proxy = await startBrokenProxy(azurite.port)
    try {
      const cs = azurite.connectionString.replace(`:${azurite.port}/`, `:${proxy.port}/`)
      const run = await bundle.run({ target: 'emulator', 'emulator-connection-string': cs, environment: 'pr-broken' })
      expectCleanFailure(run, /optimistic concurrency/)
      expect(run.summary).toMatch(/Event-store check: FAILED/)
      expectNoLeak(run, [cs, key()])
    } finally {
      await proxy.stop()
    }
  })
})
