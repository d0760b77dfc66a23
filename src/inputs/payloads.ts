// Reads the opt-in inputs for large event payloads, tamper-proof retention and access logs. Every
// refusal is one InputError, thrown while the inputs are read, so nothing is provisioned.
import { InputError } from '../errors.js'
import { shown } from './shown.js'
import type { PayloadSettings } from '../types.js'

/** Azure's bounds for a time-based immutability period. */
export const RETENTION_DAYS_MIN = 1
export const RETENTION_DAYS_MAX = 146_000
/** The blob container every environment's payloads go to (per account, so one name suffices). */
export const PAYLOAD_CONTAINER = 'payloads'

const WORKSPACE_ID =
  /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/resourceGroups\/[-\w.()]{1,90}\/providers\/Microsoft\.OperationalInsights\/workspaces\/[A-Za-z0-9][A-Za-z0-9-]{2,61}[A-Za-z0-9]$/i

function flag(input: string, value: string): boolean {
  if (value === '' || /^false$/i.test(value)) return false
  if (/^true$/i.test(value)) return true
  throw new InputError(input, `got ${shown(value)}; allowed: true or false.`)
}

export function parseRetentionDays(value: string): number {
  const allowed = `allowed: a whole number of days from ${RETENTION_DAYS_MIN} to ${RETENTION_DAYS_MAX.toLocaleString('en-US')}.`
  if (!/^\d{1,7}$/.test(value)) throw new InputError('retention-days', `got ${shown(value)}; ${allowed}`)
  const days = Number(value)
  if (days < RETENTION_DAYS_MIN || days > RETENTION_DAYS_MAX) throw new InputError('retention-days', `got ${days}; ${allowed}`)
  return days
}

export function parseWorkspaceId(value: string): string {
  if (value.length > 400 || !WORKSPACE_ID.test(value)) {
    throw new InputError(
      'diagnostics-workspace-id',
      `got ${shown(value)}; allowed: a Log Analytics workspace resource id, /subscriptions/<guid>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>.`
    )
  }
  return value
}

/** `get` is core.getInput; the mode inputs are read again here so this check needs nothing else. */
export function readPayloadInputs(get: (name: string) => string): PayloadSettings {
  const given = (name: string): string => get(name).trim()
  const payloads = flag('payloads', given('payloads'))
  const daysText = given('retention-days')
  const lock = flag('retention-lock', given('retention-lock'))
  const workspaceText = given('diagnostics-workspace-id')
  const protect = /^true$/i.test(given('protect'))
  const target = (given('target') || 'azure').toLowerCase()
  const isolation = (given('isolation') || 'account').toLowerCase()
  const engine = (given('engine') || 'table-storage').toLowerCase()

  if (daysText !== '' && !payloads) throw new InputError('retention-days', 'is used only with payloads: true (it is the retention of the payload container); set payloads: true or remove it.')
  const retentionDays = daysText === '' ? undefined : parseRetentionDays(daysText)
  if (lock && retentionDays === undefined) throw new InputError('retention-lock', 'is used only with retention-days; set retention-days or remove it.')
  if (lock && !protect) {
    throw new InputError('retention-lock', 'needs protect: true. A locked policy can never be removed and the environment cannot be destroyed before its last blob expires, so it must be protected too.')
  }
  if (payloads && (isolation === 'tables' || engine === 'cosmos-table')) {
    throw new InputError('payloads', 'needs a storage account of the environment\'s own (isolation: account, engine: table-storage); the action never changes a shared account or a Cosmos DB account.')
  }
  const workspaceId = workspaceText === '' ? undefined : parseWorkspaceId(workspaceText)
  if (workspaceId && target === 'emulator') throw new InputError('diagnostics-workspace-id', 'needs the azure target; an emulator has no diagnostic settings.')
  if (workspaceId && (isolation === 'tables' || engine === 'cosmos-table')) {
    throw new InputError(
      'diagnostics-workspace-id',
      "is used only with isolation: account and engine: table-storage. A shared account belongs to its owner: give it one diagnostic setting, which covers every environment's tables, and filter by table name (see docs/payloads.md)."
    )
  }
  return {
    enabled: payloads,
    ...(retentionDays !== undefined ? { retentionDays } : {}),
    retentionLock: lock,
    ...(workspaceId ? { diagnosticsWorkspaceId: workspaceId } : {})
  }
}
