// isolation `tables` on the emulator target, end to end against Azurite: each environment's tables side by
// side on one shared endpoint, named by the per-environment rule; verify passes on them; destroy removes one
// environment's tables only. A table-scoped SAS opens its own table and nothing else there too, but Azurite
// refuses entity group transactions under a table SAS (pinned below), which is why the emulator target keeps
// handing out the endpoint's own connection string rather than a SAS.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { AzureNamedKeyCredential, generateTableSas, TableClient, TableServiceClient } from '@azure/data-tables'
import { createEmulatorEngine } from '../../src/engine/emulator.js'
import { RECORD_TABLE } from '../../src/engine/emulator-record.js'
import { parseConnectionString, toClientConnectionString } from '../../src/tables/connection-string.js'
import { restErrorInfo } from '../../src/tables/errors.js'
import { sasConnectionString, withTableName } from '../../src/programs/table-sas.js'
import type { Command, EngineIO, Plan } from '../../src/types.js'
import { verifyEventStore } from '../../src/verify/event-store.js'
import { emulatorPlan } from '../fixtures/emulator-plan.js'
import { startAzurite, type AzuriteHandle } from '../fixtures/azurite.js'

let azurite: AzuriteHandle
const io: EngineIO = { info: () => undefined, registerSecret: () => undefined }

beforeAll(async () => {
  azurite = await startAzurite()
})

afterAll(async () => {
  await azurite?.stop()
})

function plan(command: Command, environment: string): Plan {
  return emulatorPlan({
    command,
    connectionString: azurite.connectionString,
    environment,
    tables: ['events', 'Snapshots'],
    scale: { isolation: 'tables', sasExpiry: new Date(Date.now() + 86_400_000).toISOString(), storageEngine: 'table-storage', cosmosThroughput: { mode: 'serverless' }, parallelism: 10 }
  })
}

/** A table SAS (raud) signed with the emulator account's key, as ARM signs one with the shared account's key. */
function tableSas(table: string): string {
  const parsed = parseConnectionString(azurite.connectionString)
  const token = generateTableSas(table, new AzureNamedKeyCredential(parsed.accountName, parsed.accountKey), {
    permissions: { query: true, add: true, update: true, delete: true },
    expiresOn: new Date(Date.now() + 3_600_000)
  })
  return sasConnectionString(parsed.tableEndpoint, withTableName(token, table))
}

async function tablesOnAzurite(): Promise<string[]> {
  const service = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true })
  const names: string[] = []
  // The ownership record's own table is the action's, not an environment's.
  for await (const t of service.listTables()) if (t.name !== RECORD_TABLE) names.push(t.name!)
  return names.sort()
}

/** The HTTP status a call gets (0 when it succeeds). */
async function statusOf(op: () => Promise<unknown>): Promise<number> {
  try {
    await op()
    return 0
  } catch (error) {
    return restErrorInfo(error).status ?? -1
  }
}

const client = (connectionString: string, table: string) =>
  TableClient.fromConnectionString(toClientConnectionString(parseConnectionString(connectionString)), table, { allowInsecureConnection: true })

describe('isolation tables on the emulator target', () => {
  let a: Plan
  let b: Plan
  beforeAll(() => {
    a = plan('up', 'pr-1')
    b = plan('up', 'pr-2')
  })

  it("up creates each environment's tables side by side on the shared endpoint", async () => {
    await createEmulatorEngine().run(a, io)
    await createEmulatorEngine().run(b, io)
    expect(await tablesOnAzurite()).toEqual([...a.tables, ...b.tables].sort())
    expect(a.tables.filter((t) => b.tables.includes(t))).toEqual([])
    for (const t of [...a.tables, ...b.tables]) expect(t).toMatch(/^[A-Za-z][A-Za-z0-9]{2,62}$/)
  })

  it("verify passes on every table of the environment", async () => {
    for (const table of a.tables) {
      const report = await verifyEventStore({ connectionString: azurite.connectionString, tableName: table })
      expect(report.ok).toBe(true)
    }
  })

  it("a table SAS opens its own table and nothing else: not the other environment's, not the table list", async () => {
    const sas = tableSas(a.tables[0]!)
    expect(sas).not.toMatch(/AccountKey/)
    const entity = { partitionKey: 'probe', rowKey: '1' }
    expect(await statusOf(() => client(sas, a.tables[0]!).createEntity(entity))).toBe(0)
    expect(await statusOf(() => client(sas, a.tables[0]!).getEntity('probe', '1'))).toBe(0)
    expect(await statusOf(() => client(sas, a.tables[0]!).deleteEntity('probe', '1'))).toBe(0)
    expect(await statusOf(() => client(sas, b.tables[0]!).createEntity(entity))).toBe(403)
    expect(await statusOf(() => client(sas, a.tables[1]!).createEntity(entity))).toBe(403)
    const service = TableServiceClient.fromConnectionString(toClientConnectionString(parseConnectionString(sas)), { allowInsecureConnection: true })
    expect(
      await statusOf(async () => {
        for await (const table of service.listTables()) void table
      })
    ).toBe(403)
    expect(await statusOf(() => service.createTable('intruder'))).toBe(403)
  })

  it('Azurite refuses entity group transactions under a table SAS (so the emulator hands out its own connection string)', async () => {
    // Azurite signs `$batch` as if it were the table name. If this starts passing, the emulator engine can output a table SAS too.
    const sas = tableSas(a.tables[0]!)
    const status = await statusOf(() =>
      client(sas, a.tables[0]!).submitTransaction([
        ['create', { partitionKey: 'batch', rowKey: '1' }],
        ['create', { partitionKey: 'batch', rowKey: '2' }]
      ])
    )
    expect(status).toBe(403)
  })

  it("destroy removes one environment's tables and leaves the other's", async () => {
    const result = await createEmulatorEngine().run(plan('destroy', 'pr-1'), io)
    expect(result.changes.delete).toBe(2)
    expect(await tablesOnAzurite()).toEqual([...b.tables].sort())
  })
})
