// The isolation `tables` program under Pulumi's mocks: real SDKs, no CLI, no Azure. The mocks hold the
// shared account's keys, so a leak of either key into any output is caught by scanning the outputs.
import * as common from '../../src/programs/common.js'
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import * as pulumi from '@pulumi/pulumi'
import { emulatorTableName } from '../../src/plan/naming.js'
import { parseConnectionString } from '../../src/tables/connection-string.js'
import type { Plan } from '../../src/types.js'
import { makePlan } from '../fixtures/plan.js'
import { installPulumiMocks, settled } from '../fixtures/pulumi-mocks.js'

const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555'
const PRINCIPAL = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'
const SHARED = { name: 'sharedevents01', resourceGroupName: 'rg-shared-events' }
const ACCOUNT_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${SHARED.resourceGroupName}/providers/Microsoft.Storage/storageAccounts/${SHARED.name}`
const TABLE_ENDPOINT = `https://${SHARED.name}.table.core.windows.net/`
const ROLE_DEFINITION = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3`
/** The shared account's two keys, as Azure would hold them. Neither may appear in any output. */
const KEYS = { key1: 'a2V5LW9uZS1vZi10aGUtc2hhcmVkLWFjY291bnQ=', key2: 'a2V5LXR3by1vZi10aGUtc2hhcmVkLWFjY291bnQ=' }
const EXPIRY = '2031-01-01T00:00:00Z'

/** What the mock returns for the shared account, beyond its name, id and endpoints. */
let accountExtra: Record<string, unknown> = {}
/** When true, the mock SAS comes back without `tn=` (the program must add it). */
let omitTableName = false

/** A SAS as the service would sign it: an HMAC over the request with the chosen key (never the key itself). */
function mockSas(inputs: Record<string, unknown>): string {
  const key = KEYS[inputs.keyToSign as 'key1' | 'key2']
  if (!key) throw new Error(`listStorageAccountServiceSAS without a valid keyToSign: ${String(inputs.keyToSign)}`)
  const resource = String(inputs.canonicalizedResource)
  const sig = createHash('sha256').update(`${key}\n${resource}\n${String(inputs.permissions)}\n${String(inputs.sharedAccessExpiryTime)}`).digest('base64')
  const table = resource.split('/').pop()!
  const tn = omitTableName ? '' : `&tn=${table}`
  return `sv=2024-01-01&se=${encodeURIComponent(String(inputs.sharedAccessExpiryTime))}&sp=${String(inputs.permissions)}&spr=https${tn}&sig=${encodeURIComponent(sig)}`
}

const { resources, calls, protectSent, reset } = installPulumiMocks({
  newResource(args, state) {
    if (args.type === 'azure-native:storage:Table') state.name = args.inputs.tableName
    if (args.type === 'azure-native:authorization:RoleAssignment') state.name = args.inputs.roleAssignmentName
    // Only for the selectProgram test, which also runs the default and Cosmos programs.
    if (args.type === 'azure-native:storage:StorageAccount') state.primaryEndpoints = { table: TABLE_ENDPOINT }
    if (args.type === 'azure-native:resources:ResourceGroup') state.name = args.inputs.resourceGroupName
    if (args.type === 'azure-native:cosmosdb:DatabaseAccount' || args.type === 'azure-native:storage:StorageAccount') state.name = args.inputs.accountName
    if (args.type === 'azure-native:cosmosdb:TableResourceTable') state.name = args.inputs.tableName
    return {}
  },
  call(args) {
    switch (args.token) {
      case 'azure-native:storage:getStorageAccount':
        return {
          name: args.inputs.accountName,
          id: ACCOUNT_ID,
          kind: 'StorageV2',
          location: 'westeurope',
          primaryEndpoints: { table: TABLE_ENDPOINT, blob: `https://${SHARED.name}.blob.core.windows.net/` },
          ...accountExtra
        }
      case 'azure-native:storage:listStorageAccountServiceSAS':
        return { serviceSasToken: mockSas(args.inputs) }
      case 'azure-native:storage:listStorageAccountKeys':
        return { keys: [{ keyName: 'key1', value: KEYS.key1, permissions: 'FULL' }, { keyName: 'key2', value: KEYS.key2, permissions: 'FULL' }] }
    }
    throw new Error(`unexpected call ${args.token}`)
  }
})

let sharedTables: typeof import('../../src/programs/shared-tables.js')
let tableSas: typeof import('../../src/programs/table-sas.js')
beforeAll(async () => {
  sharedTables = await import('../../src/programs/shared-tables.js')
  tableSas = await import('../../src/programs/table-sas.js')
})

beforeEach(() => {
  reset()
  accountExtra = {}
  omitTableName = false
})

const CONTEXT = { repository: 'octo/app', commit: '0123456789abcdef0123456789abcdef01234567' }

/** Resolves an output, or rejects with the program's error (Output keeps a promise internally). */
function resolved<T>(value: unknown): Promise<T> {
  const output = pulumi.output(value as pulumi.Input<T>) as unknown as { promise(): Promise<T> }
  return output.promise()
}

function sharedPlan(overrides: Partial<Plan> = {}): Plan {
  const project = overrides.project ?? 'event-store'
  const environment = overrides.environment ?? 'pr-42'
  const logical = overrides.logicalTables ?? ['events', 'Snapshots']
  return makePlan({
    project,
    environment,
    logicalTables: logical,
    tables: logical.map((table) => emulatorTableName({ table, project, environment })),
    scale: { isolation: 'tables', sharedAccount: SHARED, sasExpiry: EXPIRY, storageEngine: 'table-storage', cosmosThroughput: { mode: 'serverless' }, parallelism: 10 },
    ...overrides
  })
}

async function run(plan: Plan): Promise<{ outputs: Record<string, unknown>; values: Record<string, unknown> }> {
  const outputs = await sharedTables.createSharedTablesProgram(plan, CONTEXT)()
  const values: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(outputs)) values[key] = await resolved(value)
  await settled()
  return { outputs, values }
}

const ofType = (type: string) => resources.filter((r) => r.type === type)
const callsOf = (token: string) => calls.filter((c) => c.token === token)

/** Every string anywhere in the resolved outputs. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(strings)
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings)
  return []
}

describe('createSharedTablesProgram (shared key: table SAS)', () => {
  it("creates only the environment's tables, in the shared account, named by the per-environment rule", async () => {
    const plan = sharedPlan()
    await run(plan)
    expect(resources.map((r) => r.type)).toEqual(['azure-native:storage:Table', 'azure-native:storage:Table'])
    const tables = ofType('azure-native:storage:Table')
    expect(tables.map((t) => t.inputs.tableName)).toEqual(plan.tables)
    expect(plan.tables[0]).toMatch(/^eventspr42[0-9a-f]{16}$/)
    for (const t of tables) {
      expect(t.inputs).toMatchObject({ accountName: SHARED.name, resourceGroupName: SHARED.resourceGroupName })
      expect(t.inputs.tableName as string).toMatch(/^[A-Za-z][A-Za-z0-9]{2,62}$/)
    }
    // URNs carry the user's names.
    expect(tables.map((t) => t.name)).toEqual(['table-events', 'table-Snapshots'])
  })

  it('looks the shared account up and never registers, creates or changes it', async () => {
    await run(sharedPlan())
    expect(resources.filter((r) => !r.type.startsWith('azure-native:storage:Table'))).toEqual([])
    expect(ofType('azure-native:storage:StorageAccount')).toEqual([])
    expect(ofType('azure-native:resources:ResourceGroup')).toEqual([])
    expect(callsOf('azure-native:storage:getStorageAccount').map((c) => c.inputs)).toEqual([
      { accountName: SHARED.name, resourceGroupName: SHARED.resourceGroupName }
    ])
  })

  it('issues one table SAS per table: raud, https only, the fixed expiry, the canonical lowercase table resource', async () => {
    const plan = sharedPlan()
    await run(plan)
    const sasCalls = callsOf('azure-native:storage:listStorageAccountServiceSAS')
    expect(sasCalls).toHaveLength(plan.tables.length)
    const keyToSign = tableSas.signingKeyFor(plan.project, plan.environment)
    expect(sasCalls.map((c) => c.inputs)).toEqual(
      plan.tables.map((table) => ({
        accountName: SHARED.name,
        resourceGroupName: SHARED.resourceGroupName,
        canonicalizedResource: `/table/${SHARED.name}/${table.toLowerCase()}`,
        permissions: 'raud',
        protocols: 'https',
        sharedAccessExpiryTime: EXPIRY,
        keyToSign
      }))
    )
    // 'Snapshots' keeps its case in the table name, but is signed in lowercase.
    expect(plan.tables[1]).toMatch(/^S/)
    expect(sasCalls[1]!.inputs.canonicalizedResource).toBe(`/table/${SHARED.name}/${plan.tables[1]!.toLowerCase()}`)
  })

  it('never reads the account keys and lets no account key reach any output', async () => {
    const { values } = await run(sharedPlan())
    expect(callsOf('azure-native:storage:listStorageAccountKeys')).toEqual([])
    expect(calls.map((c) => c.token).filter((t) => /listStorageAccountSAS$|listStorageAccountKeys$/.test(t))).toEqual([])
    const all = strings(values)
    expect(all.length).toBeGreaterThan(5)
    for (const text of all) {
      expect(text).not.toContain(KEYS.key1)
      expect(text).not.toContain(KEYS.key2)
      expect(text).not.toMatch(/AccountKey=/i)
    }
    expect(values.accountKey).toBe('')
  })

  it('outputs a SAS connection string per table (the first one top-level), all secret', async () => {
    const plan = sharedPlan()
    const { outputs, values } = await run(plan)
    expect(Object.keys(outputs).sort()).toEqual(
      ['accountKey', 'connectionString', 'resourceGroupName', 'sharedAccessSignatures', 'storageAccountName', 'tableConnectionStrings', 'tableEndpoint', 'tableNames'].sort()
    )
    for (const key of ['connectionString', 'tableConnectionStrings', 'sharedAccessSignatures']) {
      expect(await pulumi.isSecret(outputs[key] as pulumi.Output<unknown>)).toBe(true)
    }
    for (const key of ['tableNames', 'storageAccountName', 'tableEndpoint']) {
      expect(await pulumi.isSecret(pulumi.output(outputs[key]))).toBe(false)
    }
    const byTable = values.tableConnectionStrings as Record<string, string>
    expect(Object.keys(byTable)).toEqual(plan.tables)
    expect(values.connectionString).toBe(byTable[plan.tables[0]!])
    const tokens = values.sharedAccessSignatures as Record<string, string>
    for (const table of plan.tables) {
      const cs = byTable[table]!
      expect(cs).toBe(`TableEndpoint=https://${SHARED.name}.table.core.windows.net;SharedAccessSignature=${tokens[table]}`)
      expect(tokens[table]).toContain(`tn=${table.toLowerCase()}`)
      expect(tokens[table]).toContain('sp=raud')
      // The action's own reader accepts it as a SAS connection string without a key.
      const parsed = parseConnectionString(cs)
      expect(parsed).toMatchObject({ accountKey: '', tableEndpoint: `https://${SHARED.name}.table.core.windows.net`, accountName: SHARED.name })
    }
    expect(byTable[plan.tables[0]!]).not.toBe(byTable[plan.tables[1]!])
    expect(values).toMatchObject({
      tableNames: plan.tables,
      storageAccountName: SHARED.name,
      resourceGroupName: SHARED.resourceGroupName,
      tableEndpoint: TABLE_ENDPOINT
    })
  })

  it('adds the table name to a SAS that came back without it', async () => {
    omitTableName = true
    const plan = sharedPlan()
    const { values } = await run(plan)
    const tokens = values.sharedAccessSignatures as Record<string, string>
    for (const table of plan.tables) expect(tokens[table]).toMatch(new RegExp(`&tn=${table.toLowerCase()}$`))
  })

  it('signs environments with key1 or key2 by a stable hash, spreading them over both keys', async () => {
    const seen = new Map<string, string>()
    for (let n = 1; n <= 40; n++) seen.set(`pr-${n}`, tableSas.signingKeyFor('event-store', `pr-${n}`))
    const counts = [...seen.values()].reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>())
    expect(counts.get('key1')).toBeGreaterThanOrEqual(10)
    expect(counts.get('key2')).toBeGreaterThanOrEqual(10)
    expect(tableSas.signingKeyFor('event-store', 'pr-7')).toBe(seen.get('pr-7'))
    // And the program uses exactly that key for every table of the environment.
    const env = [...seen.entries()].find(([, k]) => k === 'key2')![0]
    await run(sharedPlan({ environment: env }))
    expect(new Set(callsOf('azure-native:storage:listStorageAccountServiceSAS').map((c) => c.inputs.keyToSign))).toEqual(new Set(['key2']))
  })

  it.each([true, false])('sends protect=%s on every table', async (protect) => {
    await run(sharedPlan({ protect }))
    expect(resources).toHaveLength(2)
    for (const r of resources) expect(protectSent.get(r.name)).toBe(protect)
  })

  it('refuses a shared account with shared-key access off, naming the fix', async () => {
    accountExtra = { allowSharedKeyAccess: false }
    await expect(sharedTables.createSharedTablesProgram(sharedPlan(), CONTEXT)()).rejects.toThrow(/shared-key access turned off.*auth: entra/)
    expect(callsOf('azure-native:storage:listStorageAccountServiceSAS')).toEqual([])
    expect(resources).toEqual([])
  })

  it("refuses an expiry the shared account's SAS policy would block", async () => {
    accountExtra = { sasPolicy: { expirationAction: 'Block', sasExpirationPeriod: '30.00:00:00' } }
    await expect(sharedTables.createSharedTablesProgram(sharedPlan(), CONTEXT)()).rejects.toThrow(/blocks SAS valid longer than 30\.00:00:00/)
    expect(resources).toEqual([])
  })

  it('accepts an expiry within a blocking SAS policy, and a policy that only logs', async () => {
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z')
    accountExtra = { sasPolicy: { expirationAction: 'Block', sasExpirationPeriod: '30.00:00:00' } }
    await expect(run(sharedPlan({ scale: { ...sharedPlan().scale, sasExpiry: soon } }))).resolves.toBeDefined()
    accountExtra = { sasPolicy: { expirationAction: 'Log', sasExpirationPeriod: '1.00:00:00' } }
    await expect(run(sharedPlan())).resolves.toBeDefined()
  })

  it('fails clearly without the shared account or the expiry in the plan', async () => {
    const base = sharedPlan()
    await expect(sharedTables.createSharedTablesProgram({ ...base, scale: { ...base.scale, sharedAccount: undefined } }, CONTEXT)()).rejects.toThrow(/shared-account-name/)
    await expect(sharedTables.createSharedTablesProgram({ ...base, scale: { ...base.scale, sasExpiry: undefined } }, CONTEXT)()).rejects.toThrow(/sas-expiry/)
  })
})

describe('createSharedTablesProgram with auth entra', () => {
  const entra = (overrides: Partial<Plan> = {}) => sharedPlan({ auth: 'entra', principalId: PRINCIPAL, ...overrides })

  it("assigns 'Storage Table Data Contributor' on each table, never on the account, with stable names", async () => {
    const plan = entra()
    await run(plan)
    const assignments = ofType('azure-native:authorization:RoleAssignment')
    expect(assignments).toHaveLength(plan.tables.length)
    plan.tables.forEach((table, i) => {
      const scope = `${ACCOUNT_ID}/tableServices/default/tables/${table}`
      expect(assignments[i]!.inputs).toEqual({
        scope,
        principalId: PRINCIPAL,
        principalType: 'ServicePrincipal',
        roleDefinitionId: ROLE_DEFINITION,
        roleAssignmentName: common.roleAssignmentGuid(scope, PRINCIPAL, ROLE_DEFINITION)
      })
    })
    expect(assignments.map((a) => a.inputs.scope)).not.toContain(ACCOUNT_ID)
    expect(new Set(assignments.map((a) => a.inputs.roleAssignmentName)).size).toBe(plan.tables.length)
  })

  it('issues no SAS, reads no key, and outputs no credential', async () => {
    const { outputs, values } = await run(entra())
    expect(calls.map((c) => c.token)).toEqual(['azure-native:storage:getStorageAccount'])
    expect(values).toMatchObject({ connectionString: '', accountKey: '', tableConnectionStrings: {}, sharedAccessSignatures: {}, tableEndpoint: TABLE_ENDPOINT })
    expect(Object.keys(outputs)).toContain('tableNames')
  })

  it('works on a shared account with shared-key access off', async () => {
    accountExtra = { allowSharedKeyAccess: false }
    await expect(run(entra())).resolves.toBeDefined()
  })

  it.each([true, false])('protects tables and role assignments alike (protect=%s)', async (protect) => {
    await run(entra({ protect }))
    expect(resources).toHaveLength(4)
    for (const r of resources) expect(protectSent.get(r.name)).toBe(protect)
  })

  it('without principal-id creates the tables and no role assignment', async () => {
    await run(sharedPlan({ auth: 'entra' }))
    expect(ofType('azure-native:authorization:RoleAssignment')).toHaveLength(0)
    expect(ofType('azure-native:storage:Table')).toHaveLength(2)
  })
})

describe('shared-tables helpers', () => {
  it('reads a SAS expiration period', () => {
    expect(sharedTables.sasPeriodMs('1.00:00:00')).toBe(86_400_000)
    expect(sharedTables.sasPeriodMs('0.12:30:15')).toBe(((12 * 60 + 30) * 60 + 15) * 1000)
    expect(sharedTables.sasPeriodMs('soon')).toBeUndefined()
  })

  it('builds SAS connection strings and keeps an existing tn', () => {
    expect(tableSas.withTableName('?sv=1&tn=abc&sig=x', 'Other')).toBe('sv=1&tn=abc&sig=x')
    expect(tableSas.withTableName('sv=1&sig=x', 'Events')).toBe('sv=1&sig=x&tn=events')
    expect(tableSas.sasConnectionString('https://a.table.core.windows.net/', '?sv=1&sig=x')).toBe('TableEndpoint=https://a.table.core.windows.net;SharedAccessSignature=sv=1&sig=x')
    expect(tableSas.canonicalizedTableResource('acc', 'EventsPr42')).toBe('/table/acc/eventspr42')
  })
})

describe('selectProgram', () => {
  it('runs the shared-tables program for isolation tables, the Cosmos program for cosmos-table, and the default otherwise', async () => {
    const { selectProgram } = await import('../../src/programs/index.js')
    const typesFor = async (plan: Plan): Promise<string[]> => {
      reset()
      const outputs = await selectProgram(plan, CONTEXT)()
      for (const value of Object.values(outputs)) await resolved(value).catch(() => undefined)
      await settled()
      return [...new Set(resources.map((r) => r.type))].sort()
    }
    expect(await typesFor(sharedPlan())).toEqual(['azure-native:storage:Table'])
    const cosmosPlan = makePlan({ scale: { isolation: 'account', storageEngine: 'cosmos-table', cosmosThroughput: { mode: 'serverless' }, parallelism: 10 }, auth: 'entra' })
    expect(await typesFor(cosmosPlan)).toEqual(['azure-native:cosmosdb:DatabaseAccount', 'azure-native:cosmosdb:TableResourceTable', 'azure-native:resources:ResourceGroup'])
    expect(await typesFor(makePlan({ auth: 'entra' }))).toEqual(['azure-native:resources:ResourceGroup', 'azure-native:storage:StorageAccount', 'azure-native:storage:Table'])
  })
})
