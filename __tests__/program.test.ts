// Runs the real inline program with Pulumi's mocks: real SDKs, no CLI, no Azure.
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import * as pulumi from '@pulumi/pulumi'
import { MockMonitor } from '@pulumi/pulumi/runtime/mocks.js'
import type { Plan } from '../src/types.js'
import { makePlan } from './fixtures/plan.js'

const MOCK_KEY = 'bW9jay1rZXk=mock+key/=='
const TABLE_ENDPOINT = 'https://mockaccount.table.core.windows.net/'

interface Recorded {
  type: string
  name: string
  inputs: Record<string, unknown>
}

let resources: Recorded[] = []
let calls: { token: string; inputs: Record<string, unknown> }[] = []
/** protect as sent to the engine, by logical name; undefined when the request did not set it. */
let protectSent = new Map<string, boolean | undefined>()

// MockResourceArgs does not expose resource options, so read `protect` off the request the SDK sends.
type RegisterRequest = { getName(): string; hasProtect(): boolean; getProtect(): boolean | undefined }
const monitorPrototype = MockMonitor.prototype as unknown as {
  registerResource(req: RegisterRequest, callback: unknown): Promise<void>
}
const registerResource = monitorPrototype.registerResource
monitorPrototype.registerResource = function (this: unknown, req: RegisterRequest, callback: unknown) {
  protectSent.set(req.getName(), req.hasProtect() ? req.getProtect() : undefined)
  return registerResource.call(this, req, callback)
}

pulumi.runtime.setMocks(
  {
    newResource(args) {
      resources.push({ type: args.type, name: args.name, inputs: args.inputs })
      const state: Record<string, unknown> = { ...args.inputs }
      if (args.type === 'azure-native:resources:ResourceGroup') state.name = args.inputs.resourceGroupName
      if (args.type === 'azure-native:storage:StorageAccount') {
        state.name = args.inputs.accountName
        state.primaryEndpoints = { table: TABLE_ENDPOINT, blob: 'https://mockaccount.blob.core.windows.net/' }
      }
      if (args.type === 'azure-native:storage:Table') state.name = args.inputs.tableName
      return { id: `${args.name}-id`, state }
    },
    call(args) {
      calls.push({ token: args.token, inputs: args.inputs })
      if (args.token === 'azure-native:storage:listStorageAccountKeys') {
        return { keys: [{ keyName: 'key1', value: MOCK_KEY, permissions: 'FULL' }] }
      }
      throw new Error(`unexpected call ${args.token}`)
    }
  },
  'event-store',
  'pr-42',
  false
)

// ESM: the program module (and azure-native through it) must load after setMocks.
let createProgram: typeof import('../src/program.js').createProgram
beforeAll(async () => {
  ;({ createProgram } = await import('../src/program.js'))
})

beforeEach(() => {
  resources = []
  calls = []
  protectSent = new Map()
})

const CONTEXT = { repository: 'octo/app', commit: '0123456789abcdef0123456789abcdef01234567' }

function unwrap<T>(value: unknown): Promise<T> {
  return new Promise((resolve) => (value as pulumi.Output<T>).apply((v) => resolve(v)))
}

async function run(plan: Plan): Promise<Record<string, unknown>> {
  const outputs = await createProgram(plan, CONTEXT)()
  // Resolve every output so all registrations have reached the mocks.
  await Promise.all(Object.values(outputs).map((o) => unwrap(o)))
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
        `^DefaultEndpointsProtocol=https;AccountName=${plan.names.storageAccountName};AccountKey=${escape(MOCK_KEY)};EndpointSuffix=core\\.windows\\.net$`
      )
    )
    expect(await unwrap<string>(outputs.accountKey)).toBe(MOCK_KEY)

    expect(await pulumi.isSecret(outputs.storageAccountName as pulumi.Output<string>)).toBe(false)
    expect(await unwrap(outputs.storageAccountName)).toBe(plan.names.storageAccountName)
    expect(await unwrap(outputs.resourceGroupName)).toBe(plan.names.resourceGroupName)
    expect(await unwrap(outputs.tableNames)).toEqual(['events', 'snapshots'])
    expect(await unwrap(outputs.tableEndpoint)).toBe(TABLE_ENDPOINT)
    expect(Object.keys(outputs).sort()).toEqual(
      ['accountKey', 'connectionString', 'resourceGroupName', 'storageAccountName', 'tableEndpoint', 'tableNames'].sort()
    )
  })
})
