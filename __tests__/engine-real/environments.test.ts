// Several environments on the real Pulumi engine: isolation between two, prune of a closed pull request's
// environment (GitHub API stand-in), two concurrent ups of one stack, and the other programs (isolation:
// tables on a shared account, engine: cosmos-table), each up, verified and destroyed once.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { TableClient, TableServiceClient } from '@azure/data-tables'
import { startGitHubApi, type GitHubApi } from '../fixtures/github-api.js'
import { ENGINE_TIMEOUT_MS, errorLines, explain, openEngineEnv, SKIP, tablesIn, type EngineEnv } from './harness.js'
import type { BundleRun } from '../fixtures/bundle.js'

jest.setTimeout(ENGINE_TIMEOUT_MS)
const suite = SKIP ? describe.skip : describe

const ok = (run: BundleRun) => ({ code: run.code, log: run.code === 0 ? '' : explain(run) })

suite('the real engine: several environments', () => {
  let engine: EngineEnv
  let api: GitHubApi

  beforeAll(async () => {
    engine = openEngineEnv()
    api = await startGitHubApi({ repository: 'octo/app' })
  })
  afterAll(async () => {
    await api?.stop()
    engine?.close()
  })

  it('8. two environments side by side stay isolated; prune destroys only the closed pull request\'s', async () => {
    const one = await engine.run({ environment: 'pr-1' })
    const two = await engine.run({ environment: 'pr-2' })
    expect(ok(one)).toEqual({ code: 0, log: '' })
    expect(ok(two)).toEqual({ code: 0, log: '' })
    for (const name of ['storage-account-name', 'resource-group-name', 'connection-string', 'table-endpoint']) {
      expect(one.outputs[name]).not.toBe(two.outputs[name])
    }
    // One environment's key opens nothing of the other's.
    const record = engine.record()
    const keyOfOne = record.storageAccounts[one.outputs['storage-account-name']!]!.keys[0]!
    const crossed = `DefaultEndpointsProtocol=http;AccountName=${two.outputs['storage-account-name']};AccountKey=${keyOfOne};TableEndpoint=${two.outputs['table-endpoint']}`
    await expect(tablesIn(crossed)).rejects.toMatchObject({ statusCode: 403 })

    api.pulls.set(1, 'closed')
    api.pulls.set(2, 'open')
    const prune = await engine.run({ command: 'prune', 'github-token': 'ghs_test_token_0123456789' }, { GITHUB_API_URL: api.url })
    expect(ok(prune)).toEqual({ code: 0, log: '' })
    expect(JSON.parse(prune.outputs['pruned-environments']!)).toEqual(['pr-1'])
    const after = engine.record()
    expect(Object.keys(after.storageAccounts)).toEqual([two.outputs['storage-account-name']])
    expect(engine.stateFile('pr-1')).toBeUndefined()
    expect(engine.stateFile('pr-2')).toBeDefined()
    expect(await tablesIn(two.outputs['connection-string']!)).toEqual(['events'])
    expect((await engine.run({ command: 'destroy', environment: 'pr-2' })).code).toBe(0)
  })

  it('9. two concurrent ups of one stack: the second waits for the lock and ends cleanly', async () => {
    const lockBudget = { EVENT_STORE_TEST_LOCK_BUDGET_MS: '90000' }
    // The first holds the lock for a while: the stand-in answers each create slowly.
    const first = engine.run({ environment: 'locked' }, { ...lockBudget, AZURE_STANDIN_DELAY_MS: '2500' })
    await new Promise((r) => setTimeout(r, 2000))
    const second = engine.run({ environment: 'locked' }, lockBudget)
    const [a, b] = await Promise.all([first, second])
    expect(ok(a)).toEqual({ code: 0, log: '' })
    expect(ok(b)).toEqual({ code: 0, log: '' })
    // One of them (the second, unless the machine is slow enough to swap them) waited for the lock.
    expect([a, b].filter((r) => /locked by another run/.test(r.stdout))).toHaveLength(1)
    expect(b.outputs['connection-string']).toBe(a.outputs['connection-string'])
    // Everything was created once: the waiting run found it done.
    const creates = engine.record().operations.filter((o) => o.op === 'create' && o.id.includes('/resourceGroups/rg-event-store-locked'))
    expect(creates.map((o) => o.type).sort()).toEqual(['ResourceGroup', 'StorageAccount', 'Table'])
    expect((await engine.run({ command: 'destroy', environment: 'locked' })).code).toBe(0)
  })

  it('11. isolation: tables on a shared account: up, verify and destroy, with a table SAS only', async () => {
    const host = await engine.run({ environment: 'shared-host', tables: 'placeholder' })
    expect(ok(host)).toEqual({ code: 0, log: '' })
    const shared = { 'shared-account-name': host.outputs['storage-account-name']!, 'shared-account-resource-group': host.outputs['resource-group-name']! }
    // Azurite refuses every entity batch signed with a table SAS (403 "Transaction Failed", also for a SAS it
    // issued itself), so the event-store check, which appends in a batch, cannot pass here: the SAS is
    // checked below with single-entity calls instead, including that it opens its own table only.
    const inputs = { environment: 'tenant-a', isolation: 'tables', tables: 'events', 'sas-expiry': '7d', verify: 'false', ...shared }
    const up = await engine.run(inputs)
    expect(ok(up)).toEqual({ code: 0, log: '' })
    const connection = up.outputs['connection-string']!
    expect(connection).toMatch(/^TableEndpoint=http:\/\/127\.0\.0\.1:\d+\/[a-z0-9]+;SharedAccessSignature=/)
    expect(connection).not.toContain('AccountKey')
    const table = JSON.parse(up.outputs['table-names']!)[0] as string
    expect(await tablesIn(host.outputs['connection-string']!)).toEqual([table, 'placeholder'].sort())
    const own = TableClient.fromConnectionString(connection, table, { allowInsecureConnection: true })
    await own.createEntity({ partitionKey: 'stream', rowKey: '1', data: 'x' })
    expect((await own.getEntity<{ data: string }>('stream', '1')).data).toBe('x')
    const other = TableClient.fromConnectionString(connection, 'placeholder', { allowInsecureConnection: true })
    await expect(other.createEntity({ partitionKey: 'stream', rowKey: '1' })).rejects.toMatchObject({ statusCode: 403 })

    const down = await engine.run({ ...inputs, command: 'destroy' })
    expect(ok(down)).toEqual({ code: 0, log: '' })
    // Only the environment's table went; the shared account stays.
    expect(await tablesIn(host.outputs['connection-string']!)).toEqual(['placeholder'])
    expect((await engine.run({ environment: 'shared-host', tables: 'placeholder', command: 'destroy' })).code).toBe(0)
  })

  it('11. engine: cosmos-table: up, verify and destroy', async () => {
    const inputs = { environment: 'cosmos', engine: 'cosmos-table', tables: 'events' }
    const up = await engine.run(inputs)
    expect(ok(up)).toEqual({ code: 0, log: '' })
    expect(up.summary).toMatch(/Event-store check: passed/)
    expect(Object.keys(engine.record().cosmosAccounts)).toHaveLength(1)
    expect(await tablesIn(up.outputs['connection-string']!)).toEqual(['events'])
    const down = await engine.run({ ...inputs, command: 'destroy' })
    expect(ok(down)).toEqual({ code: 0, log: '' })
    expect(engine.record().cosmosAccounts).toEqual({})
    expect(errorLines(down)).toEqual([])
  })

  it('the data plane refuses shared keys when the account turns them off (auth: entra)', async () => {
    const up = await engine.run({ environment: 'entra', auth: 'entra', 'principal-id': '11111111-2222-3333-4444-555555555555' })
    expect(ok(up)).toEqual({ code: 0, log: '' })
    expect(up.outputs['connection-string'] ?? '').toBe('')
    const record = engine.record()
    const account = record.storageAccounts[up.outputs['storage-account-name']!]!
    expect(Object.keys(record.roleAssignments)).toHaveLength(1)
    const listedKey = `DefaultEndpointsProtocol=http;AccountName=${account.name};AccountKey=${account.keys[0]};TableEndpoint=${up.outputs['table-endpoint']}`
    await expect(TableServiceClient.fromConnectionString(listedKey, { allowInsecureConnection: true }).createTable('sneaky')).rejects.toMatchObject({ statusCode: 403 })
    expect((await engine.run({ environment: 'entra', auth: 'entra', 'principal-id': '11111111-2222-3333-4444-555555555555', command: 'destroy' })).code).toBe(0)
    expect(engine.record().roleAssignments).toEqual({})
  })
})
