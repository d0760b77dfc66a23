// The emulator target's ownership record: a table of the action's own on the Table endpoint, one entity
// per environment (project, the raw environment string, the tables it owns, protect). It is the emulator's
// counterpart of a Pulumi stack's state: every command reads it first, and no environment may touch a
// table that the record gives to another environment.
import { createHash } from 'node:crypto'
import type { TableClient } from '@azure/data-tables'
import { restErrorInfo, tableCallOptions } from '../connection-string.js'
import { UserError } from '../errors.js'

/**
 * Ends in a letter that is not a hex digit, so no derived table name (which ends in a hex hash) can equal it.
 * Table names are case-insensitive.
 */
export const RECORD_TABLE = 'EventStoreEnvironments'

const RECORD_VERSION = 1

export interface EnvironmentRecord {
  project: string
  environment: string
  /** Table names as created, in the order of the last up. */
  tables: string[]
  /** Set by up with protect: true; destroy and shrinking ups refuse while it is set (as Pulumi's state does). */
  protect: boolean
  /** Absent until the entity exists; guards every write. */
  etag?: string
}

/** Keys are hashes: environments may hold `/ # ?`, which keys may not, and any length up to 200. */
export function recordKeys(project: string, environment: string): { partitionKey: string; rowKey: string } {
  const sha = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex')
  return { partitionKey: sha(JSON.stringify([project])), rowKey: sha(JSON.stringify([project, environment])) }
}

interface RecordEntity {
  partitionKey: string
  rowKey: string
  project: string
  environment: string
  tables: string
  protect: boolean
  version: number
  updatedAt: string
}

/** Every record on the endpoint (all projects: a table name may collide across projects too). */
export async function readRecords(client: TableClient): Promise<EnvironmentRecord[]> {
  const records: EnvironmentRecord[] = []
  try {
    for await (const entity of client.listEntities<Partial<RecordEntity>>(tableCallOptions())) {
      records.push(fromEntity(entity))
    }
  } catch (error) {
    // No record table yet: no environment has been recorded here.
    if (restErrorInfo(error).status === 404) return []
    throw error
  }
  return records
}

function fromEntity(entity: Partial<RecordEntity> & { etag?: string }): EnvironmentRecord {
  let tables: unknown
  try {
    tables = JSON.parse(String(entity.tables ?? '[]'))
  } catch {
    tables = undefined
  }
  if (typeof entity.project !== 'string' || typeof entity.environment !== 'string' || !Array.isArray(tables) || !tables.every((t) => typeof t === 'string')) {
    // A record we cannot read could own anything; acting on a guess could touch another environment.
    throw new UserError(
      `The ownership record table ${RECORD_TABLE} holds an entity the action cannot read (row ${String(entity.rowKey).slice(0, 16)}); nothing was changed. Remove that entity or the table's foreign content.`
    )
  }
  const keys = recordKeys(entity.project, entity.environment)
  if (keys.partitionKey !== entity.partitionKey || keys.rowKey !== entity.rowKey) {
    throw new UserError(
      `The ownership record table ${RECORD_TABLE} holds an entity whose keys do not match its project and environment (row ${String(entity.rowKey).slice(0, 16)}); nothing was changed.`
    )
  }
  return { project: entity.project, environment: entity.environment, tables: tables as string[], protect: entity.protect === true, ...(entity.etag ? { etag: entity.etag } : {}) }
}

/**
 * Writes the record: creates it when it has no etag, else replaces it only if nobody changed it since it
 * was read. Returns the record with its new etag.
 */
export async function writeRecord(client: TableClient, record: EnvironmentRecord): Promise<EnvironmentRecord> {
  const entity: RecordEntity = {
    ...recordKeys(record.project, record.environment),
    project: record.project,
    environment: record.environment,
    tables: JSON.stringify(record.tables),
    protect: record.protect,
    version: RECORD_VERSION,
    updatedAt: new Date().toISOString()
  }
  try {
    if (record.etag === undefined) {
      await client.createTable(tableCallOptions()) // succeeds when the table exists already
      const response = await client.createEntity(entity, tableCallOptions())
      return { ...record, ...(response.etag ? { etag: response.etag } : {}) }
    }
    const response = await client.updateEntity(entity, 'Replace', { ...tableCallOptions(), etag: record.etag })
    return { ...record, ...(response.etag ? { etag: response.etag } : {}) }
  } catch (error) {
    throw concurrentChange(error) ?? error
  }
}

/** Deletes the record, only if nobody changed it since it was read. */
export async function deleteRecord(client: TableClient, record: EnvironmentRecord): Promise<void> {
  if (record.etag === undefined) return
  const { partitionKey, rowKey } = recordKeys(record.project, record.environment)
  try {
    await client.deleteEntity(partitionKey, rowKey, { ...tableCallOptions(), etag: record.etag })
  } catch (error) {
    throw concurrentChange(error) ?? error
  }
}

/** 409 on create (another run created it) or 412 on update/delete (another run changed it). */
function concurrentChange(error: unknown): UserError | undefined {
  const status = restErrorInfo(error).status
  if (status !== 409 && status !== 412) return undefined
  return new UserError(
    `Another run changed this environment's ownership record (${RECORD_TABLE}) at the same time (HTTP ${status}); ` +
      'this run stopped before losing its changes. Run the command again.'
  )
}
