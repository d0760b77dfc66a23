// A stand-in for the azure-native provider plugin (version 3.28.0), for the real-engine tests only.
// It serves the resource-provider protocol through @pulumi/pulumi/provider and implements exactly
// what the action's programs use, with azure-native's property shapes. "Azure" is a record file
// (record.mjs); every storage account is backed by a real Azurite Table endpoint under the account's
// own name and key. It refuses what Azure Resource Manager refuses (see the checks below).
import { AzureNamedKeyCredential, TableServiceClient, generateTableSas } from '@azure/data-tables'
import provider from '@pulumi/pulumi/provider/index.js'
import { StorageSharedKeyCredential, ContainerClient } from '@azure/storage-blob'
import { freePort, newKey, startBlobEndpoint, startTableEndpoint, stopPid, withRecord } from './record.mjs'

const VERSION = '3.28.0'
const UNKNOWN = '04da6b54-80e4-46f7-96ec-b56ff0331ba9'
const SECRET_SIG = '4dabf18193072939515e22adb298388d'

/** An ARM error as the real provider reports it: status, code, message. */
class ArmError extends Error {
  constructor(status, code, message) {
    super(`autorest/azure: Service returned an error. Status=${status} Code="${code}" Message="${message}"`)
  }
}

const subscription = () => {
  const id = process.env.ARM_SUBSCRIPTION_ID
  if (!id) throw new ArmError(401, 'AuthenticationFailed', 'no subscription: set ARM_SUBSCRIPTION_ID')
  return id
}
const lower = (s) => String(s).toLowerCase()
const isUnknown = (v) => v === UNKNOWN || (Array.isArray(v) ? v.some(isUnknown) : v && typeof v === 'object' ? Object.values(v).some(isUnknown) : false)

/** Secret wrappers off (nothing the programs send to this provider needs them kept). */
function plain(v) {
  if (Array.isArray(v)) return v.map(plain)
  if (v && typeof v === 'object') {
    if (v[SECRET_SIG]) return plain(v.value)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
  }
  return v
}

/** True when every part of `n` is in `o` with the same value (outputs add properties of their own). */
function sameValue(o, n) {
  if (isUnknown(n)) return false
  if (Array.isArray(n)) return Array.isArray(o) && o.length === n.length && n.every((x, i) => sameValue(o[i], x))
  if (n && typeof n === 'object') return !!o && typeof o === 'object' && Object.keys(n).every((k) => sameValue(o[k], n[k]))
  return o === n
}

// Protobuf structs take no undefined values.
const json = (v) => JSON.parse(JSON.stringify(v))

const typeOf = (urn) => urn.split('::')[2]?.split('$').pop()?.split(':').pop() ?? ''

// ---- what ARM checks before anything is written

const TAG_NAME_FORBIDDEN = /[<>%&\\?/]/
function tagFailures(tags, nameMax) {
  if (!tags || isUnknown(tags)) return []
  const names = Object.keys(tags)
  const failures = []
  if (names.length > 50) failures.push(`at most 50 tags per resource, got ${names.length}`)
  const seen = new Set()
  for (const name of names) {
    if (name.length > nameMax) failures.push(`tag name '${name.slice(0, 40)}...' is longer than ${nameMax} characters`)
    if (TAG_NAME_FORBIDDEN.test(name)) failures.push(`tag name '${name}' contains one of < > % & \\ ? /`)
    if (seen.has(lower(name))) failures.push(`tag name '${name}' repeats another (tag names are case-insensitive)`)
    seen.add(lower(name))
    if (String(tags[name]).length > 256) failures.push(`tag '${name}' has a value longer than 256 characters`)
  }
  return failures
}

const checks = {
  ResourceGroup(i) {
    const f = []
    if (!i.location) f.push('location is required')
    if (i.resourceGroupName && !isUnknown(i.resourceGroupName) && !/^[-\w.()]{1,90}$/.test(i.resourceGroupName)) f.push('invalid resource group name')
    if (typeof i.resourceGroupName === 'string' && i.resourceGroupName.endsWith('.')) f.push('a resource group name cannot end in a period')
    return [...f, ...tagFailures(i.tags, 512)]
  },
  StorageAccount(i) {
    const f = []
    if (!i.resourceGroupName) f.push('resourceGroupName is required')
    if (!i.kind || !i.sku?.name) f.push('kind and sku are required')
    if (typeof i.accountName === 'string' && !isUnknown(i.accountName) && !/^[a-z0-9]{3,24}$/.test(i.accountName)) {
      f.push(`AccountNameInvalid: '${i.accountName}' is not 3 to 24 lowercase letters and digits`)
    }
    return [...f, ...tagFailures(i.tags, 128)]
  },
  Table(i) {
    const f = []
    if (!i.accountName || !i.resourceGroupName) f.push('accountName and resourceGroupName are required')
    if (typeof i.tableName === 'string' && !isUnknown(i.tableName)) {
      if (!/^[A-Za-z][A-Za-z0-9]{2,62}$/.test(i.tableName)) f.push(`OutOfRangeInput: table name '${i.tableName}' is invalid`)
      if (lower(i.tableName) === 'tables') f.push("'tables' is a reserved table name")
    }
    return f
  },
  RoleAssignment(i) {
    const f = []
    for (const k of ['scope', 'principalId', 'roleDefinitionId']) if (!i[k]) f.push(`${k} is required`)
    const name = i.roleAssignmentName
    if (typeof name === 'string' && !isUnknown(name) && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(name)) {
      f.push(`InvalidRoleAssignmentId: the role assignment name '${name}' is not a valid GUID`)
    }
    return f
  },
  DatabaseAccount(i) {
    const f = []
    if (typeof i.accountName === 'string' && !isUnknown(i.accountName) && !/^[a-z0-9][a-z0-9-]{1,42}[a-z0-9]$/.test(i.accountName)) {
      f.push(`Cosmos DB account name '${i.accountName}' is not 3 to 44 lowercase letters, digits and hyphens`)
    }
    if (!Array.isArray(i.locations) || i.locations.length === 0) f.push('locations is required')
    return [...f, ...tagFailures(i.tags, 512)]
  },
  BlobContainer(i) {
    const f = []
    if (!i.accountName || !i.resourceGroupName) f.push('accountName and resourceGroupName are required')
    const name = i.containerName
    if (typeof name === 'string' && !isUnknown(name) && (!/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(name) || name.length > 63)) {
      f.push(`ContainerNameInvalid: '${name}' is not 3 to 63 lowercase letters, digits and single hyphens`)
    }
    if (i.publicAccess !== undefined && !['None', 'Blob', 'Container'].includes(i.publicAccess)) f.push(`publicAccess '${i.publicAccess}' is not None, Blob or Container`)
    return f
  },
  BlobContainerImmutabilityPolicy(i) {
    const f = []
    if (i.immutabilityPolicyName !== undefined && i.immutabilityPolicyName !== 'default') f.push("immutabilityPolicyName must be 'default'")
    const days = i.immutabilityPeriodSinceCreationInDays
    if (!isUnknown(days) && (!Number.isInteger(days) || days < 1 || days > 146000)) f.push('immutabilityPeriodSinceCreationInDays must be 1 to 146000')
    if (i.allowProtectedAppendWrites && i.allowProtectedAppendWritesAll) f.push('allowProtectedAppendWrites and allowProtectedAppendWritesAll exclude each other')
    return f
  },
  DiagnosticSetting(i) {
    const f = []
    if (!i.resourceUri) f.push('resourceUri is required')
    if (!i.workspaceId && !i.storageAccountId && !i.eventHubAuthorizationRuleId) f.push('a destination (workspaceId, storageAccountId or event hub) is required')
    for (const l of i.logs ?? []) if (!['StorageRead', 'StorageWrite', 'StorageDelete'].includes(l.category)) f.push(`log category '${l.category}' is not supported by storage services`)
    for (const m of i.metrics ?? []) if (!['Transaction', 'Capacity'].includes(m.category)) f.push(`metric category '${m.category}' is not supported by storage services`)
    return f
  },
  TableResourceTable(i) {
    return i.resource?.id && !isUnknown(i.resource.id) && i.tableName && !isUnknown(i.tableName) && i.resource.id !== i.tableName
      ? ['resource.id must equal tableName']
      : []
  }
}

// Properties whose change means a new resource (they are in the ARM id).
const replaceKeys = {
  ResourceGroup: ['resourceGroupName'],
  StorageAccount: ['accountName', 'resourceGroupName', 'location'],
  Table: ['tableName', 'accountName', 'resourceGroupName'],
  RoleAssignment: ['roleAssignmentName', 'scope', 'principalId', 'roleDefinitionId'],
  DatabaseAccount: ['accountName', 'resourceGroupName', 'location'],
  TableResourceTable: ['tableName', 'accountName', 'resourceGroupName'],
  BlobContainer: ['containerName', 'accountName', 'resourceGroupName'],
  BlobContainerImmutabilityPolicy: ['containerName', 'accountName', 'resourceGroupName'],
  DiagnosticSetting: ['name', 'resourceUri']
}

// ---- "Azure"

const rgId = (name) => `/subscriptions/${subscription()}/resourceGroups/${name}`
const accountId = (rg, name) => `${rgId(rg)}/providers/Microsoft.Storage/storageAccounts/${name}`
const cosmosId = (rg, name) => `${rgId(rg)}/providers/Microsoft.DocumentDB/databaseAccounts/${name}`

function group(record, name) {
  const rg = record.resourceGroups[lower(name)]
  if (!rg) throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`)
  return rg
}
function storageAccount(record, rg, name) {
  group(record, rg)
  const account = record.storageAccounts[lower(name)]
  if (!account || lower(account.resourceGroupName) !== lower(rg)) {
    throw new ArmError(404, 'ResourceNotFound', `The Resource 'Microsoft.Storage/storageAccounts/${name}' under resource group '${rg}' was not found.`)
  }
  return account
}

function accountOutputs(a) {
  const table = `http://127.0.0.1:${a.endpoint.port}/${a.name}/`
  return {
    name: a.name,
    id: accountId(a.resourceGroupName, a.name),
    type: 'Microsoft.Storage/storageAccounts',
    location: a.location,
    kind: a.kind,
    sku: { name: a.sku.name, tier: a.sku.name.startsWith('Premium') ? 'Premium' : 'Standard' },
    minimumTlsVersion: a.minimumTlsVersion,
    enableHttpsTrafficOnly: a.enableHttpsTrafficOnly ?? true,
    allowBlobPublicAccess: a.allowBlobPublicAccess ?? false,
    allowSharedKeyAccess: a.allowSharedKeyAccess,
    provisioningState: 'Succeeded',
    primaryLocation: a.location,
    statusOfPrimary: 'available',
    primaryEndpoints: { table, blob: a.blobPort ? `http://127.0.0.1:${a.blobPort}/${a.name}/` : `https://${a.name}.blob.core.windows.net/`, queue: `https://${a.name}.queue.core.windows.net/` },
    tags: a.tags ?? {},
    azureApiVersion: '2024-01-01'
  }
}

/** The data plane of an account, with the key Azurite knows (which is not the listed one when shared keys are off). */
function dataPlane(a) {
  return new TableServiceClient(`http://127.0.0.1:${a.endpoint.port}/${a.name}`, new AzureNamedKeyCredential(a.name, a.endpointKey), { allowInsecureConnection: true })
}
async function tableExists(a, name) {
  for await (const t of dataPlane(a).listTables({ queryOptions: { filter: `TableName eq '${name}'` } })) if (lower(t.name) === lower(name)) return true
  return false
}

function deleteAccount(record, key) {
  const a = record.storageAccounts[key]
  if (!a) return
  stopPid(a.endpoint?.pid)
  stopPid(a.blobEndpoint?.pid)
  for (const [k, t] of Object.entries(record.tables)) if (t.account === key) delete record.tables[k]
  for (const k of Object.keys(record.blobContainers)) if (k.startsWith(`${key}/`)) delete record.blobContainers[k]
  for (const k of Object.keys(record.immutabilityPolicies)) if (k.startsWith(`${key}/`)) delete record.immutabilityPolicies[k]
  const id = lower(accountId(a.resourceGroupName, a.name))
  for (const k of Object.keys(record.diagnosticSettings)) if (k.startsWith(`${id}/`)) delete record.diagnosticSettings[k]
  delete record.storageAccounts[key]
}

const tableOutputs = (t, rg) => ({
  name: t.name,
  tableName: t.name,
  accountName: t.accountName,
  resourceGroupName: rg,
  type: 'Microsoft.Storage/storageAccounts/tableServices/tables',
  azureApiVersion: '2024-01-01'
})

const ops = {
  ResourceGroup: {
    async put(record, i) {
      const key = lower(i.resourceGroupName)
      const existing = record.resourceGroups[key]
      if (existing && lower(existing.location) !== lower(i.location)) {
        throw new ArmError(409, 'InvalidResourceGroupLocation', `Resource group '${i.resourceGroupName}' already exists in location '${existing.location}'.`)
      }
      record.resourceGroups[key] = { name: existing?.name ?? i.resourceGroupName, location: i.location, tags: i.tags ?? {} }
      const rg = record.resourceGroups[key]
      return { id: rgId(rg.name), outs: { name: rg.name, location: rg.location, tags: rg.tags, type: 'Microsoft.Resources/resourceGroups', properties: { provisioningState: 'Succeeded' }, azureApiVersion: '2024-03-01' } }
    },
    get(record, p) {
      const rg = record.resourceGroups[lower(p.name ?? p.resourceGroupName)]
      return rg && { id: rgId(rg.name), outs: { name: rg.name, location: rg.location, tags: rg.tags, type: 'Microsoft.Resources/resourceGroups', properties: { provisioningState: 'Succeeded' }, azureApiVersion: '2024-03-01' } }
    },
    delete(record, p) {
      // Deleting a resource group deletes everything in it.
      const key = lower(p.name ?? p.resourceGroupName)
      for (const [k, a] of Object.entries(record.storageAccounts)) if (lower(a.resourceGroupName) === key) deleteAccount(record, k)
      for (const [k, c] of Object.entries(record.cosmosAccounts)) if (lower(c.resourceGroupName) === key) delete record.cosmosAccounts[k]
      for (const [k, t] of Object.entries(record.cosmosTables)) if (lower(t.resourceGroupName) === key) delete record.cosmosTables[k]
      for (const [k, r] of Object.entries(record.roleAssignments)) if (lower(r.scope).startsWith(lower(rgId(p.name ?? p.resourceGroupName)) + '/')) delete record.roleAssignments[k]
      delete record.resourceGroups[key]
    }
  },
  StorageAccount: {
    async put(record, i) {
      group(record, i.resourceGroupName)
      const key = lower(i.accountName)
      const existing = record.storageAccounts[key]
      if (record.foreignAccountNames.map(lower).includes(key) || (existing && lower(existing.resourceGroupName) !== lower(i.resourceGroupName))) {
        throw new ArmError(409, 'StorageAccountAlreadyTaken', `The storage account named ${i.accountName} is already taken.`)
      }
      const keys = existing?.keys ?? [newKey(), newKey()]
      // With shared-key access off, Azurite gets a key nobody is given: every shared-key request is refused.
      const endpointKey = existing?.endpointKey ?? (i.allowSharedKeyAccess === false ? newKey() : keys[0])
      const endpoint = existing?.endpoint ?? (await startTableEndpoint(i.accountName, endpointKey))
      // The Blob endpoint's port is fixed now (primaryEndpoints names it); its process starts with the first container.
      const blobPort = existing?.blobPort ?? (await freePort())
      record.storageAccounts[key] = {
        name: i.accountName,
        resourceGroupName: i.resourceGroupName,
        location: i.location ?? group(record, i.resourceGroupName).location,
        kind: i.kind,
        sku: i.sku,
        minimumTlsVersion: i.minimumTlsVersion,
        enableHttpsTrafficOnly: i.enableHttpsTrafficOnly,
        allowBlobPublicAccess: i.allowBlobPublicAccess,
        allowSharedKeyAccess: i.allowSharedKeyAccess,
        tags: i.tags ?? {},
        keys,
        endpointKey,
        endpoint,
        blobPort,
        ...(existing?.blobEndpoint ? { blobEndpoint: existing.blobEndpoint } : {})
      }
      const outs = accountOutputs(record.storageAccounts[key])
      return { id: outs.id, outs }
    },
    get(record, p) {
      const a = record.storageAccounts[lower(p.name ?? p.accountName)]
      if (!a) return undefined
      const outs = accountOutputs(a)
      return { id: outs.id, outs }
    },
    delete(record, p) {
      deleteAccount(record, lower(p.name ?? p.accountName))
    }
  },
  Table: {
    async put(record, i) {
      const a = storageAccount(record, i.resourceGroupName, i.accountName)
      const wanted = record.failTableCreates.findIndex((n) => lower(n) === lower(i.tableName))
      if (wanted >= 0 || lower(process.env.AZURE_STANDIN_FAIL_TABLE ?? '') === lower(i.tableName)) {
        if (wanted >= 0) record.failTableCreates.splice(wanted, 1)
        throw new ArmError(500, 'InternalServerError', `The table ${i.tableName} could not be created (failure requested by the test).`)
      }
      // The ARM PUT of a table is create-or-update; names are case-insensitive within an account.
      const key = `${lower(a.name)}/${lower(i.tableName)}`
      const t = record.tables[key] ?? { name: i.tableName, account: lower(a.name), accountName: a.name }
      record.tables[key] = t
      if (!(await tableExists(a, t.name))) await dataPlane(a).createTable(t.name)
      return { id: `${accountId(a.resourceGroupName, a.name)}/tableServices/default/tables/${t.name}`, outs: tableOutputs(t, a.resourceGroupName) }
    },
    async get(record, p) {
      const a = record.storageAccounts[lower(p.accountName)]
      if (!a) return undefined
      const key = `${lower(a.name)}/${lower(p.tableName ?? p.name)}`
      const t = record.tables[key]
      // The data plane is the truth for tables: one deleted there is gone for ARM too.
      if (!t || !(await tableExists(a, t.name))) {
        delete record.tables[key]
        return undefined
      }
      return { id: `${accountId(a.resourceGroupName, a.name)}/tableServices/default/tables/${t.name}`, outs: tableOutputs(t, a.resourceGroupName) }
    },
    async delete(record, p) {
      const a = record.storageAccounts[lower(p.accountName)]
      if (!a) return
      const key = `${lower(a.name)}/${lower(p.tableName ?? p.name)}`
      const t = record.tables[key]
      if (t && (await tableExists(a, t.name))) await dataPlane(a).deleteTable(t.name)
      delete record.tables[key]
    }
  },
  RoleAssignment: {
    async put(record, i) {
      const key = lower(i.roleAssignmentName)
      const same = Object.entries(record.roleAssignments).find(
        ([k, r]) => k !== key && lower(r.scope) === lower(i.scope) && lower(r.principalId) === lower(i.principalId) && lower(r.roleDefinitionId) === lower(i.roleDefinitionId)
      )
      if (same) throw new ArmError(409, 'RoleAssignmentExists', 'The role assignment already exists.')
      record.roleAssignments[key] = { name: i.roleAssignmentName, scope: i.scope, principalId: i.principalId, principalType: i.principalType ?? 'User', roleDefinitionId: i.roleDefinitionId }
      return this.get(record, { roleAssignmentName: i.roleAssignmentName })
    },
    get(record, p) {
      const r = record.roleAssignments[lower(p.roleAssignmentName ?? p.name)]
      return r && { id: `${r.scope}/providers/Microsoft.Authorization/roleAssignments/${r.name}`, outs: { ...r, type: 'Microsoft.Authorization/roleAssignments', azureApiVersion: '2022-04-01' } }
    },
    delete(record, p) {
      delete record.roleAssignments[lower(p.roleAssignmentName ?? p.name)]
    }
  },
  BlobContainer: {
    async put(record, i) {
      const a = storageAccount(record, i.resourceGroupName, i.accountName)
      if (!a.blobEndpoint) a.blobEndpoint = await startBlobEndpoint(a.name, a.endpointKey, a.blobPort)
      const key = `${lower(a.name)}/${i.containerName}`
      record.blobContainers[key] = { name: i.containerName, account: lower(a.name), publicAccess: i.publicAccess ?? 'None' }
      const client = new ContainerClient(`http://127.0.0.1:${a.blobPort}/${a.name}/${i.containerName}`, new StorageSharedKeyCredential(a.name, a.endpointKey))
      await client.createIfNotExists()
      return this.get(record, i)
    },
    get(record, p) {
      const a = record.storageAccounts[lower(p.accountName)]
      const c = a && record.blobContainers[`${lower(a.name)}/${p.containerName ?? p.name}`]
      if (!c) return undefined
      const policy = record.immutabilityPolicies[`${lower(a.name)}/${c.name}`]
      return {
        id: `${accountId(a.resourceGroupName, a.name)}/blobServices/default/containers/${c.name}`,
        outs: {
          name: c.name,
          publicAccess: c.publicAccess,
          hasImmutabilityPolicy: !!policy,
          hasLegalHold: false,
          immutabilityPolicy: policy ? { immutabilityPeriodSinceCreationInDays: policy.immutabilityPeriodSinceCreationInDays, state: policy.state, etag: policy.etag } : undefined,
          deleted: false,
          type: 'Microsoft.Storage/storageAccounts/blobServices/containers',
          azureApiVersion: '2024-01-01'
        }
      }
    },
    async delete(record, p) {
      const a = record.storageAccounts[lower(p.accountName)]
      if (!a) return
      const key = `${lower(a.name)}/${p.containerName ?? p.name}`
      const policy = record.immutabilityPolicies[key]
      const client = a.blobEndpoint && new ContainerClient(`http://127.0.0.1:${a.blobPort}/${a.name}/${p.containerName ?? p.name}`, new StorageSharedKeyCredential(a.name, a.endpointKey))
      if (policy && client) {
        // Azure keeps a container while a policy protects any of its blobs.
        const until = Date.now() - policy.immutabilityPeriodSinceCreationInDays * 86_400_000
        for await (const b of client.listBlobsFlat()) {
          if ((b.properties.createdOn ?? b.properties.lastModified).getTime() > until) {
            throw new ArmError(409, 'ContainerOperationFailure', `The container ${p.containerName ?? p.name} holds blobs under an immutability policy that has not expired; it cannot be deleted.`)
          }
        }
      }
      if (client) await client.deleteIfExists()
      delete record.blobContainers[key]
      delete record.immutabilityPolicies[key]
    }
  },
  BlobContainerImmutabilityPolicy: {
    async put(record, i) {
      const a = storageAccount(record, i.resourceGroupName, i.accountName)
      const key = `${lower(a.name)}/${i.containerName}`
      if (!record.blobContainers[key]) throw new ArmError(404, 'ContainerNotFound', `The specified container ${i.containerName} does not exist.`)
      const existing = record.immutabilityPolicies[key]
      if (existing?.state === 'Locked') {
        // A locked policy can only be extended, and its append-write setting no longer changes.
        if (i.immutabilityPeriodSinceCreationInDays < existing.immutabilityPeriodSinceCreationInDays) {
          throw new ArmError(409, 'ImmutabilityPolicyLocked', 'A locked immutability policy can only be extended, not shortened.')
        }
      }
      record.immutabilityPolicies[key] = {
        immutabilityPeriodSinceCreationInDays: i.immutabilityPeriodSinceCreationInDays,
        allowProtectedAppendWrites: !!i.allowProtectedAppendWrites,
        allowProtectedAppendWritesAll: !!i.allowProtectedAppendWritesAll,
        state: existing?.state ?? 'Unlocked',
        etag: `"${newKey().slice(0, 16)}"`
      }
      return this.get(record, i)
    },
    get(record, p) {
      const a = record.storageAccounts[lower(p.accountName)]
      const policy = a && record.immutabilityPolicies[`${lower(a.name)}/${p.containerName}`]
      if (!policy) return undefined
      return {
        id: `${accountId(a.resourceGroupName, a.name)}/blobServices/default/containers/${p.containerName}/immutabilityPolicies/default`,
        outs: { name: 'default', ...policy, type: 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies', azureApiVersion: '2024-01-01' }
      }
    },
    delete(record, p) {
      const a = record.storageAccounts[lower(p.accountName)]
      const key = a && `${lower(a.name)}/${p.containerName}`
      if (key && record.immutabilityPolicies[key]?.state === 'Locked') {
        throw new ArmError(409, 'ContainerImmutabilityPolicyFailure', 'A locked immutability policy cannot be deleted.')
      }
      if (key) delete record.immutabilityPolicies[key]
    }
  },
  DiagnosticSetting: {
    put(record, i) {
      const m = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/([^/]+))\/(tableServices|blobServices)\/default$/i.exec(i.resourceUri ?? '')
      const a = m && record.storageAccounts[lower(m[2])]
      if (!a || lower(accountId(a.resourceGroupName, a.name)) !== lower(m[1])) throw new ArmError(404, 'ResourceNotFound', `The resource '${i.resourceUri}' was not found.`)
      const id = `${i.resourceUri}/providers/Microsoft.Insights/diagnosticSettings/${i.name}`
      record.diagnosticSettings[lower(id)] = { id, name: i.name, resourceUri: i.resourceUri, workspaceId: i.workspaceId, logs: i.logs ?? [], metrics: i.metrics ?? [] }
      return this.get(record, i)
    },
    get(record, p) {
      const d = record.diagnosticSettings[lower(`${p.resourceUri}/providers/Microsoft.Insights/diagnosticSettings/${p.name}`)]
      return d && { id: d.id, outs: { ...d, type: 'Microsoft.Insights/diagnosticSettings', azureApiVersion: '2021-05-01-preview' } }
    },
    delete(record, p) {
      delete record.diagnosticSettings[lower(`${p.resourceUri}/providers/Microsoft.Insights/diagnosticSettings/${p.name}`)]
    }
  },
  DatabaseAccount: {
    async put(record, i) {
      group(record, i.resourceGroupName)
      const key = lower(i.accountName)
      const existing = record.cosmosAccounts[key]
      if (existing && lower(existing.resourceGroupName) !== lower(i.resourceGroupName)) {
        throw new ArmError(409, 'BadRequest', `Dns record for ${i.accountName} under zone Document is already taken.`)
      }
      // Cosmos for Table speaks the Table protocol: its data plane is an Azurite of its own too.
      const keys = existing?.keys ?? [newKey(), newKey()]
      // Azurite's batch endpoint cannot parse account names with hyphens, which Cosmos names may have:
      // its data plane runs under the name without them (the connection strings say so).
      const dataName = i.accountName.replace(/-/g, '')
      const endpoint = existing?.endpoint ?? (await startTableEndpoint(dataName, keys[0]))
      record.cosmosAccounts[key] = { ...i, keys, endpoint, dataName }
      return this.get(record, { accountName: i.accountName })
    },
    get(record, p) {
      const c = record.cosmosAccounts[lower(p.accountName ?? p.name)]
      if (!c) return undefined
      const { keys: _k, endpoint: _e, dataName: _d, ...props } = c
      return {
        id: cosmosId(c.resourceGroupName, c.accountName),
        outs: { ...props, name: c.accountName, documentEndpoint: `https://${c.accountName}.documents.azure.com:443/`, provisioningState: 'Succeeded', type: 'Microsoft.DocumentDB/databaseAccounts' }
      }
    },
    delete(record, p) {
      const key = lower(p.accountName ?? p.name)
      stopPid(record.cosmosAccounts[key]?.endpoint?.pid)
      delete record.cosmosAccounts[key]
      for (const [k, t] of Object.entries(record.cosmosTables)) if (t.account === key) delete record.cosmosTables[k]
    }
  },
  TableResourceTable: {
    async put(record, i) {
      const c = record.cosmosAccounts[lower(i.accountName)]
      if (!c) throw new ArmError(404, 'NotFound', `Database account ${i.accountName} was not found.`)
      const key = `${lower(i.accountName)}/${lower(i.tableName)}`
      record.cosmosTables[key] = { name: i.tableName, account: lower(i.accountName), accountName: i.accountName, resourceGroupName: i.resourceGroupName, options: i.options }
      const client = new TableServiceClient(`http://127.0.0.1:${c.endpoint.port}/${c.dataName}`, new AzureNamedKeyCredential(c.dataName, c.keys[0]), { allowInsecureConnection: true })
      await client.createTable(i.tableName)
      return this.get(record, i)
    },
    get(record, p) {
      const t = record.cosmosTables[`${lower(p.accountName)}/${lower(p.tableName ?? p.name)}`]
      return (
        t && {
          id: `${cosmosId(t.resourceGroupName, t.accountName)}/tables/${t.name}`,
          outs: { name: t.name, tableName: t.name, accountName: t.accountName, resourceGroupName: t.resourceGroupName, resource: { id: t.name }, type: 'Microsoft.DocumentDB/databaseAccounts/tables' }
        }
      )
    },
    delete(record, p) {
      delete record.cosmosTables[`${lower(p.accountName)}/${lower(p.tableName ?? p.name)}`]
    }
  }
}

// ---- invokes (functions)

const invokes = {
  async listStorageAccountKeys(record, a) {
    const account = storageAccount(record, a.resourceGroupName, a.accountName)
    return { keys: account.keys.map((value, n) => ({ keyName: `key${n + 1}`, value, permissions: 'FULL', creationTime: '2026-01-01T00:00:00Z' })) }
  },
  async getStorageAccount(record, a) {
    return accountOutputs(storageAccount(record, a.resourceGroupName, a.accountName))
  },
  async listStorageAccountServiceSAS(record, a) {
    const account = storageAccount(record, a.resourceGroupName, a.accountName)
    const [, service, name, table] = /^\/(\w+)\/([^/]+)\/([^/]+)$/.exec(a.canonicalizedResource ?? '') ?? []
    if (service !== 'table' || lower(name) !== lower(account.name)) throw new ArmError(400, 'InvalidValuesForRequestParameters', 'canonicalizedResource must be /table/<account>/<table>')
    const key = a.keyToSign === 'key2' ? account.keys[1] : account.keys[0]
    // The data plane (Azurite) speaks http, so the SAS allows it; Azure would sign `https` as asked.
    const token = generateTableSas(table, new AzureNamedKeyCredential(account.name, key), { permissions: { query: true, add: true, update: true, delete: true }, expiresOn: new Date(a.sharedAccessExpiryTime) })
    return { serviceSasToken: token }
  },
  async listDatabaseAccountKeys(record, a) {
    const c = record.cosmosAccounts[lower(a.accountName)]
    if (!c) throw new ArmError(404, 'NotFound', `Database account ${a.accountName} was not found.`)
    return { primaryMasterKey: c.keys[0], secondaryMasterKey: c.keys[1], primaryReadonlyMasterKey: c.keys[1], secondaryReadonlyMasterKey: c.keys[1] }
  },
  async listDatabaseAccountConnectionStrings(record, a) {
    const c = record.cosmosAccounts[lower(a.accountName)]
    if (!c) throw new ArmError(404, 'NotFound', `Database account ${a.accountName} was not found.`)
    const table = (key) => `DefaultEndpointsProtocol=http;AccountName=${c.dataName};AccountKey=${key};TableEndpoint=http://127.0.0.1:${c.endpoint.port}/${c.dataName};`
    return {
      connectionStrings: [
        { connectionString: `AccountEndpoint=https://${c.accountName}.documents.azure.com:443/;AccountKey=${c.keys[0]};`, description: 'Primary SQL Connection String', keyKind: 'Primary', type: 'Sql' },
        { connectionString: table(c.keys[0]), description: 'Primary Table Connection String', keyKind: 'Primary', type: 'Table' },
        { connectionString: table(c.keys[1]), description: 'Secondary Table Connection String', keyKind: 'Secondary', type: 'Table' }
      ]
    }
  }
}

const log = (record, op, type, detail) => record.operations.push({ op, type, ...detail, pid: process.pid, at: new Date().toISOString() })

const standin = {
  version: VERSION,
  async check(urn, olds, news) {
    const inputs = plain(news)
    const failures = (checks[typeOf(urn)]?.(inputs) ?? []).map((reason) => ({ property: '', reason }))
    return { inputs, failures }
  },
  async diff(id, urn, olds, news) {
    const type = typeOf(urn)
    const o = plain(olds)
    const n = plain(news)
    // olds are the last outputs (inputs merged in), so only what the program gives is compared; tags whole.
    const changed = Object.keys(n).filter((k) => (k === 'tags' ? !sameValue(o[k] ?? {}, n[k] ?? {}) || !sameValue(n[k] ?? {}, o[k] ?? {}) : !sameValue(o[k], n[k])))
    // Names are case-insensitive: a change of case alone replaces nothing.
    const replaces = (replaceKeys[type] ?? []).filter((k) => changed.includes(k) && (isUnknown(n[k]) || lower(o[k]) !== lower(n[k])))
    const real = changed.filter((k) => !(replaceKeys[type] ?? []).includes(k) || replaces.includes(k))
    return { changes: real.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 }
  },
  async create(urn, inputs) {
    const type = typeOf(urn)
    const op = ops[type]
    if (!op) throw new Error(`the stand-in does not implement ${type}`)
    // A slow Azure on request, so a test can hold the stack's lock for a while.
    const delay = Number(process.env.AZURE_STANDIN_DELAY_MS ?? 0)
    if (delay > 0) await new Promise((r) => setTimeout(r, delay))
    return withRecord(async (record) => {
      const props = plain(inputs)
      const result = await op.put(record, props)
      log(record, 'create', type, { id: result.id })
      return { id: result.id, outs: json({ ...props, ...result.outs }) }
    })
  },
  async update(id, urn, olds, news) {
    const type = typeOf(urn)
    return withRecord(async (record) => {
      const props = plain(news)
      const result = await ops[type].put(record, props)
      log(record, 'update', type, { id })
      return { outs: json({ ...props, ...result.outs }) }
    })
  },
  async read(id, urn, props) {
    const type = typeOf(urn)
    return withRecord(async (record) => {
      const found = await ops[type].get(record, plain(props ?? {}))
      // Gone in "Azure": an empty id tells the engine the resource no longer exists.
      return found ? { id: found.id, props: json({ ...plain(props ?? {}), ...found.outs }) } : { id: '', props: {} }
    })
  },
  async delete(id, urn, props) {
    const type = typeOf(urn)
    return withRecord(async (record) => {
      await ops[type].delete(record, plain(props))
      log(record, 'delete', type, { id })
    })
  },
  async invoke(token, args) {
    const fn = invokes[token.split(':').pop()]
    if (!fn) throw new Error(`the stand-in does not implement ${token}`)
    return withRecord(async (record) => ({ outputs: json(await fn(record, plain(args))) }))
  }
}

provider.main(standin, process.argv.slice(2))
