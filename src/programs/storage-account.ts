// The inline Pulumi program: one resource group, one storage account, the plan's tables, and with
// auth entra a role assignment instead of shared keys.
// Deep imports of single azure-native files keep the other service modules out of the bundle.

import * as pulumi from '@pulumi/pulumi'
import type { ResourceGroup } from '@pulumi/azure-native/resources/resourceGroup.js'
import { listStorageAccountKeysOutput } from '@pulumi/azure-native/storage/listStorageAccountKeys.js'
import { StorageAccount } from '@pulumi/azure-native/storage/storageAccount.js'
import { Table } from '@pulumi/azure-native/storage/table.js'
import type { Plan } from '../types.js'
import { environmentGroup, grantDataRole, TABLE_DATA_CONTRIBUTOR_ROLE } from './common.js'
import { addPayloadResources } from './payloads.js'

/**
 * The account's own Table endpoint (primaryEndpoints.table), not a public-cloud suffix: right in every
 * Azure cloud (sovereign clouds have other suffixes) and for any endpoint the account reports.
 */
export function sharedKeyConnectionString(accountName: string, tableEndpoint: string | undefined, accountKey: string): string {
  if (!tableEndpoint) throw new Error(`storage account ${accountName} reports no Table endpoint; use a general-purpose v2 (StorageV2) account`)
  const protocol = /^http:/i.test(tableEndpoint) ? 'http' : 'https'
  return `DefaultEndpointsProtocol=${protocol};AccountName=${accountName};AccountKey=${accountKey};TableEndpoint=${tableEndpoint.replace(/\/+$/, '')}`
}

type Secrets = { connectionString: pulumi.Input<string>; accountKey: pulumi.Input<string> }

/** Shared-key mode: the key is read from the account we created, and both values stay secret. */
function sharedKeySecrets(plan: Plan, group: ResourceGroup, account: StorageAccount): Secrets {
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
    pulumi.all([account.name, account.primaryEndpoints, accountKey]).apply(([name, endpoints, key]) => sharedKeyConnectionString(name, endpoints.table, key))
  )
  return { connectionString, accountKey }
}

export function createProgram(
  plan: Plan,
  context: { repository: string; commit: string }
): () => Promise<Record<string, unknown>> {
  return async () => {
    const { options, tags, group } = environmentGroup(plan, context)
    const entra = plan.auth === 'entra'

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
        // entra: no shared keys at all, so there is no key or connection string to leak.
        ...(entra ? { allowSharedKeyAccess: false } : {}),
        tags
      },
      options
    )

    const tables = plan.tables.map(
      (tableName) =>
        new Table(`table-${tableName}`, { tableName, accountName: account.name, resourceGroupName: group.name }, options)
    )

    // Entra mode: the principal gets the data role on this account only.
    if (entra && plan.principalId) grantDataRole('table-data-contributor', account.id, plan.principalId, TABLE_DATA_CONTRIBUTOR_ROLE, options)
    const payloads = addPayloadResources({ plan, group, account, options })
    // Empty, but still top-level outputs: the engine reads the same shape in both modes.
    const secrets: Secrets = entra ? { connectionString: '', accountKey: '' } : sharedKeySecrets(plan, group, account)

    return {
      connectionString: secrets.connectionString,
      accountKey: secrets.accountKey,
      tableNames: pulumi.all(tables.map((table) => table.name)),
      storageAccountName: account.name,
      resourceGroupName: group.name,
      tableEndpoint: account.primaryEndpoints.apply((endpoints) => endpoints.table),
      ...payloads,
      retentionLocked: plan.payloads?.retentionLock === true
    }
  }
}
