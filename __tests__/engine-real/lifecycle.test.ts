// One environment's life on the real Pulumi engine: the committed bundle (target azure) run as the runner
// runs it, against the Pulumi CLI and the stand-in azure-native provider, file:// state, passphrase secrets.
// The cases build on each other, in order: up, no-op up, table changes, preview, refresh, protect, destroy,
// a failure halfway through an up; the workspace directory is checked on every run.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { TableServiceClient } from '@azure/data-tables'
import type { BundleRun } from '../fixtures/bundle.js'
import { everythingWritten } from '../fixtures/bundle.js'
import { alive, ENGINE_TIMEOUT_MS, entries, errorLines, explain, opsSince, openEngineEnv, SKIP, tablesIn, type EngineEnv } from './harness.js'
import { environmentNames } from '../../src/plan/naming.js'

jest.setTimeout(ENGINE_TIMEOUT_MS)
const suite = SKIP ? describe.skip : describe

/** Every file under a directory, recursively (the whole backend: stacks, backups, history). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
}

suite('the real engine: one environment from up to destroy', () => {
  let engine: EngineEnv
  let first: BundleRun
  const ENV = 'dev'

  /** Runs the bundle and watches RUNNER_TEMP while it runs: the Automation API workspace must live there. */
  async function runWatched(inputs: Record<string, string>, env: Record<string, string> = {}): Promise<BundleRun & { workspaces: string[] }> {
    const seen = new Set<string>()
    const before = new Set(engine.bundle.dir ? entries(engine.bundle.dir) : [])
    const timer = setInterval(() => {
      for (const step of entries(engine.bundle.dir).filter((d) => !before.has(d) && d.startsWith('step-'))) {
        for (const name of entries(join(engine.bundle.dir, step, 'runner-temp'))) if (name.startsWith('pulumi-workspace-')) seen.add(join(step, name))
      }
    }, 25)
    try {
      const run = await engine.run({ environment: ENV, tables: 'events,snapshots', ...inputs }, env)
      return { ...run, workspaces: [...seen] }
    } finally {
      clearInterval(timer)
    }
  }

  beforeAll(() => {
    engine = openEngineEnv()
  })
  afterAll(() => engine?.close())

  it('1. up of a new environment: every output, secrets masked first and encrypted in the state, verify passes on real tables', async () => {
    const run = await runWatched({})
    first = run
    expect(run.code).toBe(0)
    const out = run.outputs
    for (const name of ['connection-string', 'table-name', 'table-names', 'storage-account-name', 'resource-group-name', 'table-endpoint', 'stack-name']) {
      expect({ name, value: out[name] ?? '' }).toEqual({ name, value: expect.stringMatching(/.+/) })
    }
    expect(out['stack-name']).toBe(environmentNames({ project: 'event-store', environment: ENV, repository: 'unused' }).stackName)
    expect(JSON.parse(out['table-names']!)).toEqual(['events', 'snapshots'])

    // The account the stand-in made, with its own key and its own Table endpoint.
    const record = engine.record()
    const account = record.storageAccounts[out['storage-account-name']!]!
    expect(account.resourceGroupName).toBe(out['resource-group-name'])
    const key = account.keys[0]!
    expect(out['table-endpoint']).toBe(`http://127.0.0.1:${account.endpoint.port}/${account.name}/`)
    expect(out['connection-string']).toBe(`DefaultEndpointsProtocol=http;AccountName=${account.name};AccountKey=${key};TableEndpoint=http://127.0.0.1:${account.endpoint.port}/${account.name}`)

    // Masked before anything could print them; nowhere but in the mask lines and the output itself.
    const lines = run.stdout.split('\n')
    const maskKey = lines.indexOf(`::add-mask::${key}`)
    const maskConnection = lines.indexOf(`::add-mask::${out['connection-string']}`)
    expect(maskKey).toBeGreaterThanOrEqual(0)
    expect(maskConnection).toBeGreaterThanOrEqual(0)
    expect(everythingWritten(run).includes(key)).toBe(false)

    // The state holds them only encrypted: the key appears in no file of the backend.
    const stateDir = engine.vars.PULUMI_BACKEND_URL!.replace('file://', '')
    const stateFiles = filesUnder(stateDir)
    expect(stateFiles.length).toBeGreaterThan(0)
    for (const file of stateFiles) expect({ file, hasKey: readFileSync(file, 'utf8').includes(key) }).toEqual({ file, hasKey: false })
    expect(readFileSync(engine.stateFile(ENV)!, 'utf8')).toContain('"ciphertext"')

    // verify ran against the real tables (its stream is removed afterwards), and the tables are there.
    expect(run.stdout).toMatch(/::group::verify the event store/)
    expect(run.summary).toMatch(/Event-store check: passed/)
    expect(await tablesIn(out['connection-string']!)).toEqual(['events', 'snapshots'])
    expect(Object.keys(record.tables).sort()).toEqual([`${account.name}/events`, `${account.name}/snapshots`])
  })

  it('13. the Automation API workspace lived under RUNNER_TEMP and is gone after the run', () => {
    const watched = first as BundleRun & { workspaces: string[] }
    expect(watched.workspaces.length).toBeGreaterThanOrEqual(1)
    expect(entries(join(first.dir, 'runner-temp')).filter((n) => n.startsWith('pulumi-workspace-'))).toEqual([])
  })

  it('2. up again: zero changes, the same outputs, and expect-no-changes passes', async () => {
    const from = engine.record().operations.length
    const again = await runWatched({ 'expect-no-changes': 'true' })
    expect(again.code).toBe(0)
    expect(opsSince(engine, from)).toEqual([])
    expect(again.outputs).toEqual(first.outputs)
  })

  it('3. a changed input with expect-no-changes fails before anything is applied', async () => {
    const from = engine.record().operations.length
    const run = await runWatched({ tables: 'events,projections', 'expect-no-changes': 'true' })
    expect(run.code).toBe(1)
    expect(errorLines(run)).toHaveLength(1)
    expect(opsSince(engine, from)).toEqual([])
    expect(await tablesIn(first.outputs['connection-string']!)).toEqual(['events', 'snapshots'])
  })

  it('3. tables gains one table and loses one: one create, one delete', async () => {
    const from = engine.record().operations.length
    const run = await runWatched({ tables: 'events,projections' })
    expect(run.code).toBe(0)
    expect(opsSince(engine, from).sort()).toEqual(['create Table', 'delete Table'])
    expect(await tablesIn(first.outputs['connection-string']!)).toEqual(['events', 'projections'])
    expect(JSON.parse(run.outputs['table-names']!)).toEqual(['events', 'projections'])
  })

  it('4. preview of a new environment: changes counted, no outputs, nothing created', async () => {
    const from = engine.record().operations.length
    const run = await engine.run({ command: 'preview', environment: 'preview-only' })
    expect(run.code).toBe(0)
    expect(run.outputs['connection-string'] ?? '').toBe('')
    // Three Azure resources to create (the stack's own root resource is not counted), each listed.
    expect(run.summary).toMatch(/\| create \| update \| replace \| delete \| unchanged \|\n\|[-:|]+\|\n\| 3 \| 0 \| 0 \| 0 \| 0 \|/)
    expect(run.summary.match(/^\| create \| `azure-native:/gm)).toHaveLength(3)
    expect(opsSince(engine, from)).toEqual([])
    expect(Object.values(engine.record().resourceGroups).map((g) => g.name)).not.toContain(expect.stringContaining('preview-only'))
  })

  it('5. refresh after a table is deleted behind Pulumi\'s back reports the drift; the next up recreates it', async () => {
    const connection = first.outputs['connection-string']!
    await TableServiceClient.fromConnectionString(connection, { allowInsecureConnection: true }).deleteTable('projections')
    const refresh = await runWatched({ command: 'refresh', tables: 'events,projections' })
    expect(refresh.code).toBe(0)
    expect(refresh.summary).toMatch(/delet/i)
    expect(refresh.stdout).toMatch(/table-projections/)

    const from = engine.record().operations.length
    const up = await runWatched({ tables: 'events,projections' })
    expect(up.code).toBe(0)
    expect(opsSince(engine, from)).toEqual(['create Table'])
    expect(await tablesIn(connection)).toEqual(['events', 'projections'])
  })

  it('6. protect: true, then destroy: refused before anything is deleted', async () => {
    const protect = await runWatched({ tables: 'events,projections', protect: 'true' })
    expect(protect.code).toBe(0)
    const from = engine.record().operations.length
    const destroy = await runWatched({ command: 'destroy', tables: 'events,projections' })
    expect(destroy.code).toBe(1)
    expect(errorLines(destroy)).toEqual([expect.stringMatching(/protected .*nothing was destroyed/)])
    expect(opsSince(engine, from)).toEqual([])
    expect(await tablesIn(first.outputs['connection-string']!)).toEqual(['events', 'projections'])
  })

  it('7. destroy: tables gone, the stack kept with remove-stack false, removed with true, and a second destroy ends cleanly', async () => {
    expect((await runWatched({ tables: 'events,projections', protect: 'false' })).code).toBe(0)
    const account = engine.record().storageAccounts[first.outputs['storage-account-name']!]!
    const from = engine.record().operations.length

    const kept = await runWatched({ command: 'destroy', tables: 'events,projections', 'remove-stack': 'false' })
    expect(kept.code).toBe(0)
    expect(opsSince(engine, from).sort()).toEqual(['delete ResourceGroup', 'delete StorageAccount', 'delete Table', 'delete Table'])
    expect(engine.record().storageAccounts).toEqual({})
    expect(engine.record().tables).toEqual({})
    // The account's Table endpoint went with the account.
    for (let i = 0; i < 50 && alive(account.endpoint.pid); i++) await new Promise((r) => setTimeout(r, 100))
    expect(alive(account.endpoint.pid)).toBe(false)
    expect(engine.stateFile(ENV)).toBeDefined()
    expect(kept.stdout).toMatch(/empty stack is kept/)

    const removed = await runWatched({ command: 'destroy', tables: 'events,projections' })
    expect(removed.code).toBe(0)
    expect(engine.stateFile(ENV)).toBeUndefined()

    const again = await runWatched({ command: 'destroy', tables: 'events,projections' })
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/does not exist/)
    expect(errorLines(again)).toEqual([])
  })

  it('10. a failure halfway through up: one ::error:: naming the resource, exit 1; the next up completes the environment', async () => {
    const failed = await engine.run({ environment: 'halfway', tables: 'events,snapshots' }, { AZURE_STANDIN_FAIL_TABLE: 'snapshots' })
    expect(failed.code).toBe(1)
    const errors = errorLines(failed)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/table-snapshots/)
    expect(entries(join(failed.dir, 'runner-temp')).filter((n) => n.startsWith('pulumi-workspace-'))).toEqual([])

    const done = await engine.run({ environment: 'halfway', tables: 'events,snapshots' })
    expect({ code: done.code, log: done.code === 0 ? '' : explain(done) }).toEqual({ code: 0, log: '' })
    expect(await tablesIn(done.outputs['connection-string']!)).toEqual(['events', 'snapshots'])
  })
})
