// The emulator engine: up, preview, refresh and destroy on an existing Table endpoint (Azurite, or any
// account reachable by connection string) through the Table data plane. There is no state besides the
// tables themselves: an environment is exactly the set of its tables (plan.tables, already named per environment).
import type { TableServiceClient } from '@azure/data-tables'
import {
  endpointHostPort,
  isAbortError,
  networkErrorCode,
  parseConnectionString,
  restErrorInfo,
  scrubConnectionSecrets,
  TABLE_REQUEST_TIMEOUT_MS,
  tableCallOptions,
  tableClientOptions,
  toClientConnectionString,
  type ParsedConnectionString
} from '../connection-string.js'
import { UserError } from '../errors.js'
import { emulatorTableName } from '../naming.js'
import { emptyChanges, type Engine, type EngineIO, type EngineResult, type EnvironmentOutputs, type Plan, type ResourceChange } from '../types.js'

export function createEmulatorEngine(): Engine {
  return { run, listEnvironments }
}

interface Session {
  plan: Plan
  io: EngineIO
  connectionString: string
  parsed: ParsedConnectionString
  service: TableServiceClient
  where: string
}

async function run(plan: Plan, io: EngineIO): Promise<EngineResult> {
  const session = await openSession(plan, io)
  const tables = uniqueTables(plan.tables)
  if (tables.length === 0) throw new UserError("The plan names no tables; give at least one in the input 'tables'.")

  switch (plan.command) {
    case 'up':
      return up(session, tables)
    case 'preview':
      return preview(session, tables)
    case 'refresh':
      return refresh(session, tables)
    case 'destroy':
      return destroy(session, tables)
    default: {
      const unknown: never = plan.command
      throw new UserError(`Unknown command '${String(unknown)}'; allowed: up, preview, refresh, destroy.`)
    }
  }
}

/** `<table>pr<n><hash16>` (lower case): a candidate only, until its name is recomputed. */
const PR_TABLE = /pr([1-9][0-9]*)[0-9a-f]{16}$/

/**
 * The pr-<n> environments of plan.project that have at least one of plan.logicalTables here.
 * Tables hold no state naming their environment, so an environment is found only when its name can
 * be guessed from a table name and proved by recomputing that name: pr-<n> environments can, other
 * names (staging, feature/x) cannot, nor environments whose number was cut to fit 63 characters.
 */
async function listEnvironments(plan: Plan, io: EngineIO): Promise<string[]> {
  const session = await openSession(plan, io)
  const found = new Set<string>()
  for (const name of await existingTables(session)) {
    const digits = PR_TABLE.exec(name)?.[1]
    if (digits === undefined) continue
    const environment = `pr-${digits}`
    const ours = plan.logicalTables.some(
      (table) => emulatorTableName({ table, project: plan.project, environment }).toLowerCase() === name
    )
    if (ours) found.add(environment)
  }
  return [...found].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)) || a.localeCompare(b))
}

async function openSession(plan: Plan, io: EngineIO): Promise<Session> {
  const connectionString = plan.emulatorConnectionString
  if (!connectionString) {
    throw new UserError(
      "The emulator target needs a Table endpoint, but none was given: set the input 'emulator-connection-string' (or leave it empty to use Azurite's default development account)."
    )
  }
  // Masks first: nothing below may print the connection string or its credential unmasked.
  io.registerSecret(connectionString)
  const parsed = parseConnectionString(connectionString)
  if (parsed.accountKey) io.registerSecret(parsed.accountKey)
  if (parsed.sharedAccessSignature) io.registerSecret(parsed.sharedAccessSignature)

  const { TableServiceClient } = await import('@azure/data-tables')
  const service = TableServiceClient.fromConnectionString(toClientConnectionString(parsed), tableClientOptions(parsed))
  return { plan, io, connectionString, parsed, service, where: endpointHostPort(parsed.tableEndpoint) }
}

/** Table names are case-insensitive: one entry per name, first spelling wins. */
function uniqueTables(tables: string[]): string[] {
  const seen = new Set<string>()
  return tables.filter((t) => {
    const key = t.toLowerCase()
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

async function up(s: Session, tables: string[]): Promise<EngineResult> {
  const existing = await existingTables(s)
  const changes = emptyChanges()
  const resources: ResourceChange[] = []
  for (const table of tables) {
    if (existing.has(table.toLowerCase())) {
      changes.same++
      resources.push({ op: 'same', type: 'table', name: table })
      s.io.info(`Table ${table}: exists at ${s.where}, left as is.`)
    } else {
      // createTable also succeeds when another run created the table in the meantime.
      await call(s, `create table ${table}`, () => s.service.createTable(table, tableCallOptions()))
      changes.create++
      resources.push({ op: 'create', type: 'table', name: table })
      s.io.info(`Table ${table}: created at ${s.where}.`)
    }
  }
  return { changes, outputs: outputsOf(s, tables), resources, notes: [] }
}

async function preview(s: Session, tables: string[]): Promise<EngineResult> {
  const existing = await existingTables(s)
  const changes = emptyChanges()
  const resources: ResourceChange[] = []
  for (const table of tables) {
    const exists = existing.has(table.toLowerCase())
    if (exists) changes.same++
    else changes.create++
    resources.push({ op: exists ? 'same' : 'create', type: 'table', name: table })
    s.io.info(`Table ${table}: ${exists ? 'exists, up would leave it as is' : 'missing, up would create it'}.`)
  }
  const notes: string[] = []
  if (changes.same === 0) notes.push(`The environment does not exist yet at ${s.where}; up would create ${plural(changes.create, 'table')}.`)
  return { changes, outputs: changes.same === 0 ? null : outputsOf(s, tables), resources, notes }
}

async function refresh(s: Session, tables: string[]): Promise<EngineResult> {
  const existing = await existingTables(s)
  const changes = emptyChanges()
  const resources: ResourceChange[] = []
  const notes: string[] = []
  for (const table of tables) {
    if (existing.has(table.toLowerCase())) {
      changes.same++
      resources.push({ op: 'read', type: 'table', name: table })
      s.io.info(`Table ${table}: exists at ${s.where}.`)
    } else {
      notes.push(`Table ${table} does not exist at ${s.where}; run up to create it.`)
      s.io.info(`Table ${table}: missing at ${s.where}.`)
    }
  }
  if (changes.same === 0) notes.unshift(`The environment does not exist at ${s.where}: none of its tables were found.`)
  return { changes, outputs: changes.same === 0 ? null : outputsOf(s, tables), resources, notes }
}

async function destroy(s: Session, tables: string[]): Promise<EngineResult> {
  if (s.plan.protect) {
    throw new UserError(
      "The environment is protected (input 'protect' is true), so destroy refuses to delete its tables; set protect to false to destroy it."
    )
  }
  const existing = await existingTables(s)
  const changes = emptyChanges()
  const resources: ResourceChange[] = []
  const notes: string[] = []
  const gone: string[] = []
  for (const table of tables) {
    if (existing.has(table.toLowerCase())) {
      // deleteTable also succeeds when the table vanished in the meantime.
      await call(s, `delete table ${table}`, () => s.service.deleteTable(table, tableCallOptions()))
      changes.delete++
      resources.push({ op: 'delete', type: 'table', name: table })
      s.io.info(`Table ${table}: deleted at ${s.where}.`)
    } else {
      gone.push(table)
      s.io.info(`Table ${table}: already gone at ${s.where}.`)
    }
  }
  if (gone.length === tables.length) notes.push(`The environment's tables were already gone at ${s.where}; nothing to delete.`)
  else if (gone.length > 0) notes.push(`Already gone, nothing to delete: ${gone.join(', ')}.`)
  return { changes, outputs: null, resources, notes }
}

/** Lower-cased names of all tables on the endpoint. */
async function existingTables(s: Session): Promise<Set<string>> {
  return call(s, 'list tables', async () => {
    const names = new Set<string>()
    for await (const table of s.service.listTables(tableCallOptions())) {
      if (table.name) names.add(table.name.toLowerCase())
    }
    return names
  })
}

function outputsOf(s: Session, tables: string[]): EnvironmentOutputs {
  return {
    connectionString: s.connectionString,
    accountKey: s.parsed.accountKey,
    tableNames: tables,
    storageAccountName: s.parsed.accountName,
    resourceGroupName: '',
    tableEndpoint: s.parsed.tableEndpoint,
    stackName: s.plan.names.stackName
  }
}

/** Runs one data-plane call and turns its failure into a message that names the endpoint, never the credential. */
async function call<T>(s: Session, action: string, op: () => Promise<T>): Promise<T> {
  try {
    return await op()
  } catch (error) {
    throw describeFailure(error, action, s)
  }
}

function describeFailure(error: unknown, action: string, s: Session): Error {
  if (error instanceof UserError) return error
  const where = s.where
  const check = "check the input 'emulator-connection-string'"
  const network = networkErrorCode(error)
  if (network) {
    const port = where.slice(where.lastIndexOf(':') + 1)
    return new UserError(
      `Cannot reach the Table endpoint at ${where} (${network}) to ${action}. Start Azurite there ` +
        `(e.g. npx azurite-table --tableHost 127.0.0.1 --tablePort ${port} --inMemoryPersistence --disableTelemetry) or ${check}.`
    )
  }
  if (isAbortError(error)) {
    return new UserError(`The Table endpoint at ${where} did not answer within ${TABLE_REQUEST_TIMEOUT_MS / 1000} s to ${action}; is it up? Otherwise ${check}.`)
  }
  const info = restErrorInfo(error)
  const detail = scrubConnectionSecrets(info.firstLine, s.connectionString, s.parsed)
  const code = info.code ? ` ${info.code}` : ''
  if (info.status === 401 || info.status === 403) {
    return new UserError(
      `The Table endpoint at ${where} refused the credentials (HTTP ${info.status}${code}) to ${action}: ` +
        `check the account name and key or SAS in the input 'emulator-connection-string'.`
    )
  }
  if (info.status !== undefined) {
    return new UserError(`The Table endpoint at ${where} answered HTTP ${info.status}${code} to ${action}: ${detail}`)
  }
  return new Error(`Failed to ${action} at ${where}: ${detail}`)
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
