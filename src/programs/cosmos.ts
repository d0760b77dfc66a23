// The inline Pulumi program for engine `cosmos-table`: a resource group, a Cosmos DB account with the Table
// capability, and the plan's tables, with the same outputs as the Table Storage program so everything after
// the engine (verify, outputs, masking) is unchanged.
import * as pulumi from '@pulumi/pulumi'
import { DatabaseAccount } from '@pulumi/azure-native/cosmosdb/databaseAccount.js'
import { listDatabaseAccountConnectionStringsOutput } from '@pulumi/azure-native/cosmosdb/listDatabaseAccountConnectionStrings.js'
import { listDatabaseAccountKeysOutput } from '@pulumi/azure-native/cosmosdb/listDatabaseAccountKeys.js'
import { TableResourceTable } from '@pulumi/azure-native/cosmosdb/tableResourceTable.js'
import { environmentGroup } from './common.js'
import type { CosmosThroughput, Plan } from '../types.js'
import { cosmosAccountName } from '../plan/naming.js'

/** Per-table throughput: nothing on a serverless account (it has no provisioned throughput). */
export function tableThroughputOptions(throughput: CosmosThroughput): { throughput: number } | { autoscaleSettings: { maxThroughput: number } } | undefined {
  switch (throughput.mode) {
    case 'serverless':
      return undefined
    case 'provisioned':
      return { throughput: throughput.ru }
    case 'autoscale':
      return { autoscaleSettings: { maxThroughput: throughput.maxRu } }
  }
}

export function cosmosTableEndpoint(accountName: string): string {
  return `https://${accountName}.table.cosmos.azure.com:443/`
}

interface ListedConnectionString {
  connectionString: string
  description: string
  keyKind?: string
  type?: string
}

/**
 * The read-write Table API connection string among those the account lists (the list also holds SQL and
 * read-only ones). Chosen by its description, 'Primary Table Connection String'; by kind and type if that
 * wording ever changes. Nothing is echoed on failure: the values are secrets.
 */
export function pickTableConnectionString(list: ListedConnectionString[] | undefined, accountName: string): string {
  const all = list ?? []
  const found =
    all.find((c) => c.description.trim().toLowerCase() === 'primary table connection string') ??
    all.find((c) => c.type?.toLowerCase() === 'table' && c.keyKind?.toLowerCase() === 'primary')
  if (!found?.connectionString) {
    throw new Error(
      `Cosmos DB account ${accountName} listed no primary Table connection string (found: ${all.map((c) => c.description).join(', ') || 'none'}).`
    )
  }
  return found.connectionString
}

export function createCosmosTableProgram(
  plan: Plan,
  context: { repository: string; commit: string }
): () => Promise<Record<string, unknown>> {
  return async () => {
    const { options, tags, group } = environmentGroup(plan, context)
    const entra = plan.auth === 'entra'
    const throughput = plan.scale.cosmosThroughput
    const name = cosmosAccountName({ project: plan.project, environment: plan.environment, repository: context.repository })

    const account = new DatabaseAccount(
      'cosmos',
      {
        accountName: name,
        resourceGroupName: group.name,
        location: plan.location,
        kind: 'GlobalDocumentDB',
        databaseAccountOfferType: 'Standard',
        capabilities: [{ name: 'EnableTable' }, ...(throughput.mode === 'serverless' ? [{ name: 'EnableServerless' }] : [])],
        // One region: serverless allows no more, and an environment does not need geo-replication.
        locations: [{ locationName: plan.location, failoverPriority: 0, isZoneRedundant: false }],
        minimalTlsVersion: 'Tls12',
        // entra: keys (and so connection strings) stop working; access goes through Entra ID only.
        disableLocalAuth: entra,
        tags
      },
      options
    )

    const tableOptions = tableThroughputOptions(throughput)
    const tables = plan.tables.map(
      (tableName) =>
        new TableResourceTable(
          `table-${tableName}`,
          {
            accountName: account.name,
            resourceGroupName: group.name,
            tableName,
            resource: { id: tableName },
            ...(tableOptions ? { options: tableOptions } : {})
          },
          options
        )
    )

    const outputs = {
      tableNames: pulumi.all(tables.map((table) => table.name)),
      storageAccountName: account.name,
      resourceGroupName: group.name,
      tableEndpoint: account.name.apply(cosmosTableEndpoint)
    }
    if (entra) return { ...outputs, connectionString: '', accountKey: '' }

    // Outputs of the account as inputs: the keys are read only once the account exists.
    const keys = listDatabaseAccountKeysOutput({ resourceGroupName: group.name, accountName: account.name })
    const accountKey = pulumi.secret(
      keys.primaryMasterKey.apply((key) => {
        if (!key) throw new Error(`Cosmos DB account ${name} returned no primary key`)
        return key
      })
    )
    const listed = listDatabaseAccountConnectionStringsOutput({ resourceGroupName: group.name, accountName: account.name })
    const connectionString = pulumi.secret(listed.apply((result) => result.connectionStrings).apply((list) => pickTableConnectionString(list, name)))
    return { ...outputs, connectionString, accountKey }
  }
}
