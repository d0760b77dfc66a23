// The cosmos-table program under Pulumi's mocks: real SDKs, no CLI, no Azure.
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import * as pulumi from '@pulumi/pulumi'
import { parseConnectionString } from '../../src/tables/connection-string.js'
import type { CosmosThroughput, Plan } from '../../src/types.js'
import { makePlan } from '../fixtures/plan.js'
import { installPulumiMocks, settled } from '../fixtures/pulumi-mocks.js'

const PRIMARY_KEY = 'cHJpbWFyeS1jb3Ntb3Mta2V5LWZvci10ZXN0cw+/=='
const SECONDARY_KEY = 'c2Vjb25kYXJ5LWNvc21vcy1rZXk='
const READONLY_KEY = 'cmVhZC1vbmx5LWNvc21vcy1rZXk='
const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555'

/** The account's connection strings as the mock lists them; replaced per test. */
let listed: (account: string) => { connectionString: string; description: string; keyKind: string; type: string }[]

const tableCs = (account: string, key: string) =>
  `DefaultEndpointsProtocol=https;AccountName=${account};AccountKey=${key};TableEndpoint=https://${account}.table.cosmos.azure.com:443/;`
const defaultListed = (account: string) => [
  { connectionString: `AccountEndpoint=https://${account}.documents.azure.com:443/;AccountKey=${PRIMARY_KEY};`, description: 'Primary SQL Connection String', keyKind: 'Primary', type: 'Sql' },
  { connectionString: tableCs(account, SECONDARY_KEY), description: 'Secondary Table Connection String', keyKind: 'Secondary', type: 'Table' },
  { connectionString: tableCs(account, READONLY_KEY), description: 'Primary Read-Only Table Connection String', keyKind: 'PrimaryReadonly', type: 'Table' },
  { connectionString: tableCs(account, PRIMARY_KEY), description: 'Primary Table Connection String', keyKind: 'Primary', type: 'Table' }
]

const { resources, calls, protectSent, reset } = installPulumiMocks({
  newResource(args, state) {
    if (args.type === 'azure-native:resources:ResourceGroup') state.name = args.inputs.resourceGroupName
    if (args.type === 'azure-native:cosmosdb:TableResourceTable') state.name = args.inputs.tableName
    if (args.type !== 'azure-native:cosmosdb:DatabaseAccount') return {}
    state.name = args.inputs.accountName
    state.documentEndpoint = `https://${String(args.inputs.accountName)}.documents.azure.com:443/`
    return { id: `/subscriptions/${SUBSCRIPTION}/resourceGroups/${String(args.inputs.resourceGroupName)}/providers/Microsoft.DocumentDB/databaseAccounts/${String(args.inputs.accountName)}` }
  },
  call(args) {
    if (args.token === 'azure-native:cosmosdb:listDatabaseAccountKeys') {
      return { primaryMasterKey: PRIMARY_KEY, secondaryMasterKey: SECONDARY_KEY, primaryReadonlyMasterKey: READONLY_KEY, secondaryReadonlyMasterKey: READONLY_KEY }
    }
    if (args.token === 'azure-native:cosmosdb:listDatabaseAccountConnectionStrings') {
      return { connectionStrings: listed(String(args.inputs.accountName)) }
    }
    throw new Error(`unexpected call ${args.token}`)
  }
})

let cosmos: typeof import('../../src/programs/cosmos.js')
let naming: typeof import('../../src/plan/naming.js')
beforeAll(async () => {
  cosmos = await import('../../src/programs/cosmos.js')
  naming = await import('../../src/plan/naming.js')
})

beforeEach(() => {
  reset()
  listed = defaultListed
})

const CONTEXT = { repository: 'octo/app', commit: '0123456789abcdef0123456789abcdef01234567' }

function resolved<T>(value: unknown): Promise<T> {
  return (pulumi.output(value as pulumi.Input<T>) as unknown as { promise(): Promise<T> }).promise()
}

function cosmosPlan(throughput: CosmosThroughput = { mode: 'serverless' }, overrides: Partial<Plan> = {}): Plan {
  return makePlan({
    scale: { isolation: 'account', storageEngine: 'cosmos-table', cosmosThroughput: throughput, parallelism: 10 },
    ...overrides
  })
}

async function run(plan: Plan): Promise<{ outputs: Record<string, unknown>; values: Record<string, unknown> }> {
  const outputs = await cosmos.createCosmosTableProgram(plan, CONTEXT)()
  const values: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(outputs)) values[key] = await resolved(value)
  await settled()
  return { outputs, values }
}

const ofType = (type: string) => resources.filter((r) => r.type === type)
const only = (type: string) => {
  const found = ofType(type)
  expect(found).toHaveLength(1)
  return found[0]!
}
const expectedName = (plan: Plan) => naming.cosmosAccountName({ project: plan.project, environment: plan.environment, repository: CONTEXT.repository })

describe('createCosmosTableProgram', () => {
  it('creates a resource group, one Cosmos DB account with the Table capability, and the tables', async () => {
    const plan = cosmosPlan({ mode: 'serverless' }, { tables: ['events', 'snapshots', 'projections'], logicalTables: ['events', 'snapshots', 'projections'] })
    await run(plan)
    expect(resources.map((r) => r.type).sort()).toEqual([
      'azure-native:cosmosdb:DatabaseAccount',
      'azure-native:cosmosdb:TableResourceTable',
      'azure-native:cosmosdb:TableResourceTable',
      'azure-native:cosmosdb:TableResourceTable',
      'azure-native:resources:ResourceGroup'
    ])
    expect(only('azure-native:resources:ResourceGroup').inputs).toMatchObject({ resourceGroupName: plan.names.resourceGroupName, location: 'westeurope' })
    const account = only('azure-native:cosmosdb:DatabaseAccount')
    expect(account.inputs).toMatchObject({
      accountName: expectedName(plan),
      resourceGroupName: plan.names.resourceGroupName,
      location: 'westeurope',
      kind: 'GlobalDocumentDB',
      databaseAccountOfferType: 'Standard',
      capabilities: [{ name: 'EnableTable' }, { name: 'EnableServerless' }],
      locations: [{ locationName: 'westeurope', failoverPriority: 0, isZoneRedundant: false }],
      minimalTlsVersion: 'Tls12',
      disableLocalAuth: false
    })
    const tables = ofType('azure-native:cosmosdb:TableResourceTable')
    expect(tables.map((t) => t.inputs.tableName)).toEqual(['events', 'snapshots', 'projections'])
    for (const t of tables) {
      expect(t.inputs).toMatchObject({ accountName: expectedName(plan), resourceGroupName: plan.names.resourceGroupName, resource: { id: t.inputs.tableName } })
      // Serverless: no throughput on the table.
      expect(t.inputs).not.toHaveProperty('options')
    }
  })

  it.each<[CosmosThroughput, Record<string, unknown>]>([
    [{ mode: 'provisioned', ru: 400 }, { throughput: 400 }],
    [{ mode: 'autoscale', maxRu: 4000 }, { autoscaleSettings: { maxThroughput: 4000 } }]
  ])('sets %j throughput on every table and leaves serverless off', async (throughput, expected) => {
    await run(cosmosPlan(throughput))
    expect(only('azure-native:cosmosdb:DatabaseAccount').inputs.capabilities).toEqual([{ name: 'EnableTable' }])
    const tables = ofType('azure-native:cosmosdb:TableResourceTable')
    expect(tables).toHaveLength(2)
    for (const t of tables) expect(t.inputs.options).toEqual(expected)
  })

  it('tags the group and the account with the four fixed tags, which user tags cannot override', async () => {
    const plan = cosmosPlan({ mode: 'serverless' }, { tags: { team: 'payments', 'managed-by': 'someone-else' } })
    await run(plan)
    const expected = { team: 'payments', environment: 'pr-42', repository: 'octo/app', commit: CONTEXT.commit, 'managed-by': 'event-store-env-action' }
    expect(only('azure-native:cosmosdb:DatabaseAccount').inputs.tags).toEqual(expected)
    expect(only('azure-native:resources:ResourceGroup').inputs.tags).toEqual(expected)
  })

  it.each([true, false])('sends protect=%s on every resource', async (protect) => {
    await run(cosmosPlan({ mode: 'serverless' }, { protect }))
    expect(resources).toHaveLength(4)
    for (const r of resources) expect(protectSent.get(r.name)).toBe(protect)
  })

  it('outputs the primary Table API connection string and key, both secret, with the usual output names', async () => {
    const plan = cosmosPlan()
    const name = expectedName(plan)
    const { outputs, values } = await run(plan)
    expect(Object.keys(outputs).sort()).toEqual(['accountKey', 'connectionString', 'resourceGroupName', 'storageAccountName', 'tableEndpoint', 'tableNames'].sort())
    expect(await pulumi.isSecret(outputs.connectionString as pulumi.Output<string>)).toBe(true)
    expect(await pulumi.isSecret(outputs.accountKey as pulumi.Output<string>)).toBe(true)
    expect(await pulumi.isSecret(pulumi.output(outputs.tableEndpoint))).toBe(false)
    expect(values.connectionString).toBe(tableCs(name, PRIMARY_KEY))
    expect(values.accountKey).toBe(PRIMARY_KEY)
    expect(values).toMatchObject({
      tableNames: ['events', 'snapshots'],
      storageAccountName: name,
      resourceGroupName: plan.names.resourceGroupName,
      tableEndpoint: `https://${name}.table.cosmos.azure.com:443/`
    })
    // The action's reader (and so verify) takes it as it is.
    expect(parseConnectionString(values.connectionString as string)).toMatchObject({
      accountName: name,
      accountKey: PRIMARY_KEY,
      tableEndpoint: `https://${name}.table.cosmos.azure.com`
    })
    const expectedArgs = { resourceGroupName: plan.names.resourceGroupName, accountName: name }
    expect(calls.map((c) => c.token).sort()).toEqual(['azure-native:cosmosdb:listDatabaseAccountConnectionStrings', 'azure-native:cosmosdb:listDatabaseAccountKeys'])
    for (const c of calls) expect(c.inputs).toEqual(expectedArgs)
  })

  it('picks the Table string by kind and type when the description wording differs', async () => {
    listed = (account) => defaultListed(account).map((c) => ({ ...c, description: c.description.replace('Connection String', 'connection string (new)') }))
    const plan = cosmosPlan()
    const { values } = await run(plan)
    expect(values.connectionString).toBe(tableCs(expectedName(plan), PRIMARY_KEY))
  })

  it('fails without echoing a value when no primary Table connection string is listed', () => {
    expect(() => cosmos.pickTableConnectionString(defaultListed('acc').filter((c) => c.keyKind !== 'Primary' || c.type !== 'Table'), 'acc')).toThrow(
      /listed no primary Table connection string \(found: Primary SQL Connection String, Secondary Table Connection String, Primary Read-Only Table Connection String\)/
    )
    try {
      cosmos.pickTableConnectionString(defaultListed('acc').slice(0, 1), 'acc')
    } catch (error) {
      expect(String(error)).not.toContain(PRIMARY_KEY)
    }
  })

  it('with auth entra turns local auth off and reads no key', async () => {
    const { values } = await run(cosmosPlan({ mode: 'serverless' }, { auth: 'entra', principalId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' }))
    expect(only('azure-native:cosmosdb:DatabaseAccount').inputs.disableLocalAuth).toBe(true)
    expect(calls).toEqual([])
    expect(values.connectionString).toBe('')
    expect(values.accountKey).toBe('')
  })
})

describe('cosmosAccountName', () => {
  const cases = [
    { project: 'event-store', environment: 'pr-42', repository: 'octo/app' },
    { project: 'event-store', environment: 'feature/Add-Memory', repository: 'octo/app' },
    { project: 'a', environment: 'b', repository: 'r' },
    { project: 'x'.repeat(100), environment: 'y'.repeat(200), repository: 'octo/app' },
    { project: '___', environment: '日本語', repository: 'octo/app' },
    { project: 'Event.Store_v2', environment: '--Release--1.0--', repository: 'octo/app' },
    { project: 'event-store', environment: 'a'.repeat(32) + '-' + 'b', repository: 'octo/app' }
  ]

  it.each(cases)('is a valid Cosmos account name: %j', (args) => {
    const name = naming.cosmosAccountName(args)
    expect(name.length).toBeGreaterThanOrEqual(3)
    expect(name.length).toBeLessThanOrEqual(44)
    expect(name).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/)
    expect(name).toMatch(naming.COSMOS_ACCOUNT_NAME)
    expect(name).not.toContain('--')
  })

  it('is readable, stable, and distinct across repositories, projects and environments', () => {
    const base = { project: 'event-store', environment: 'pr-42', repository: 'octo/app' }
    const name = naming.cosmosAccountName(base)
    expect(name).toMatch(/^event-store-pr-42-[0-9a-f]{16}$/)
    expect(naming.cosmosAccountName(base)).toBe(name)
    expect(naming.cosmosAccountName({ ...base, repository: 'other/app' })).not.toBe(name)
    expect(naming.cosmosAccountName({ ...base, environment: 'PR-42' })).not.toBe(name)
    expect(naming.cosmosAccountName({ ...base, project: 'event-store2' })).not.toBe(name)
  })
})
