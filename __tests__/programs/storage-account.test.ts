// Runs the real inline program with Pulumi's mocks: real SDKs, no CLI, no Azure.
import * as common from '../../src/programs/common.js'
import { createHash } from 'node:crypto'
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import * as pulumi from '@pulumi/pulumi'
import type { Plan } from '../../src/types.js'
import { makePlan } from '../fixtures/plan.js'
import { installPulumiMocks, settled, unwrap } from '../fixtures/pulumi-mocks.js'

const MOCK_KEY = 'bW9jay1rZXk=mock+key/=='
const TABLE_ENDPOINT = 'https://mockaccount.table.core.windows.net/'
const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555'
const PRINCIPAL = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'
/** The documented naming rule, computed here independently: UUID v5 layout over sha1 of the lower-cased triple. */
const expectedAssignmentName = (scope: string, principal: string, role: string): string => {
  const b = createHash('sha1').update(`${scope}|${principal}|${role}`.toLowerCase()).digest().subarray(0, 16)
  b[6] = (b[6]! & 0x0f) | 0x50
  b[8] = (b[8]! & 0x3f) | 0x80
  const h = b.toString('hex')
  return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join('-')
}
const ROLE_DEFINITION = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3`
const accountId = (group: unknown, name: unknown): string =>
  `/subscriptions/${SUBSCRIPTION}/resourceGroups/${String(group)}/providers/Microsoft.Storage/storageAccounts/${String(name)}`

const { resources, calls, protectSent, reset } = installPulumiMocks({
  newResource(args, state) {
    if (args.type === 'azure-native:resources:ResourceGroup') state.name = args.inputs.resourceGroupName
    if (args.type === 'azure-native:storage:Table') state.name = args.inputs.tableName
    if (args.type !== 'azure-native:storage:StorageAccount') return {}
    state.name = args.inputs.accountName
    state.primaryEndpoints = { table: TABLE_ENDPOINT, blob: 'https://mockaccount.blob.core.windows.net/' }
    return { id: accountId(args.inputs.resourceGroupName, args.inputs.accountName) }
  },
  call(args) {
    if (args.token === 'azure-native:storage:listStorageAccountKeys') {
      return { keys: [{ keyName: 'key1', value: MOCK_KEY, permissions: 'FULL' }] }
    }
    throw new Error(`unexpected call ${args.token}`)
  }
})

// ESM: the program module (and azure-native through it) must load after setMocks.
let program: typeof import('../../src/programs/storage-account.js')
let createProgram: typeof program.createProgram
beforeAll(async () => {
  program = await import('../../src/programs/storage-account.js')
  createProgram = program.createProgram
})

beforeEach(reset)

const CONTEXT = { repository: 'octo/app', commit: '0123456789abcdef0123456789abcdef01234567' }


async function run(plan: Plan): Promise<Record<string, unknown>> {
  const outputs = await createProgram(plan, CONTEXT)()
  // Resolve every output, then wait for resources no output depends on (the role assignment).
  await Promise.all(Object.values(outputs).map((o) => unwrap(o)))
  await settled()
  return outputs
}

const ofType = (type: string) => resources.filter((r) => r.type === type)
const only = (type: string) => {
  const found = ofType(type)
  expect(found).toHaveLength(1)
  return found[0]!
}

describe('createProgram', () => {
  it('creates one resource group, one storage account and one table per plan table', async () => {
    const plan = makePlan({ tables: ['events', 'snapshots', 'projections'] })
    await run(plan)
    expect(resources.map((r) => r.type).sort()).toEqual([
      'azure-native:resources:ResourceGroup',
      'azure-native:storage:StorageAccount',
      'azure-native:storage:Table',
      'azure-native:storage:Table',
      'azure-native:storage:Table'
    ])
    const group = only('azure-native:resources:ResourceGroup')
    expect(group.inputs).toMatchObject({ resourceGroupName: plan.names.resourceGroupName, location: 'westeurope' })
    const tables = ofType('azure-native:storage:Table')
    expect(tables.map((t) => t.inputs.tableName)).toEqual(['events', 'snapshots', 'projections'])
    tables.forEach((t) => {
      expect(t.inputs.accountName).toBe(plan.names.storageAccountName)
      expect(t.inputs.resourceGroupName).toBe(plan.names.resourceGroupName)
    })
  })

  it('names the storage account explicitly and applies the secure defaults', async () => {
    const plan = makePlan({ sku: 'Standard_ZRS', location: 'northeurope' })
    await run(plan)
    const account = only('azure-native:storage:StorageAccount')
    expect(account.inputs.accountName).toBe(plan.names.storageAccountName)
    expect((account.inputs.accountName as string).length).toBeLessThanOrEqual(24)
    expect(account.inputs).toMatchObject({
      resourceGroupName: plan.names.resourceGroupName,
      location: 'northeurope',
      kind: 'StorageV2',
      sku: { name: 'Standard_ZRS' },
      minimumTlsVersion: 'TLS1_2',
      enableHttpsTrafficOnly: true,
      allowBlobPublicAccess: false
    })
  })

  it('tags with the four fixed tags, which user tags cannot override', async () => {
    const plan = makePlan({
      environment: 'feature/Add-Memory',
      tags: { team: 'payments', environment: 'spoofed', 'managed-by': 'someone-else', commit: 'x', repository: 'y' }
    })
    await run(plan)
    const expected = {
      team: 'payments',
      environment: 'feature/Add-Memory',
      repository: 'octo/app',
      commit: CONTEXT.commit,
      'managed-by': 'event-store-env-action'
    }
    expect(only('azure-native:storage:StorageAccount').inputs.tags).toEqual(expected)
    expect(only('azure-native:resources:ResourceGroup').inputs.tags).toEqual(expected)
  })

  it.each([true, false])('sends protect=%s on every resource', async (protect) => {
    await run(makePlan({ protect }))
    expect(resources).toHaveLength(4)
    for (const r of resources) expect(protectSent.get(r.name)).toBe(protect)
  })

  it('reads the keys from the account it created and returns secret, well-formed outputs', async () => {
    const plan = makePlan()
    const outputs = await run(plan)

    expect(calls).toEqual([
      {
        token: 'azure-native:storage:listStorageAccountKeys',
        inputs: { resourceGroupName: plan.names.resourceGroupName, accountName: plan.names.storageAccountName }
      }
    ])

    expect(await pulumi.isSecret(outputs.connectionString as pulumi.Output<string>)).toBe(true)
    expect(await pulumi.isSecret(outputs.accountKey as pulumi.Output<string>)).toBe(true)
    const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    expect(await unwrap<string>(outputs.connectionString)).toMatch(
      new RegExp(
        `^DefaultEndpointsProtocol=https;AccountName=${plan.names.storageAccountName};AccountKey=${escape(MOCK_KEY)};TableEndpoint=${escape(TABLE_ENDPOINT.replace(/\/$/, ''))}$`
      )
    )
    expect(await unwrap<string>(outputs.accountKey)).toBe(MOCK_KEY)

    expect(await pulumi.isSecret(outputs.storageAccountName as pulumi.Output<string>)).toBe(false)
    expect(await unwrap(outputs.storageAccountName)).toBe(plan.names.storageAccountName)
    expect(await unwrap(outputs.resourceGroupName)).toBe(plan.names.resourceGroupName)
    expect(await unwrap(outputs.tableNames)).toEqual(['events', 'snapshots'])
    expect(await unwrap(outputs.tableEndpoint)).toBe(TABLE_ENDPOINT)
    expect(Object.keys(outputs).sort()).toEqual(
      ['accountKey', 'connectionString', 'resourceGroupName', 'storageAccountName', 'tableEndpoint', 'tableNames', 'payloadContainerName', 'blobEndpoint', 'retentionLocked'].sort()
    )
  })
})

describe('createProgram with auth connection-string', () => {
  it('leaves shared-key access at its default and creates no role assignment', async () => {
    await run(makePlan({ auth: 'connection-string' }))
    expect(only('azure-native:storage:StorageAccount').inputs).not.toHaveProperty('allowSharedKeyAccess')
    expect(ofType('azure-native:authorization:RoleAssignment')).toHaveLength(0)
  })
})

describe('createProgram with auth entra', () => {
  const entra = (overrides: Partial<Plan> = {}): Plan => makePlan({ auth: 'entra', principalId: PRINCIPAL, ...overrides })

  it('turns shared-key access off and never reads the keys', async () => {
    await run(entra())
    expect(only('azure-native:storage:StorageAccount').inputs).toMatchObject({ allowSharedKeyAccess: false, minimumTlsVersion: 'TLS1_2' })
    expect(calls).toEqual([]) // no invoke at all, listStorageAccountKeys included
  })

  it('exports empty connection string and key, still as top-level outputs, and the table endpoint', async () => {
    const plan = entra()
    const outputs = await run(plan)
    expect(Object.keys(outputs).sort()).toEqual(
      ['accountKey', 'connectionString', 'resourceGroupName', 'storageAccountName', 'tableEndpoint', 'tableNames', 'payloadContainerName', 'blobEndpoint', 'retentionLocked'].sort()
    )
    expect(outputs.connectionString).toBe('')
    expect(outputs.accountKey).toBe('')
    expect(await unwrap(outputs.tableEndpoint)).toBe(TABLE_ENDPOINT)
    expect(await unwrap(outputs.storageAccountName)).toBe(plan.names.storageAccountName)
  })

  it("assigns 'Storage Table Data Contributor' to the principal on the account, with a stable name", async () => {
    const plan = entra()
    await run(plan)
    const assignment = only('azure-native:authorization:RoleAssignment')
    const scope = accountId(plan.names.resourceGroupName, plan.names.storageAccountName)
    expect(assignment.inputs).toEqual({
      scope,
      principalId: PRINCIPAL,
      principalType: 'ServicePrincipal',
      roleDefinitionId: ROLE_DEFINITION,
      roleAssignmentName: expectedAssignmentName(scope, PRINCIPAL, ROLE_DEFINITION)
    })
    expect(assignment.inputs.roleAssignmentName).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })

  it.each([true, false])('protects the role assignment like the rest (protect=%s)', async (protect) => {
    await run(entra({ protect }))
    expect(resources).toHaveLength(5)
    for (const r of resources) expect(protectSent.get(r.name)).toBe(protect)
  })

  it('without principal-id creates no role assignment', async () => {
    const plan = makePlan({ auth: 'entra' })
    const outputs = await run(plan)
    expect(ofType('azure-native:authorization:RoleAssignment')).toHaveLength(0)
    expect(only('azure-native:storage:StorageAccount').inputs.allowSharedKeyAccess).toBe(false)
    expect(outputs.connectionString).toBe('')
  })
})

describe('role assignment helpers', () => {
  it('reads the subscription off a resource id', () => {
    expect(common.roleDefinitionIdFor(accountId('rg', 'acc'), common.TABLE_DATA_CONTRIBUTOR_ROLE)).toBe(ROLE_DEFINITION)
    expect(() => common.roleDefinitionIdFor('storage-id', 'x')).toThrow(/subscription/)
  })

  it('names an assignment by scope, principal and role, ignoring case', () => {
    const scope = accountId('rg', 'acc')
    const name = common.roleAssignmentGuid(scope, PRINCIPAL, ROLE_DEFINITION)
    expect(common.roleAssignmentGuid(scope.toUpperCase(), PRINCIPAL.toUpperCase(), ROLE_DEFINITION)).toBe(name)
    expect(common.roleAssignmentGuid(accountId('rg', 'other'), PRINCIPAL, ROLE_DEFINITION)).not.toBe(name)
    expect(common.roleAssignmentGuid(scope, 'bbbbbbbb-bbbb-cccc-dddd-eeeeeeeeeeee', ROLE_DEFINITION)).not.toBe(name)
    expect(common.roleAssignmentGuid(scope, PRINCIPAL, ROLE_DEFINITION.replace('0a9a', '1a9a'))).not.toBe(name)
  })
})

describe('sharedKeyConnectionString', () => {
  it('takes the Table endpoint the account reports, and its scheme', async () => {
    const { sharedKeyConnectionString } = await import('../../src/programs/storage-account.js')
    expect(sharedKeyConnectionString('acct', 'https://acct.table.core.chinacloudapi.cn/', 'K==')).toBe(
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=K==;TableEndpoint=https://acct.table.core.chinacloudapi.cn'
    )
    expect(sharedKeyConnectionString('acct', 'http://127.0.0.1:10002/acct/', 'K')).toBe('DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=K;TableEndpoint=http://127.0.0.1:10002/acct')
    expect(() => sharedKeyConnectionString('acct', undefined, 'K')).toThrow(/no Table endpoint/)
  })
})
