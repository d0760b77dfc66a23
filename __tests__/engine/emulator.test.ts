// The emulator engine against a real Azurite (in memory, on a free port).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { TableServiceClient } from '@azure/data-tables'
import { createEmulatorEngine } from '../../src/engine/emulator.js'
import { RECORD_TABLE } from '../../src/engine/emulator-record.js'
import { AZURITE_DEV_ACCOUNT_KEY } from '../../src/connection-string.js'
import { UserError } from '../../src/errors.js'
import type { Command, EngineIO, Plan } from '../../src/types.js'
import { emulatorPlan } from '../fixtures/emulator-plan.js'
import { connectionStringFor, freePort, startAzurite, type AzuriteHandle } from '../helpers/azurite.js'

let azurite: AzuriteHandle

beforeAll(async () => {
  azurite = await startAzurite()
})

afterAll(async () => {
  await azurite?.stop()
})

function recordingIO(): { io: EngineIO; events: { kind: 'info' | 'secret'; value: string }[] } {
  const events: { kind: 'info' | 'secret'; value: string }[] = []
  return {
    events,
    io: {
      info: (value) => events.push({ kind: 'info', value }),
      registerSecret: (value) => events.push({ kind: 'secret', value })
    }
  }
}

function plan(command: Command, environment: string, extra: Partial<Plan> = {}): Plan {
  return emulatorPlan({ command, connectionString: azurite.connectionString, environment, ...extra })
}

async function run(p: Plan) {
  return createEmulatorEngine().run(p, recordingIO().io)
}

async function tablesOnAzurite(): Promise<string[]> {
  const service = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true })
  const names: string[] = []
  for await (const t of service.listTables()) names.push(t.name!)
  return names.sort()
}

describe('emulator engine', () => {
  it('up creates the tables and reports the outputs', async () => {
    const p = plan('up', 'up-first')
    const result = await run(p)
    expect(result.changes).toEqual({ create: 2, update: 0, delete: 0, replace: 0, same: 0 })
    expect(result.resources).toEqual(p.tables.map((name) => ({ op: 'create', type: 'table', name })))
    expect(result.outputs).toEqual({
      connectionString: azurite.connectionString,
      accountKey: AZURITE_DEV_ACCOUNT_KEY,
      tableNames: p.tables,
      storageAccountName: 'devstoreaccount1',
      resourceGroupName: '',
      tableEndpoint: `http://127.0.0.1:${azurite.port}/devstoreaccount1`,
      stackName: p.names.stackName
    })
    const onAzurite = await tablesOnAzurite()
    for (const t of p.tables) expect(onAzurite).toContain(t)
  })

  it('a second up succeeds with identical outputs and creates nothing', async () => {
    const p = plan('up', 'up-twice')
    const first = await run(p)
    const second = await run(p)
    expect(second.outputs).toEqual(first.outputs)
    expect(second.changes.create).toBe(0)
    expect(second.changes.same).toBe(2)
    expect(second.resources.every((r) => r.op === 'same' && r.type === 'table')).toBe(true)
  })

  it('two environments coexist, and destroy removes only its own tables', async () => {
    const a = plan('up', 'feature/A')
    const b = plan('up', 'feature/B')
    await run(a)
    await run(b)
    expect(a.tables).not.toEqual(b.tables)
    let onAzurite = await tablesOnAzurite()
    for (const t of [...a.tables, ...b.tables]) expect(onAzurite).toContain(t)

    const destroyed = await run({ ...a, command: 'destroy' })
    expect(destroyed.changes.delete).toBe(2)
    expect(destroyed.outputs).toBeNull()
    expect(destroyed.resources).toEqual(a.tables.map((name) => ({ op: 'delete', type: 'table', name })))
    onAzurite = await tablesOnAzurite()
    for (const t of a.tables) expect(onAzurite).not.toContain(t)
    for (const t of b.tables) expect(onAzurite).toContain(t)

    const again = await run({ ...a, command: 'destroy' })
    expect(again.changes.delete).toBe(0)
    expect(again.resources).toEqual([])
    expect(again.outputs).toBeNull()
    expect(again.notes.join(' ')).toMatch(/already gone/)
  })

  it('preview changes nothing and reports what up would do', async () => {
    const fresh = plan('preview', 'preview-new')
    const before = await tablesOnAzurite()
    const result = await run(fresh)
    expect(await tablesOnAzurite()).toEqual(before)
    expect(result.outputs).toBeNull()
    expect(result.changes.create).toBe(2)
    expect(result.resources.map((r) => r.op)).toEqual(['create', 'create'])
    expect(result.notes.join(' ')).toMatch(/does not exist yet/)

    const existing = plan('up', 'preview-existing')
    const up = await run(existing)
    const before2 = await tablesOnAzurite()
    const preview = await run({ ...existing, command: 'preview' })
    expect(await tablesOnAzurite()).toEqual(before2)
    expect(preview.changes).toEqual({ create: 0, update: 0, delete: 0, replace: 0, same: 2 })
    expect(preview.outputs).toEqual(up.outputs)
  })

  it('refresh reports which tables exist and changes nothing', async () => {
    const p = plan('up', 'refresh-me')
    await run(p)
    const service = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true })
    await service.deleteTable(p.tables[1]!)
    const before = await tablesOnAzurite()
    const result = await run({ ...p, command: 'refresh' })
    expect(await tablesOnAzurite()).toEqual(before)
    // The vanished table is drift against the record: reported as deleted outside the action.
    expect(result.resources).toEqual([
      { op: 'read', type: 'table', name: p.tables[0] },
      { op: 'delete', type: 'table', name: p.tables[1] }
    ])
    expect(result.changes).toEqual({ create: 0, update: 0, delete: 1, replace: 0, same: 1 })
    expect(result.notes.join(' ')).toContain(`${p.tables[1]} do not exist`)
    expect(result.outputs?.tableNames).toEqual(p.tables)

    const none = await run(plan('refresh', 'refresh-nothing'))
    expect(none.resources).toEqual([])
    expect(none.outputs).toBeNull()
    expect(none.notes.join(' ')).toMatch(/does not exist/)
  })

  it('destroy refuses a protected environment', async () => {
    const p = plan('up', 'protected-env', { protect: true })
    await run(p)
    await expect(run({ ...p, command: 'destroy' })).rejects.toThrow(/protected/)
    const onAzurite = await tablesOnAzurite()
    for (const t of p.tables) expect(onAzurite).toContain(t)
  })

  it('registers the connection string and the key before it logs anything', async () => {
    const { io, events } = recordingIO()
    await createEmulatorEngine().run(plan('up', 'secret-order'), io)
    const firstInfo = events.findIndex((e) => e.kind === 'info')
    expect(firstInfo).toBeGreaterThan(0)
    const secretsBefore = events.slice(0, firstInfo).map((e) => e.value)
    expect(secretsBefore).toContain(azurite.connectionString)
    expect(secretsBefore).toContain(AZURITE_DEV_ACCOUNT_KEY)
    for (const e of events.filter((e) => e.kind === 'info')) expect(e.value).not.toContain(AZURITE_DEV_ACCOUNT_KEY)
  })

  it('a closed port fails fast with a UserError naming host:port and never the key', async () => {
    const port = await freePort()
    const cs = connectionStringFor(port)
    const { io, events } = recordingIO()
    const started = Date.now()
    const error = await createEmulatorEngine()
      .run(emulatorPlan({ command: 'up', connectionString: cs }), io)
      .then(
        () => undefined,
        (e: unknown) => e
      )
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(error).toBeInstanceOf(UserError)
    const message = (error as Error).message
    expect(message).toContain(`127.0.0.1:${port}`)
    expect(message).toMatch(/Azurite/)
    expect(message).toContain('emulator-connection-string')
    expect(message).not.toContain(AZURITE_DEV_ACCOUNT_KEY)
    expect(message).not.toContain(cs)
    expect(events.slice(0, 2).map((e) => e.value)).toEqual([cs, AZURITE_DEV_ACCOUNT_KEY])
  })

  it('a wrong key is a UserError about the credentials that does not show the key', async () => {
    const wrongKey = Buffer.alloc(64, 7).toString('base64')
    const cs = azurite.connectionString.replace(AZURITE_DEV_ACCOUNT_KEY, wrongKey)
    const error = await createEmulatorEngine()
      .run(emulatorPlan({ command: 'up', connectionString: cs, environment: 'wrong-key' }), recordingIO().io)
      .then(
        () => undefined,
        (e: unknown) => e
      )
    expect(error).toBeInstanceOf(UserError)
    expect((error as Error).message).toMatch(/credentials/)
    expect((error as Error).message).not.toContain(wrongKey)
  })

  it('never takes the ownership record’s table for an environment’s table', async () => {
    const p = { ...plan('up', 'record-name'), tables: [RECORD_TABLE.toLowerCase()] }
    await expect(run(p)).rejects.toThrow(/ownership record/)
    await expect(run({ ...p, command: 'preview' })).rejects.toThrow(/ownership record/)
  })

  it('a plan without a connection string is a UserError', async () => {
    await expect(run(emulatorPlan({ command: 'up', connectionString: undefined }))).rejects.toBeInstanceOf(UserError)
  })
})
