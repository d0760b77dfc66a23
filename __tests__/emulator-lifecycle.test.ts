// The emulator target's lifecycle through the committed bundle, run as the runner runs it, on Azurite:
// the ownership record makes up reconcile, destroy remove every table of the environment, refresh report
// drift, and the drift gate and every refusal act before anything is written.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { TableClient, TableServiceClient } from '@azure/data-tables'
import { readRecords, RECORD_TABLE, writeRecord } from '../src/engine/emulator-record.js'
import { emulatorTableName } from '../src/naming.js'
import { copyBundle, type BundleCopy, type BundleRun } from './fixtures/bundle.js'
import { LIFECYCLE, PROTECTED_LIFECYCLE, type LifecycleStep } from './fixtures/lifecycle.js'
import { startAzurite, type AzuriteHandle } from './helpers/azurite.js'
import { startGitHubApi } from './helpers/github-api.js'

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

const PROJECT = 'lifecycle'
const physical = (environment: string, tables: string[]): string[] => tables.map((table) => emulatorTableName({ table, project: PROJECT, environment }))

function service(): TableServiceClient {
  return TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true })
}
function recordClient(): TableClient {
  return TableClient.fromConnectionString(azurite.connectionString, RECORD_TABLE, { allowInsecureConnection: true })
}

/** Every table on Azurite but the record's own. */
async function tablesOnAzurite(): Promise<string[]> {
  const names: string[] = []
  for await (const t of service().listTables()) if (t.name !== RECORD_TABLE) names.push(t.name!)
  return names.sort()
}

/** The record table's entities, as raw rows (etag and timestamp included): any write changes them. */
async function recordRows(): Promise<string> {
  const rows: unknown[] = []
  try {
    for await (const e of recordClient().listEntities()) rows.push(e)
  } catch {
    return '(no record table)'
  }
  return JSON.stringify(rows)
}

async function step(inputs: Record<string, string>): Promise<BundleRun> {
  const run = await bundle.run({ target: 'emulator', 'emulator-connection-string': azurite.connectionString, project: PROJECT, ...inputs })
  expect(run.stderr).toBe('')
  return run
}

function inputsOf(environment: string, s: LifecycleStep): Record<string, string> {
  return {
    command: s.command,
    environment,
    ...(s.tables ? { tables: s.tables.join(',') } : {}),
    ...(s.protect !== undefined ? { protect: String(s.protect) } : {})
  }
}

/** The summary's counts row (create, update, replace, delete, unchanged). */
function counts(summary: string): { create: number; update: number; replace: number; delete: number; same: number } {
  const lines = summary.split('\n')
  const header = lines.findIndex((l) => /^\|\s*create\s*\|\s*update\s*\|/.test(l))
  expect(header).toBeGreaterThanOrEqual(0)
  const [create, update, replace, del, same] = lines[header + 2]!.split('|').slice(1, 6).map((c) => Number(c.trim()))
  return { create: create!, update: update!, replace: replace!, delete: del!, same: same! }
}

/** The summary's resource rows as `op name`, markup stripped. */
function rows(summary: string): string[] {
  return summary
    .split('\n')
    .map((l) => l.split('|').map((c) => c.trim().replace(/[`\\]/g, '')))
    .filter((cells) => cells.length === 5 && cells[2] === 'table')
    .map((cells) => `${cells[1]} ${cells[3]}`)
    .sort()
}

const errors = (run: BundleRun): string[] => run.stdout.split('\n').filter((l) => l.startsWith('::error'))

async function runSequence(environment: string, steps: LifecycleStep[], others: string[]): Promise<void> {
  for (const s of steps) {
    const before = await tablesOnAzurite()
    const recordBefore = await recordRows()
    const run = await step(inputsOf(environment, s))
    const expected = [...others, ...physical(environment, s.after)].sort()
    if ('refusedNaming' in s.expect) {
      expect([s.title, run.code]).toEqual([s.title, 1])
      expect(errors(run)).toHaveLength(1)
      for (const table of physical(environment, s.expect.refusedNaming)) expect(errors(run)[0]).toContain(table)
      // Refused before anything changed: the tables and the record are as they were.
      expect(await tablesOnAzurite()).toEqual(before)
      expect(await recordRows()).toEqual(recordBefore)
    } else {
      expect([s.title, run.code, errors(run)]).toEqual([s.title, 0, []])
      const { create, delete: deletes, same } = s.expect
      expect([s.title, counts(run.summary)]).toEqual([s.title, { create: create.length, update: 0, replace: 0, delete: deletes.length, same: same.length }])
      const want = [
        ...physical(environment, create).map((t) => `create ${t}`),
        ...physical(environment, deletes).map((t) => `delete ${t}`),
        ...physical(environment, same).map((t) => `same ${t}`)
      ].sort()
      expect([s.title, rows(run.summary)]).toEqual([s.title, want])
    }
    expect([s.title, await tablesOnAzurite()]).toEqual([s.title, expected])
  }
}

describe('the lifecycle of one environment (shared expectations in fixtures/lifecycle.ts)', () => {
  it('up 3, up 1, preview 2, destroy without tables: each step counts its changes, nothing is left', async () => {
    const others = await tablesOnAzurite()
    await runSequence('pr-532', LIFECYCLE, others)
    const records = await readRecords(recordClient())
    expect(records.filter((r) => r.environment === 'pr-532')).toEqual([])
  })

  it('protect refuses the shrinking up and the destroy before anything is deleted', async () => {
    const others = await tablesOnAzurite()
    await runSequence('feature/Protected', PROTECTED_LIFECYCLE, others)
  })
})

describe('the pull request comment', () => {
  it('shows the tables a shrinking up deleted, on the pull request of its environment', async () => {
    const api = await startGitHubApi()
    try {
      const event = join(bundle.dir, 'event-533.json')
      writeFileSync(event, JSON.stringify({ number: 533, pull_request: { number: 533 } }))
      const env = { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event, GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'octo/app' }
      const inputs = { target: 'emulator', 'emulator-connection-string': azurite.connectionString, project: PROJECT, 'comment-on-pr': 'true', 'github-token': 'test-token', verify: 'false' }
      expect((await bundle.run({ ...inputs, tables: 'events,snapshots,audit' }, env)).code).toBe(0)
      const shrink = await bundle.run({ ...inputs, tables: 'events' }, env)
      expect(shrink.code).toBe(0)
      const [comment] = api.commentsOn(533)
      expect(comment).toBeDefined()
      expect(counts(comment!.body)).toEqual({ create: 0, update: 0, replace: 0, delete: 2, same: 1 })
      expect(rows(comment!.body)).toEqual([...physical('pr-533', ['snapshots', 'audit']).map((t) => `delete ${t}`), `same ${physical('pr-533', ['events'])[0]}`].sort())
      expect((await bundle.run({ ...inputs, command: 'destroy' }, env)).code).toBe(0)
    } finally {
      await api.stop()
    }
  })
})

describe('refresh and the drift gate', () => {
  const environment = 'drift'

  it('the drift gate on up fails before any write: no table, no record', async () => {
    const before = await tablesOnAzurite()
    const recordBefore = await recordRows()
    const run = await step({ environment, tables: 'events,snapshots', 'expect-no-changes': 'true' })
    expect(run.code).toBe(1)
    expect(errors(run)).toHaveLength(1)
    expect(errors(run)[0]).toMatch(/expect-no-changes/)
    expect(await tablesOnAzurite()).toEqual(before)
    expect(await recordRows()).toEqual(recordBefore)

    expect((await step({ environment, tables: 'events,snapshots', verify: 'false' })).code).toBe(0)
    expect((await step({ environment, tables: 'events,snapshots', 'expect-no-changes': 'true', verify: 'false' })).code).toBe(0)
    // A dropped table is a change too: refused before it is deleted.
    const after = await tablesOnAzurite()
    const recordAfter = await recordRows()
    const shrink = await step({ environment, tables: 'events', 'expect-no-changes': 'true' })
    expect(shrink.code).toBe(1)
    expect(errors(shrink)[0]).toContain(physical(environment, ['snapshots'])[0])
    expect(await tablesOnAzurite()).toEqual(after)
    expect(await recordRows()).toEqual(recordAfter)
    // preview counts the same delete, and the gate fails on it.
    const preview = await step({ command: 'preview', environment, tables: 'events', 'expect-no-changes': 'true' })
    expect(preview.code).toBe(1)
    expect(counts(preview.summary)).toEqual({ create: 0, update: 0, replace: 0, delete: 1, same: 1 })
    expect(await tablesOnAzurite()).toEqual(after)
    expect(await recordRows()).toEqual(recordAfter)
  })

  it('refresh reports a vanished table and a table the record does not know, and changes nothing', async () => {
    const [events, snapshots, audit] = physical(environment, ['events', 'snapshots', 'audit'])
    const clean = await step({ command: 'refresh', environment, tables: 'events,snapshots' })
    expect(clean.code).toBe(0)
    expect(counts(clean.summary)).toEqual({ create: 0, update: 0, replace: 0, delete: 0, same: 2 })

    await service().deleteTable(snapshots!)
    await service().createTable(audit!)
    const before = await tablesOnAzurite()
    const recordBefore = await recordRows()
    const run = await step({ command: 'refresh', environment, tables: 'events,snapshots' })
    expect(run.code).toBe(0)
    expect(counts(run.summary)).toEqual({ create: 0, update: 1, replace: 0, delete: 1, same: 1 })
    expect(rows(run.summary)).toEqual([`delete ${snapshots}`, `read ${events}`, `update ${audit}`].sort())
    expect(run.summary).toMatch(/Drift/)
    expect(await tablesOnAzurite()).toEqual(before)
    expect(await recordRows()).toEqual(recordBefore)

    const gate = await step({ command: 'refresh', environment, tables: 'events,snapshots', 'expect-no-changes': 'true' })
    expect(gate.code).toBe(1)
    expect(errors(gate)[0]).toMatch(/expect-no-changes/)

    // destroy removes what the record owns and leaves the table it does not know.
    const destroy = await step({ command: 'destroy', environment })
    expect(destroy.code).toBe(0)
    expect(rows(destroy.summary)).toEqual([`delete ${events}`])
    expect(await tablesOnAzurite()).toEqual(before.filter((t) => t !== events))
    await service().deleteTable(audit!)
  })
})

describe('environments side by side, and tables that are not provably ours', () => {
  it('two environments coexist; destroying one leaves the other and its record', async () => {
    const others = await tablesOnAzurite()
    for (const environment of ['side-a', 'side-b']) expect((await step({ environment, tables: 'events,snapshots', verify: 'false' })).code).toBe(0)
    const destroy = await step({ command: 'destroy', environment: 'side-a', tables: 'unrelated' })
    expect(destroy.code).toBe(0)
    expect(rows(destroy.summary)).toEqual(physical('side-a', ['events', 'snapshots']).map((t) => `delete ${t}`).sort())
    expect(await tablesOnAzurite()).toEqual([...others, ...physical('side-b', ['events', 'snapshots'])].sort())
    const records = (await readRecords(recordClient())).filter((r) => r.project === PROJECT)
    expect(records.map((r) => r.environment)).toContain('side-b')
    expect(records.map((r) => r.environment)).not.toContain('side-a')
    expect((await step({ command: 'destroy', environment: 'side-b' })).code).toBe(0)
  })

  it('a table that exists with our name but no record is refused, and nothing is created', async () => {
    const [events] = physical('forged', ['events'])
    await service().createTable(events!)
    const before = await tablesOnAzurite()
    const recordBefore = await recordRows()
    const run = await step({ environment: 'forged', tables: 'events,snapshots' })
    expect(run.code).toBe(1)
    expect(errors(run)).toHaveLength(1)
    expect(errors(run)[0]).toContain(events)
    expect(await tablesOnAzurite()).toEqual(before)
    expect(await recordRows()).toEqual(recordBefore)
    // destroy has no record to act on, so the table stays.
    expect((await step({ command: 'destroy', environment: 'forged' })).code).toBe(0)
    expect(await tablesOnAzurite()).toContain(events)
    await service().deleteTable(events!)
  })

  it('a table another environment owns (a name collision) is refused by up and left by destroy', async () => {
    // A colliding name is what a brute-forced hash would give; the victim's record claims the attacker's names.
    const attackerTables = physical('attacker', ['events'])
    const victim = await writeRecord(recordClient(), { project: 'production-app', environment: 'production', tables: attackerTables, protect: false })
    await service().createTable(attackerTables[0]!)
    const before = await tablesOnAzurite()
    const recordBefore = await recordRows()
    for (const command of ['up', 'preview']) {
      const run = await step({ command, environment: 'attacker', tables: 'events' })
      expect(run.code).toBe(1)
      expect(errors(run)[0]).toContain(attackerTables[0])
      expect(errors(run)[0]).toMatch(/another environment/)
    }
    const destroy = await step({ command: 'destroy', environment: 'attacker', tables: 'events' })
    expect(destroy.code).toBe(0)
    expect(rows(destroy.summary)).toEqual([])
    expect(await tablesOnAzurite()).toEqual(before)
    expect(await recordRows()).toEqual(recordBefore)
    expect((await readRecords(recordClient())).find((r) => r.environment === 'production')?.tables).toEqual(victim.tables)
  })
})
