// The inline Pulumi program for isolation `tables`: only the environment's tables, inside an existing
// storage account that many environments share. The account is looked up, never managed: it is not a
// resource of the stack, so destroy and prune remove the environment's tables and grants and nothing else.
// Access is scoped to the environment's tables: a table SAS per table (shared key), or with auth entra a
// role assignment per table. No account-wide key reaches any output.
import * as pulumi from '@pulumi/pulumi'
import { getStorageAccount, type GetStorageAccountResult } from '@pulumi/azure-native/storage/getStorageAccount.js'
import { listStorageAccountServiceSASOutput } from '@pulumi/azure-native/storage/listStorageAccountServiceSAS.js'
import { Table } from '@pulumi/azure-native/storage/table.js'
import { grantDataRole, TABLE_DATA_CONTRIBUTOR_ROLE } from './common.js'
import type { Plan } from '../types.js'
import { canonicalizedTableResource, sasConnectionString, signingKeyFor, TABLE_SAS_PERMISSIONS, withTableName } from './table-sas.js'

/** The ARM scope of one table, for a role assignment that covers that table only. */
export function tableScope(accountId: string, tableName: string): string {
  return `${accountId}/tableServices/default/tables/${tableName}`
}

/** `D.HH:MM:SS` (the account's SAS expiration period) in milliseconds; undefined when unreadable. */
export function sasPeriodMs(period: string): number | undefined {
  const m = /^(\d+)\.(\d{2}):(\d{2}):(\d{2})$/.exec(period.trim())
  if (!m) return undefined
  const [days, hours, minutes, seconds] = m.slice(1).map(Number) as [number, number, number, number]
  return (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000
}

/**
 * Refuses, before any SAS is issued, a shared account on which a table SAS cannot work: shared-key access off
 * (a service SAS is signed with an account key) or a SAS expiration policy that blocks our expiry.
 */
export function checkSharedAccountForSas(account: Pick<GetStorageAccountResult, 'name' | 'allowSharedKeyAccess' | 'sasPolicy'>, sasExpiry: string, now = Date.now()): void {
  if (account.allowSharedKeyAccess === false) {
    throw new Error(
      `The shared storage account '${account.name}' has shared-key access turned off, so no SAS signed with its keys can work. ` +
        'Use auth: entra (a role on each table) or allow shared-key access on the shared account.'
    )
  }
  const policy = account.sasPolicy
  if (policy && policy.expirationAction === 'Block') {
    const limit = sasPeriodMs(policy.sasExpirationPeriod)
    if (limit !== undefined && Date.parse(sasExpiry) - now > limit) {
      throw new Error(
        `The shared storage account '${account.name}' blocks SAS valid longer than ${policy.sasExpirationPeriod} (its SAS expiration policy), ` +
          `but sas-expiry asks for ${sasExpiry}. Set sas-expiry to a shorter duration.`
      )
    }
  }
}

export function createSharedTablesProgram(
  plan: Plan,
  _context: { repository: string; commit: string }
): () => Promise<Record<string, unknown>> {
  return async () => {
    const shared = plan.scale.sharedAccount
    if (!shared) throw new Error("isolation 'tables' needs the shared account (inputs shared-account-name and shared-account-resource-group).")
    const entra = plan.auth === 'entra'
    const sasExpiry = plan.scale.sasExpiry ?? ''
    if (!entra && !sasExpiry) throw new Error("isolation 'tables' with a connection string needs the SAS expiry (input sas-expiry).")
    if (plan.tables.length === 0) throw new Error('the plan names no tables.')
    const options: pulumi.CustomResourceOptions = { protect: plan.protect }

    // A read of the existing account (an invoke, not a resource): it is never created, updated or deleted here.
    // Awaited, so a missing or unusable account fails the program with its reason before anything is created.
    const account = await getStorageAccount({ accountName: shared.name, resourceGroupName: shared.resourceGroupName })
    if (!entra) checkSharedAccountForSas(account, sasExpiry)
    const accountName = account.name
    const tableEndpoint = account.primaryEndpoints?.table
    if (!tableEndpoint) throw new Error(`The shared storage account '${accountName}' has no Table endpoint; use a general-purpose v2 (StorageV2) account.`)

    // URNs carry the user's table names; the physical names carry the environment (plan.ts names them).
    const tables = plan.tables.map(
      (tableName, i) =>
        new Table(`table-${plan.logicalTables[i] ?? tableName}`, { tableName, accountName, resourceGroupName: shared.resourceGroupName }, options)
    )
    const tableNames = pulumi.all(tables.map((table) => table.name))

    const common = {
      tableNames,
      storageAccountName: accountName,
      resourceGroupName: shared.resourceGroupName,
      tableEndpoint,
      // Never the account key: it would open every environment in the shared account.
      accountKey: ''
    }

    if (entra) {
      if (plan.principalId) {
        const principalId = plan.principalId
        tables.forEach((table, i) => {
          const scope = table.name.apply((name) => tableScope(account.id, name))
          grantDataRole(`table-data-contributor-${plan.logicalTables[i] ?? plan.tables[i]}`, scope, principalId, TABLE_DATA_CONTRIBUTOR_ROLE, options)
        })
      }
      return { ...common, connectionString: '', tableConnectionStrings: {}, sharedAccessSignatures: {} }
    }

    const keyToSign = signingKeyFor(plan.project, plan.environment)
    const tokens = tables.map((table) => {
      const sas = listStorageAccountServiceSASOutput({
        accountName,
        resourceGroupName: shared.resourceGroupName,
        canonicalizedResource: table.name.apply((tableName) => canonicalizedTableResource(accountName, tableName)),
        permissions: TABLE_SAS_PERMISSIONS,
        protocols: 'https',
        sharedAccessExpiryTime: sasExpiry,
        keyToSign
      })
      return pulumi.all([sas.serviceSasToken, table.name]).apply(([token, tableName]) => withTableName(token, tableName))
    })
    const byTable = <T>(values: pulumi.Output<T>[]): pulumi.Output<Record<string, T>> =>
      pulumi.all([tableNames, pulumi.all(values)]).apply(([names, list]) => Object.fromEntries(names.map((n, i) => [n, list[i]!])) as Record<string, T>)
    const connectionStrings = tokens.map((token) => token.apply((t) => sasConnectionString(tableEndpoint, t)))

    return {
      ...common,
      // A table SAS covers one table: the top-level connection string is the first table's, the rest are by name.
      connectionString: pulumi.secret(connectionStrings[0]!),
      tableConnectionStrings: pulumi.secret(byTable(connectionStrings)),
      // The bare tokens too, so each is masked on its own (masks do not cover substrings).
      sharedAccessSignatures: pulumi.secret(byTable(tokens))
    }
  }
}
