// Proves that a table behaves as an event log, in a throwaway stream (one PartitionKey):
// transactional append, optimistic concurrency on the version, ordered read. The stream is
// removed afterwards whatever happened. Nothing relies on the order a query returns rows in:
// Azure Table Storage sorts by PartitionKey and RowKey, Cosmos DB for Table does not, so the
// read is put in RowKey order here, as an event store reading a stream has to do.
import { randomUUID } from 'node:crypto'
import type { TableClient } from '@azure/data-tables'
import { endpointHostPort, TABLE_REQUEST_TIMEOUT_MS, tableCallOptions, tableClientOptions } from '../tables/client.js'
import { parseConnectionString, toClientConnectionString, type ParsedConnectionString } from '../tables/connection-string.js'
import { isAbortError, networkErrorCode, restErrorInfo, scrubConnectionSecrets } from '../tables/errors.js'
import { UserError } from '../errors.js'
import { PayloadProbe, type PayloadTarget } from './payload.js'

export interface VerifyCheck {
  name: string
  ok: boolean
  detail: string
  /** The target cannot prove this property (an emulator's limit): shown, never counted as passed. */
  limit?: boolean
}

/** `ok` is true when every property check passed; a failed cleanup is listed but does not make `ok` false. */
export interface VerifyReport {
  ok: boolean
  checks: VerifyCheck[]
}

export const CHECK_APPEND = 'transactional append'
export const CHECK_CONCURRENCY = 'optimistic concurrency'
export const CHECK_ORDERED_READ = 'ordered read'
export const CHECK_CLEANUP = 'cleanup'

interface StoredEvent extends Record<string, unknown> {
  partitionKey: string
  rowKey: string
  type: string
  version: number
  data: string
}

export function versionKey(version: number): string {
  return String(version).padStart(10, '0')
}

export interface VerifyArgs {
  connectionString: string
  tableName: string
  /** PartitionKey of the throwaway stream; default `verify-<random uuid>`. */
  streamId?: string
  /** With payloads: the claim-check round trip through this container. */
  payload?: PayloadTarget
}

export async function verifyEventStore(args: VerifyArgs): Promise<VerifyReport> {
  const parsed = parseConnectionString(args.connectionString)
  const stream = args.streamId ?? `verify-${randomUUID()}`
  if (stream === '' || stream.length > 512 || /[/\\#?\u0000-\u001f\u007f-\u009f]/.test(stream)) {
    throw new UserError('The verify stream id must be 1 to 512 characters without / \\ # ? or control characters.')
  }
  const { TableClient } = await import('@azure/data-tables')
  const client = TableClient.fromConnectionString(toClientConnectionString(parsed), args.tableName, tableClientOptions(parsed))
  const ctx: Ctx = { client, stream, table: args.tableName, where: endpointHostPort(parsed.tableEndpoint), connectionString: args.connectionString, parsed }

  const marker = randomUUID()
  const events: StoredEvent[] = [1, 2].map((version) => ({
    partitionKey: stream,
    rowKey: versionKey(version),
    type: 'EventStoreVerified',
    version,
    data: JSON.stringify({ version, marker, text: `event ${version} of the verify stream` })
  }))

  const checks: VerifyCheck[] = []
  // Claim check: version 2 carries a reference to a payload too big for the table, in the same transaction.
  const probe = args.payload ? await PayloadProbe.write(args.payload, parsed, stream) : undefined
  const claim = probe instanceof PayloadProbe ? probe : undefined
  if (claim) Object.assign(events[1]!, claim.reference)
  else if (probe && !(probe instanceof PayloadProbe)) checks.push(probe)
  try {
    const append = await checkAppend(ctx, events)
    checks.push(append)
    if (append.ok) {
      checks.push(await checkConcurrency(ctx))
      checks.push(await checkOrderedRead(ctx, events))
      if (claim) {
        const stored = await ctx.client.getEntity<Record<string, unknown>>(stream, versionKey(2), tableCallOptions()).catch(() => undefined)
        checks.push(await claim.roundTrip(stored))
        const retention = await claim.retention()
        if (retention) checks.push(retention)
      }
    } else {
      const skipped = 'not run, because the transactional append failed (see above).'
      checks.push({ name: CHECK_CONCURRENCY, ok: false, detail: skipped }, { name: CHECK_ORDERED_READ, ok: false, detail: skipped })
    }
  } finally {
    const removed = await cleanup(ctx)
    if (claim) removed.detail += ` Payload: ${await claim.cleanup()}.`
    checks.push(removed)
  }
  return { ok: checks.filter((c) => c.name !== CHECK_CLEANUP && !c.limit).every((c) => c.ok), checks }
}

interface Ctx {
  client: TableClient
  stream: string
  table: string
  where: string
  connectionString: string
  parsed: ParsedConnectionString
}

async function checkAppend(ctx: Ctx, events: StoredEvent[]): Promise<VerifyCheck> {
  const name = CHECK_APPEND
  try {
    await ctx.client.submitTransaction(events.map((e) => ['create', e] as ['create', StoredEvent]), tableCallOptions())
  } catch (error) {
    return { name, ok: false, detail: `Appending versions 1 and 2 in one transaction failed: ${explain(ctx, error)}` }
  }
  // All or nothing: a transaction whose second append conflicts must not store its first one.
  const leaked = { partitionKey: ctx.stream, rowKey: versionKey(3), type: 'EventStoreVerified', version: 3, data: '{}' }
  const conflicting = { ...events[1]!, data: '{"conflict":true}' }
  try {
    await ctx.client.submitTransaction([['create', leaked], ['create', conflicting]], tableCallOptions())
    return {
      name,
      ok: false,
      detail: 'A transaction that appended version 3 and re-appended the existing version 2 was accepted: appends in one transaction are not checked together.'
    }
  } catch {
    // expected: the whole transaction is refused
  }
  try {
    await ctx.client.getEntity(ctx.stream, versionKey(3), tableCallOptions())
    await ctx.client.deleteEntity(ctx.stream, versionKey(3), tableCallOptions()).catch(() => undefined)
    return {
      name,
      ok: false,
      detail: 'A refused transaction still stored part of its events (version 3 was written although version 2 conflicted): appends are not all-or-nothing.'
    }
  } catch (error) {
    if (restErrorInfo(error).status !== 404) {
      return { name, ok: false, detail: `Could not confirm that a refused transaction stored nothing: ${explain(ctx, error)}` }
    }
  }
  return { name, ok: true, detail: 'Versions 1 and 2 were appended in one transaction, and a transaction with a conflicting event stored nothing.' }
}

async function checkConcurrency(ctx: Ctx): Promise<VerifyCheck> {
  const name = CHECK_CONCURRENCY
  // A writer that last saw version 1 appends "version 2" again: the store must refuse it.
  const stale = { partitionKey: ctx.stream, rowKey: versionKey(2), type: 'EventStoreVerifiedStale', version: 2, data: '{"stale":true}' }
  try {
    await ctx.client.createEntity(stale, tableCallOptions())
  } catch (error) {
    const info = restErrorInfo(error)
    if (info.status === 409) {
      return { name, ok: true, detail: 'An append expecting version 1 after version 2 existed was refused with 409 Conflict.' }
    }
    return { name, ok: false, detail: `An append expecting version 1 should be refused with 409 Conflict, but it failed otherwise: ${explain(ctx, error)}` }
  }
  return {
    name,
    ok: false,
    detail:
      'An append expecting version 1 was accepted although version 2 already existed: the store does not reject conflicting appends, so two writers could both write the same version.'
  }
}

/** Ordinal comparison (UTF-16 code units), the order Table Storage keeps RowKeys in; never locale-aware. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The entities of one stream in RowKey order, whatever order the store returned them in. */
export function inRowKeyOrder<T extends { rowKey?: string }>(entities: readonly T[]): T[] {
  return [...entities].sort((x, y) => compareKeys(x.rowKey ?? '', y.rowKey ?? ''))
}

async function checkOrderedRead(ctx: Ctx, events: StoredEvent[]): Promise<VerifyCheck> {
  const name = CHECK_ORDERED_READ
  let read: { rowKey?: string; data?: unknown; type?: unknown }[]
  try {
    // Sorted on the client: the store's own order is not part of the contract (Cosmos DB for Table does not sort).
    read = inRowKeyOrder(await listStream(ctx))
  } catch (error) {
    return { name, ok: false, detail: `Reading the stream failed: ${explain(ctx, error)}` }
  }
  const versions = read.map((e) => Number(e.rowKey))
  const expected = events.map((e) => e.version)
  if (versions.join(',') !== expected.join(',')) {
    return {
      name,
      ok: false,
      detail: `Reading the stream and ordering it by RowKey gave versions [${versions.join(', ')}] instead of [${expected.join(', ')}]: events do not come back complete and in version order.`
    }
  }
  for (const [i, event] of events.entries()) {
    if (read[i]?.data !== event.data || read[i]?.type !== event.type) {
      return { name, ok: false, detail: `Version ${event.version} came back with different data than was appended: stored events are not kept intact.` }
    }
  }
  return { name, ok: true, detail: 'Reading the stream returned versions [1, 2] in version order (sorted by RowKey on the client) with their data intact.' }
}

async function cleanup(ctx: Ctx): Promise<VerifyCheck> {
  const name = CHECK_CLEANUP
  try {
    const entities = await listStream(ctx)
    // Batches of at most 100 operations, one partition each.
    for (let i = 0; i < entities.length; i += 100) {
      const batch = entities.slice(i, i + 100).map((e) => ['delete', { partitionKey: ctx.stream, rowKey: e.rowKey ?? '' }] as ['delete', { partitionKey: string; rowKey: string }])
      await ctx.client.submitTransaction(batch, tableCallOptions())
    }
    return { name, ok: true, detail: `Removed the throwaway stream (${entities.length} entities).` }
  } catch (error) {
    return { name, ok: false, detail: `Could not remove the throwaway stream '${ctx.stream}' from table ${ctx.table} (harmless, delete it by hand if you like): ${explain(ctx, error)}` }
  }
}

async function listStream(ctx: Ctx): Promise<{ rowKey?: string; data?: unknown; type?: unknown }[]> {
  const { odata } = await import('@azure/data-tables')
  const out: { rowKey?: string; data?: unknown; type?: unknown }[] = []
  const pages = ctx.client.listEntities<{ data?: unknown; type?: unknown }>({ queryOptions: { filter: odata`PartitionKey eq ${ctx.stream}` }, ...tableCallOptions() })
  for await (const entity of pages) out.push(entity)
  return out
}

/** A failure in words, naming the endpoint and never the credential. */
function explain(ctx: Ctx, error: unknown): string {
  const network = networkErrorCode(error)
  if (network) return `cannot reach the Table endpoint at ${ctx.where} (${network}).`
  if (isAbortError(error)) return `the Table endpoint at ${ctx.where} did not answer within ${TABLE_REQUEST_TIMEOUT_MS / 1000} s.`
  const info = restErrorInfo(error)
  if (info.status === 404 && /TableNotFound/i.test(`${info.code ?? ''} ${info.firstLine}`)) {
    return `table ${ctx.table} does not exist at ${ctx.where} (run up first).`
  }
  const status = info.status !== undefined ? `HTTP ${info.status}${info.code ? ` ${info.code}` : ''}: ` : ''
  return `${status}${scrubConnectionSecrets(info.firstLine, ctx.connectionString, ctx.parsed)}`
}
