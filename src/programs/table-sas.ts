// The table-scoped SAS of isolation `tables`: which key signs it, what it covers, and the connection string
// that carries it. Pure helpers; Azure Resource Manager signs the SAS (listStorageAccountServiceSAS).
import { createHash } from 'node:crypto'

/** Query, add, update, delete on entities of one table: what an event store needs, and nothing on the account. */
export const TABLE_SAS_PERMISSIONS = 'raud'

export type SigningKey = 'key1' | 'key2'

/**
 * The account key that signs an environment's SAS. A service SAS stays valid exactly as long as the key that
 * signed it, so signing every environment with key1 would let one rotation cut off every environment at once.
 * Each environment is pinned to one key by a hash of project and environment, which spreads environments
 * evenly over both keys and keeps the choice stable across runs: rotating one key breaks about half of the
 * environments (a later `up` re-issues their SAS with the new key), and rotating the keys one after the other
 * with an `up` of every environment in between breaks none.
 */
export function signingKeyFor(project: string, environment: string): SigningKey {
  const first = createHash('sha256').update(`${project}|${environment}`, 'utf8').digest()[0]!
  return first % 2 === 0 ? 'key1' : 'key2'
}

/** The signed resource of a table SAS. Table names are case-insensitive and signed in lowercase. */
export function canonicalizedTableResource(accountName: string, tableName: string): string {
  return `/table/${accountName}/${tableName.toLowerCase()}`
}

/**
 * A SAS token that names its table: the service reads the table from `tn`, which the signature does not cover
 * (it covers the canonicalized resource instead), so it is added when the token came back without it.
 */
export function withTableName(token: string, tableName: string): string {
  const bare = token.replace(/^\?/, '')
  if (/(^|&)tn=/.test(bare)) return bare
  return `${bare}&tn=${encodeURIComponent(tableName.toLowerCase())}`
}

/** `TableEndpoint=<endpoint>;SharedAccessSignature=<token>`, the form Azure SDKs read for a SAS. */
export function sasConnectionString(tableEndpoint: string, token: string): string {
  return `TableEndpoint=${tableEndpoint.replace(/\/+$/, '')};SharedAccessSignature=${token.replace(/^\?/, '')}`
}
