// The inline Pulumi program: one resource group, one storage account, the plan's tables.
// Deep imports of single azure-native files keep the other service modules out of the bundle.

import * as pulumi from '@pulumi/pulumi'
import { ResourceGroup } from '@pulumi/azure-native/resources/resourceGroup.js'
import { listStorageAccountKeysOutput } from '@pulumi/azure-native/storage/listStorageAccountKeys.js'
import { StorageAccount } from '@pulumi/azure-native/storage/storageAccount.js'
import { Table } from '@pulumi/azure-native/storage/table.js'
import type { Plan } from './types.js'

export const MANAGED_BY = 'event-store-env-action'

const TAG_VALUE_MAX = 256

/** User tags first, ours last: the four fixed tags are what cleanup and audits rely on. */
function resourceTags(plan: Plan, context: { repository: string; commit: string }): Record<string, string> {
  return {
    ...plan.tags,
    environment: plan.environment.slice(0, TAG_VALUE_MAX),
    repository: context.repository.slice(0, TAG_VALUE_MAX),
    commit: context.commit.slice(0, TAG_VALUE_MAX),
    'managed-by': MANAGED_BY
  }
}

export function createProgram(
  plan: Plan,
  context: { repository: string; commit: string }
): () => Promise<Record<string, unknown>> {
  return async () => {
    const options: pulumi.CustomResourceOptions = { protect: plan.protect }
    const tags = resourceTags(plan, context)

    const group = new ResourceGroup(
      'resource-group',
      { resourceGroupName: plan.names.resourceGroupName, location: plan.location, tags },
      options
    )

    const account = new StorageAccount(
      'storage',
      {
        // Explicit name: no auto-name suffix, and the name is known before deploy.
        accountName: plan.names.storageAccountName,
        resourceGroupName: group.name,
        location: plan.location,
        kind: 'StorageV2',
        sku: { name: plan.sku },
        minimumTlsVersion: 'TLS1_2',
        enableHttpsTrafficOnly: true,
        allowBlobPublicAccess: false,
        tags
      },
      options
    )

    const tables = plan.tables.map(
      (tableName) =>
        new Table(`table-${tableName}`, { tableName, accountName: account.name, resourceGroupName: group.name }, options)
    )

    // Outputs of the account as inputs: the keys are read only once the account exists.
    const keys = listStorageAccountKeysOutput({ resourceGroupName: group.name, accountName: account.name })
    const accountKey = pulumi.secret(
      keys.keys.apply((list) => {
        const value = list[0]?.value
        if (!value) throw new Error(`storage account ${plan.names.storageAccountName} returned no access key`)
        return value
      })
    )
    const connectionString = pulumi.secret(
      pulumi.interpolate`DefaultEndpointsProtocol=https;AccountName=${account.name};AccountKey=${accountKey};EndpointSuffix=core.windows.net`
    )

    return {
      connectionString,
      accountKey,
      tableNames: pulumi.all(tables.map((table) => table.name)),
      storageAccountName: account.name,
      resourceGroupName: group.name,
      tableEndpoint: account.primaryEndpoints.apply((endpoints) => endpoints.table)
    }
  }
}
