// The payload, retention and diagnostics resources of the inline program, under Pulumi's mocks.
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import * as pulumi from '@pulumi/pulumi'
import type { Plan } from '../../src/types.js'
import { makePlan } from '../fixtures/plan.js'

const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555'
const PRINCIPAL = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'
const WORKSPACE = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/audit-logs`
const BLOB_ROLE = `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe`

interface Recorded {
  type: string
  name: string
  inputs: Record<string, unknown>
  id: string
}
let resources: Recorded[] = []

pulumi.runtime.setMocks(
  {
    newResource(args) {
      const state: Record<string, unknown> = { ...args.inputs }
      let id = `${args.name}-id`
      if (args.type === 'azure-native:resources:ResourceGroup') state.name = args.inputs.resourceGroupName
      if (args.type === 'azure-native:storage:StorageAccount') {
        state.name = args.inputs.accountName
        state.primaryEndpoints = { table: 'https://acct.table.core.windows.net/', blob: 'https://acct.blob.core.windows.net/' }
        id = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${String(args.inputs.resourceGroupName)}/providers/Microsoft.Storage/storageAccounts/${String(args.inputs.accountName)}`
      }
      if (args.type === 'azure-native:storage:BlobContainer') {
        state.name = args.inputs.containerName
        id = `/subscriptions/${SUBSCRIPTION}/resourceGroups/${String(args.inputs.resourceGroupName)}/providers/Microsoft.Storage/storageAccounts/${String(args.inputs.accountName)}/blobServices/default/containers/${String(args.inputs.containerName)}`
      }
      if (args.type === 'azure-native:storage:Table') state.name = args.inputs.tableName
      resources.push({ type: args.type, name: args.name, inputs: args.inputs, id })
      return { id, state }
    },
    call(args) {
      if (args.token === 'azure-native:storage:listStorageAccountKeys') return { keys: [{ keyName: 'key1', value: 'a2V5', permissions: 'FULL' }] }
      throw new Error(`unexpected call ${args.token}`)
    }
  },
  'event-store',
  'pr-42',
  false
)

let createProgram: typeof import('../../src/programs/storage-account.js').createProgram
beforeAll(async () => {
  createProgram = (await import('../../src/programs/storage-account.js')).createProgram
})
beforeEach(() => {
  resources = []
})

const settings = (await import('@pulumi/pulumi/runtime/settings.js')) as unknown as { waitForRPCs(): Promise<void> }
const unwrap = <T>(value: unknown): Promise<T> => new Promise((resolve) => pulumi.output(value as pulumi.Input<T>).apply((v) => resolve(v as T)))

async function run(plan: Plan): Promise<Record<string, unknown>> {
  const outputs = await createProgram(plan, { repository: 'octo/app', commit: 'abc' })()
  const resolved: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(outputs)) resolved[key] = await unwrap(value)
  await settings.waitForRPCs()
  return resolved
}
const ofType = (type: string): Recorded[] => resources.filter((r) => r.type === type)

describe('payload resources', () => {
  it('adds nothing and empty outputs when payloads and diagnostics are off', async () => {
    const outputs = await run(makePlan())
    expect(resources.map((r) => r.type).filter((t) => /Blob|Diagnostic|RoleAssignment/.test(t))).toEqual([])
    expect(outputs).toMatchObject({ payloadContainerName: '', blobEndpoint: '', retentionLocked: false })
  })

  it('payloads: a private container in the environment account, and its name and blob endpoint as outputs', async () => {
    const plan = makePlan({ payloads: { enabled: true, retentionLock: false } })
    const outputs = await run(plan)
    const [container] = ofType('azure-native:storage:BlobContainer')
    expect(container?.inputs).toEqual({
      containerName: 'payloads',
      accountName: plan.names.storageAccountName,
      resourceGroupName: plan.names.resourceGroupName,
      publicAccess: 'None'
    })
    expect(ofType('azure-native:storage:BlobContainerImmutabilityPolicy')).toEqual([])
    expect(outputs).toMatchObject({ payloadContainerName: 'payloads', blobEndpoint: 'https://acct.blob.core.windows.net' })
  })

  it('retention-days: an unlocked time-based policy named default, with protected append writes', async () => {
    const plan = makePlan({ protect: true, payloads: { enabled: true, retentionDays: 183, retentionLock: true } })
    const outputs = await run(plan)
    const policies = ofType('azure-native:storage:BlobContainerImmutabilityPolicy')
    expect(policies).toHaveLength(1)
    expect(policies[0]!.inputs).toEqual({
      immutabilityPolicyName: 'default',
      containerName: 'payloads',
      accountName: plan.names.storageAccountName,
      resourceGroupName: plan.names.resourceGroupName,
      immutabilityPeriodSinceCreationInDays: 183,
      allowProtectedAppendWrites: true
    })
    expect(policies[0]!.inputs).not.toHaveProperty('allowProtectedAppendWritesAll')
    expect(outputs.retentionLocked).toBe(true)
  })

  it('entra: Storage Blob Data Contributor on the payload container only', async () => {
    await run(makePlan({ auth: 'entra', principalId: PRINCIPAL, payloads: { enabled: true, retentionLock: false } }))
    const container = ofType('azure-native:storage:BlobContainer')[0]!
    const blobGrant = ofType('azure-native:authorization:RoleAssignment').filter((r) => r.inputs.roleDefinitionId === BLOB_ROLE)
    expect(blobGrant).toHaveLength(1)
    expect(blobGrant[0]!.inputs).toMatchObject({ scope: container.id, principalId: PRINCIPAL, principalType: 'ServicePrincipal' })
    expect(String(blobGrant[0]!.inputs.scope)).toMatch(/\/blobServices\/default\/containers\/payloads$/)
  })

  it('diagnostics: read, write and delete logs and transaction metrics for tables, and blobs with payloads', async () => {
    const plan = makePlan({ payloads: { enabled: true, retentionLock: false, diagnosticsWorkspaceId: WORKSPACE } })
    await run(plan)
    const account = ofType('azure-native:storage:StorageAccount')[0]!
    const diagnostics = ofType('azure-native:monitor:DiagnosticSetting')
    expect(diagnostics.map((d) => d.inputs.resourceUri).sort()).toEqual([`${account.id}/blobServices/default`, `${account.id}/tableServices/default`])
    for (const d of diagnostics) {
      expect(d.inputs).toMatchObject({
        workspaceId: WORKSPACE,
        logs: [
          { category: 'StorageRead', enabled: true },
          { category: 'StorageWrite', enabled: true },
          { category: 'StorageDelete', enabled: true }
        ],
        metrics: [{ category: 'Transaction', enabled: true }]
      })
    }
  })

  it('diagnostics without payloads cover the table service only', async () => {
    await run(makePlan({ payloads: { enabled: false, retentionLock: false, diagnosticsWorkspaceId: WORKSPACE } }))
    const diagnostics = ofType('azure-native:monitor:DiagnosticSetting')
    expect(diagnostics.map((d) => String(d.inputs.resourceUri).split('/').slice(-2).join('/'))).toEqual(['tableServices/default'])
    expect(ofType('azure-native:storage:BlobContainer')).toEqual([])
  })
})
