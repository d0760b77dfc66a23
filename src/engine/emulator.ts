// The emulator engine: up, preview, refresh and destroy on an existing Table endpoint (Azurite, or any
// account reachable by connection string) through the Table data plane. An environment's tables carry its
// name (plan.ts), and an ownership record on the endpoint (emulator-record.ts) says which tables it owns:
// every command reads the record first, works on the environment's recorded tables rather than only the
// input's, and refuses a table that another environment owns before anything changes.
import type { TableClient, TableServiceClient } from '@azure/data-tables'
import { endpointHostPort, TABLE_REQUEST_TIMEOUT_MS, tableCallOptions, tableClientOptions } from '../tables/client.js'
import { parseConnectionString, toClientConnectionString, type ParsedConnectionString } from '../tables/connection-string.js'
import { isAbortError, networkErrorCode, restErrorInfo, scrubConnectionSecrets } from '../tables/errors.js'
import { UserError } from '../errors.js'
import { emptyChanges, type ChangeSummary, type Engine, type EngineIO, type EngineResult, type EnvironmentOutputs, type Plan, type ResourceChange } from '../types.js'
import { deleteRecord, readRecords, RECORD_TABLE, writeRecord, type EnvironmentRecord } from './emulator-record.js'
import { destroyEmulatorPayloads, refreshEmulatorPayloads, upEmulatorPayloads } from './emulator-payloads.js'
import { otherOwners, ownRecord, reconcile, takenTables, unique, unknownTables, type EndpointState, type Reconciliation } from './emulator-reconcile.js'

export function createEmulatorEngine(): Engine {
  return { run, listEnvironments }
}

interface Session {
  plan: Plan
  io: EngineIO
  connectionString: string
  parsed: ParsedConnectionString
  service: TableServiceClient
  records: TableClient
  where: string
}

async function run(plan: Plan, io: EngineIO): Promise<EngineResult> {
  const session = await openSession(plan, io)
  const tables = unique(plan.tables)
  if (tables.length === 0 && (plan.command === 'up' || plan.command === 'preview')) {
    throw new UserError("The plan names no tables; give at least one in the input 'tables'.")
  }
  switch (plan.command) {
    case 'up': {
      const result = await up(session, tables)
      if (!plan.payloads?.enabled || !result.outputs) return result
      const extra = await upEmulatorPayloads(session)
      return { ...result, outputs: { ...result.outputs, ...extra.outputs }, notes: [...result.notes, ...extra.notes] }
    }
    case 'preview':
      return preview(session, tables)
    case 'refresh': {
      const result = await refresh(session, tables)
      return plan.payloads?.enabled && result.outputs ? { ...result, outputs: { ...result.outputs, ...(await refreshEmulatorPayloads(session)) } } : result
    }
    case 'destroy': {
      const result = await destroy(session, tables)
      return plan.payloads?.enabled ? { ...result, notes: [...result.notes, ...(await destroyEmulatorPayloads(session))] } : result
    }
    default: {
      const unknown: never = plan.command
      throw new UserError(`Unknown command '${String(unknown)}'; allowed: up, preview, refresh, destroy.`)
    }
  }
}

/** The environments of plan.project that the ownership record holds on this endpoint. */
async function listEnvironments(plan: Plan, io: EngineIO): Promise<string[]> {
  const session = await openSession(plan, io)
  const records = await call(session, `read ${RECORD_TABLE}`, () => readRecords(session.records))
  const found = new Set(records.filter((r) => r.project === plan.project).map((r) => r.environment))
  return [...found].sort(byNumberThenName)
}

/** pr-2 before pr-10; other names alphabetically. */
function byNumberThenName(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true }) || (a < b ? -1 : a > b ? 1 : 0)
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

  const { TableClient, TableServiceClient } = await import('@azure/data-tables')
  const clientConnectionString = toClientConnectionString(parsed)
  const service = TableServiceClient.fromConnectionString(clientConnectionString, tableClientOptions(parsed))
  const records = TableClient.fromConnectionString(clientConnectionString, RECORD_TABLE, tableClientOptions(parsed))
  return { plan, io, connectionString, parsed, service, records, where: endpointHostPort(parsed.tableEndpoint) }
}

/** The tables on the endpoint and every ownership record, read before anything is decided. */
async function readState(s: Session): Promise<EndpointState> {
  const existing = await existingTables(s)
  const records = await call(s, `read ${RECORD_TABLE}`, () => readRecords(s.records))
  return { existing, records }
}

/** Refuses, before any write, tables another environment owns and existing tables no record owns. */
function refuseForeign(s: Session, r: Reconciliation, tables: string[]): void {
  // Unreachable with today's naming (derived names end in a hex hash), and kept so whatever the rule becomes.
  if (tables.some((t) => t.toLowerCase() === RECORD_TABLE.toLowerCase())) {
    throw new UserError(`The table name ${RECORD_TABLE} is the action's own ownership record; nothing was changed. Choose other table names.`)
  }
  if (r.taken.length > 0) {
    const list = r.taken.map(({ table }) => table).join(', ')
    throw new UserError(
      `Table(s) ${list} belong to another environment on ${s.where} (its ownership record in ${RECORD_TABLE} claims them; ` +
        'two environments whose derived table names collide). Nothing was changed; use another environment name.'
    )
  }
  if (r.unrecorded.length > 0) {
    throw new UserError(
      `Table(s) ${r.unrecorded.join(', ')} already exist on ${s.where} but no ownership record in ${RECORD_TABLE} gives them to this environment, ` +
        'so they may hold someone else\'s data. Nothing was changed; delete those tables yourself if they are this environment\'s, then run up again.'
    )
  }
}

function isProtected(s: Session, own: EnvironmentRecord | undefined): boolean {
  return s.plan.protect || own?.protect === true
}

/** The changes `up` would make, in the input's order, then the deletes. */
function planned(r: Reconciliation, tables: string[]): { changes: ChangeSummary; resources: ResourceChange[] } {
  const changes: ChangeSummary = { ...emptyChanges(), create: r.creates.length, same: r.sames.length, delete: r.deletes.length }
  const creates = new Set(r.creates)
  const resources: ResourceChange[] = [
    ...tables.map((name): ResourceChange => ({ op: creates.has(name) ? 'create' : 'same', type: 'table', name })),
    ...r.deletes.map((name): ResourceChange => ({ op: 'delete', type: 'table', name }))
  ]
  return { changes, resources }
}

async function up(s: Session, tables: string[]): Promise<EngineResult> {
  const state = await readState(s)
  const r = reconcile(state, s.plan.project, s.plan.environment, tables)
  refuseForeign(s, r, tables)
  if (r.deletes.length > 0 && isProtected(s, r.own)) {
    throw new UserError(
      `The environment is protected, so up refuses to delete table(s) dropped from 'tables': ${r.deletes.join(', ')}. Nothing was changed; ` +
        "list them in 'tables' again, or run up with protect: false and the same tables first."
    )
  }
  const changed = r.creates.length + r.deletes.length
  // The drift gate acts before any write: up stops here rather than after creating the tables.
  if (s.plan.expectNoChanges && changed > 0) {
    throw new UserError(
      `expect-no-changes is true and up would make ${changed} change(s) in environment '${s.plan.environment}'` +
        `${listed('create', r.creates)}${listed('delete', r.deletes)}; nothing was written.`
    )
  }

  // The record claims new tables before they exist, so a concurrent run never sees them unowned.
  let record: EnvironmentRecord = r.own ?? { project: s.plan.project, environment: s.plan.environment, tables: [], protect: false }
  const claimed = unique([...record.tables, ...tables])
  if (!r.own || claimed.length !== record.tables.length) {
    record = await call(s, `write ${RECORD_TABLE}`, () => writeRecord(s.records, { ...record, tables: claimed, protect: isProtected(s, r.own) }))
  }
  for (const table of r.sames) s.io.info(`Table ${table}: exists at ${s.where}, left as is.`)
  for (const table of r.creates) {
    // createTable also succeeds when another run created the table in the meantime.
    await call(s, `create table ${table}`, () => s.service.createTable(table, tableCallOptions()))
    s.io.info(`Table ${table}: created at ${s.where}.`)
  }
  for (const table of r.deletes) {
    await call(s, `delete table ${table}`, () => s.service.deleteTable(table, tableCallOptions()))
    s.io.info(`Table ${table}: deleted at ${s.where} (no longer in 'tables').`)
  }
  // Then the record forgets what was deleted (and what had vanished), and takes this run's protect.
  if (!sameList(record.tables, tables) || record.protect !== s.plan.protect) {
    const current = record
    await call(s, `write ${RECORD_TABLE}`, () => writeRecord(s.records, { ...current, tables, protect: s.plan.protect }))
  }
  const { changes, resources } = planned(r, tables)
  return { changes, outputs: outputsOf(s, tables), resources, notes: [] }
}

async function preview(s: Session, tables: string[]): Promise<EngineResult> {
  const state = await readState(s)
  const r = reconcile(state, s.plan.project, s.plan.environment, tables)
  refuseForeign(s, r, tables)
  const { changes, resources } = planned(r, tables)
  for (const table of r.sames) s.io.info(`Table ${table}: exists, up would leave it as is.`)
  for (const table of r.creates) s.io.info(`Table ${table}: missing, up would create it.`)
  for (const table of r.deletes) s.io.info(`Table ${table}: no longer in 'tables', up would delete it.`)
  const notes: string[] = []
  if (!r.own && changes.same === 0) notes.push(`The environment does not exist yet at ${s.where}; up would create ${plural(changes.create, 'table')}.`)
  if (r.deletes.length > 0 && isProtected(s, r.own)) {
    notes.push(`The environment is protected: up would refuse to delete ${r.deletes.join(', ')} and change nothing.`)
  }
  return { changes, outputs: changes.same === 0 ? null : outputsOf(s, tables), resources, notes }
}

/** Drift against the record: recorded tables that vanished, and tables of the environment the record does not know. */
async function refresh(s: Session, tables: string[]): Promise<EngineResult> {
  const state = await readState(s)
  const own = ownRecord(state, s.plan.project, s.plan.environment)
  const changes = emptyChanges()
  const resources: ResourceChange[] = []
  const notes: string[] = []
  const vanished: string[] = []
  for (const table of own?.tables ?? []) {
    if (state.existing.has(table.toLowerCase())) {
      changes.same++
      resources.push({ op: 'read', type: 'table', name: table })
      s.io.info(`Table ${table}: exists at ${s.where}.`)
    } else {
      vanished.push(table)
      changes.delete++
      resources.push({ op: 'delete', type: 'table', name: table })
      s.io.info(`Table ${table}: recorded, but missing at ${s.where}.`)
    }
  }
  const unknown = unknownTables(state, s.plan.project, s.plan.environment, tables)
  for (const table of unknown) {
    changes.update++
    resources.push({ op: 'update', type: 'table', name: table })
    s.io.info(`Table ${table}: exists at ${s.where}, but the ownership record does not know it.`)
  }
  if (!own) notes.push(`The environment does not exist at ${s.where}: ${RECORD_TABLE} holds no record of it.`)
  if (vanished.length > 0) notes.push(`Drift: recorded table(s) ${vanished.join(', ')} do not exist at ${s.where}; run up to create them again.`)
  if (unknown.length > 0) {
    notes.push(`Drift: table(s) ${unknown.join(', ')} carry this environment's name at ${s.where} but its record does not own them; the action leaves them alone.`)
  }
  const present = (own?.tables ?? []).filter((t) => state.existing.has(t.toLowerCase()))
  return { changes, outputs: present.length === 0 ? null : outputsOf(s, own!.tables), resources, notes }
}

/** Removes every table the record gives this environment, whatever `tables` says, then the record. */
async function destroy(s: Session, tables: string[]): Promise<EngineResult> {
  const refuse = (why: string): UserError =>
    new UserError(`The environment is protected (${why}), so destroy refuses to delete its tables; nothing was deleted. Run up with protect: false first, then destroy.`)
  if (s.plan.protect) throw refuse("input 'protect' is true")
  const state = await readState(s)
  const own = ownRecord(state, s.plan.project, s.plan.environment)
  if (own?.protect) throw refuse('its last up set protect: true')
  const taken = takenTables(own?.tables ?? [], otherOwners(state, own))
  if (taken.length > 0) {
    throw new UserError(
      `Table(s) ${taken.map((t) => t.table).join(', ')} are claimed by another environment's ownership record in ${RECORD_TABLE} as well; nothing was deleted.`
    )
  }
  const changes = emptyChanges()
  const resources: ResourceChange[] = []
  const notes: string[] = []
  const gone: string[] = []
  for (const table of own?.tables ?? []) {
    if (state.existing.has(table.toLowerCase())) {
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
  if (own) await call(s, `delete the record in ${RECORD_TABLE}`, () => deleteRecord(s.records, own))
  if (!own) notes.push(`The environment's tables were already gone at ${s.where} (${RECORD_TABLE} holds no record of it); nothing to delete.`)
  else if (changes.delete === 0) notes.push(`The environment's tables were already gone at ${s.where}; its record is removed.`)
  else if (gone.length > 0) notes.push(`Already gone, nothing to delete: ${gone.join(', ')}.`)
  const unknown = unknownTables(state, s.plan.project, s.plan.environment, tables)
  if (unknown.length > 0) notes.push(`Left alone, since no record gives them to this environment: ${unknown.join(', ')}.`)
  return { changes, outputs: null, resources, notes }
}

function listed(op: string, tables: string[]): string {
  return tables.length === 0 ? '' : `; ${op} ${tables.join(', ')}`
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i])
}

/** Every table on the endpoint: lower-cased name → name as listed. */
async function existingTables(s: Session): Promise<Map<string, string>> {
  return call(s, 'list tables', async () => {
    const names = new Map<string, string>()
    for await (const table of s.service.listTables(tableCallOptions())) {
      if (table.name) names.set(table.name.toLowerCase(), table.name)
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
