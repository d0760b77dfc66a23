// The opt-in resources for AI event logs in the environment's own account: a claim-check container for
// payloads too big for a table entity, its time-based immutability policy, a data role scoped to the
// container, and diagnostic settings that send who-read-or-changed-what to Log Analytics.
// Deep imports of single azure-native files keep the other service modules out of the bundle.
import * as pulumi from '@pulumi/pulumi'
import { DiagnosticSetting } from '@pulumi/azure-native/monitor/diagnosticSetting.js'
import type { ResourceGroup } from '@pulumi/azure-native/resources/resourceGroup.js'
import { BlobContainer } from '@pulumi/azure-native/storage/blobContainer.js'
import { BlobContainerImmutabilityPolicy } from '@pulumi/azure-native/storage/blobContainerImmutabilityPolicy.js'
import type { StorageAccount } from '@pulumi/azure-native/storage/storageAccount.js'
import { PAYLOAD_CONTAINER } from '../inputs/payloads.js'
import { grantDataRole } from './common.js'
import type { Plan } from '../types.js'

/** Built-in role "Storage Blob Data Contributor" (the same id in every tenant). */
export const BLOB_DATA_CONTRIBUTOR_ROLE = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
export const DIAGNOSTIC_SETTING_NAME = 'event-store-audit'
export const AUDIT_LOG_CATEGORIES = ['StorageRead', 'StorageWrite', 'StorageDelete'] as const

export interface PayloadOutputs {
  payloadContainerName: pulumi.Input<string>
  blobEndpoint: pulumi.Input<string>
}

type Parent = { plan: Plan; group: ResourceGroup; account: StorageAccount; options: pulumi.CustomResourceOptions }

/** Adds the plan's payload and diagnostics resources; the outputs are empty strings when payloads is off. */
export function addPayloadResources({ plan, group, account, options }: Parent): PayloadOutputs {
  const settings = plan.payloads
  if (settings?.diagnosticsWorkspaceId) {
    addDiagnostics(account, settings.diagnosticsWorkspaceId, settings.enabled ? ['tableServices', 'blobServices'] : ['tableServices'], options)
  }
  if (!settings?.enabled) return { payloadContainerName: '', blobEndpoint: '' }

  const container = new BlobContainer(
    'payload-container',
    // Private: payloads are read with the connection string or the container-scoped role only.
    { containerName: PAYLOAD_CONTAINER, accountName: account.name, resourceGroupName: group.name, publicAccess: 'None' },
    options
  )
  if (settings.retentionDays !== undefined) {
    new BlobContainerImmutabilityPolicy(
      'payload-retention',
      {
        immutabilityPolicyName: 'default',
        containerName: container.name,
        accountName: account.name,
        resourceGroupName: group.name,
        immutabilityPeriodSinceCreationInDays: settings.retentionDays,
        // Append blobs (a growing completion stream) may gain blocks; existing blocks stay immutable.
        allowProtectedAppendWrites: true
      },
      // azure-native has no lock operation; once locked by hand, deleting the policy is refused anyway.
      { ...options, parent: container }
    )
  }
  // Storage Blob Data Contributor on this container only, never the account.
  if (plan.auth === 'entra' && plan.principalId) grantDataRole('payload-blob-data-contributor', container.id, plan.principalId, BLOB_DATA_CONTRIBUTOR_ROLE, options)
  return {
    payloadContainerName: container.name,
    blobEndpoint: account.primaryEndpoints.apply((endpoints) => (endpoints.blob ?? '').replace(/\/+$/, ''))
  }
}

/** One setting per service: read, write and delete logs plus transaction metrics to the workspace. */
function addDiagnostics(account: StorageAccount, workspaceId: string, services: string[], options: pulumi.CustomResourceOptions): void {
  for (const service of services) {
    new DiagnosticSetting(
      `diagnostics-${service}`,
      {
        name: DIAGNOSTIC_SETTING_NAME,
        resourceUri: pulumi.interpolate`${account.id}/${service}/default`,
        workspaceId,
        logs: AUDIT_LOG_CATEGORIES.map((category) => ({ category, enabled: true })),
        metrics: [{ category: 'Transaction', enabled: true }]
      },
      options
    )
  }
}
