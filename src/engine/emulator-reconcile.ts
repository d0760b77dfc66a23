// What a command would do to one environment on a shared Table endpoint, worked out from the tables that
// exist and the ownership records, before anything is written. Pure: no I/O.
import { emulatorTableName } from '../naming.js'
import type { EnvironmentRecord } from './emulator-record.js'

export interface EndpointState {
  /** Lower-cased name → name as the endpoint spells it. */
  existing: Map<string, string>
  records: EnvironmentRecord[]
}

export interface Reconciliation {
  own: EnvironmentRecord | undefined
  /** Tables `up` would create, keep, and delete (recorded as this environment's, dropped from `tables`). */
  creates: string[]
  sames: string[]
  deletes: string[]
  /** Tables that another environment's record owns, among those this command would touch. */
  taken: { table: string; owner: EnvironmentRecord }[]
  /** Tables this command would adopt that exist but that no record owns: not provably this environment's. */
  unrecorded: string[]
}

const lower = (name: string): string => name.toLowerCase()

export function ownRecord(state: EndpointState, project: string, environment: string): EnvironmentRecord | undefined {
  return state.records.find((r) => r.project === project && r.environment === environment)
}

/** Lower-cased table name → the other environment's record that owns it. */
export function otherOwners(state: EndpointState, own: EnvironmentRecord | undefined): Map<string, EnvironmentRecord> {
  const owners = new Map<string, EnvironmentRecord>()
  for (const record of state.records) {
    if (record === own) continue
    for (const table of record.tables) owners.set(lower(table), record)
  }
  return owners
}

/** The tables of `tablesToTouch` that another environment owns. */
export function takenTables(tablesToTouch: string[], owners: Map<string, EnvironmentRecord>): { table: string; owner: EnvironmentRecord }[] {
  const taken: { table: string; owner: EnvironmentRecord }[] = []
  for (const table of unique(tablesToTouch)) {
    const owner = owners.get(lower(table))
    if (owner) taken.push({ table, owner })
  }
  return taken
}

/** `desired`: the environment's table names as plan.ts derived them from `tables`. */
export function reconcile(state: EndpointState, project: string, environment: string, desired: string[]): Reconciliation {
  const own = ownRecord(state, project, environment)
  const owned = new Set((own?.tables ?? []).map(lower))
  const wanted = new Set(desired.map(lower))
  const owners = otherOwners(state, own)
  const exists = (t: string): boolean => state.existing.has(lower(t))
  return {
    own,
    creates: desired.filter((t) => !exists(t)),
    sames: desired.filter((t) => exists(t)),
    deletes: (own?.tables ?? []).filter((t) => !wanted.has(lower(t)) && exists(t)),
    taken: takenTables([...desired, ...(own?.tables ?? [])], owners),
    unrecorded: desired.filter((t) => exists(t) && !owned.has(lower(t)) && !owners.has(lower(t)))
  }
}

/**
 * Existing tables whose name the naming rule gives this environment (for some table name that is a prefix
 * of it), or that `desired` names, and that no record owns: drift the record does not know.
 */
export function unknownTables(state: EndpointState, project: string, environment: string, desired: string[]): string[] {
  const own = ownRecord(state, project, environment)
  const owned = new Set((own?.tables ?? []).map(lower))
  const owners = otherOwners(state, own)
  const wanted = new Set(desired.map(lower))
  const found: string[] = []
  for (const [key, name] of state.existing) {
    if (owned.has(key) || owners.has(key)) continue
    if (wanted.has(key) || derivedFor(name, project, environment)) found.push(name)
  }
  return found.sort()
}

function derivedFor(name: string, project: string, environment: string): boolean {
  for (let k = 1; k < name.length; k++) {
    const table = name.slice(0, k)
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(table)) return false
    if (lower(emulatorTableName({ table, project, environment })) === lower(name)) return true
  }
  return false
}

export function unique(tables: string[]): string[] {
  const seen = new Set<string>()
  return tables.filter((t) => {
    const key = lower(t)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
