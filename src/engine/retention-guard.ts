// destroy of an environment whose payload retention is locked is refused before anything is deleted:
// Azure never deletes a locked policy, nor a container holding unexpired blobs, so a destroy would
// stop halfway with the tables already gone.
import { UserError } from '../errors.js'
import { stackRecord, type ExportedState } from './ownership.js'

export const POLICY_TYPE = 'azure-native:storage:BlobContainerImmutabilityPolicy'

type StateResource = { type?: string; urn?: string; outputs?: { state?: unknown; immutabilityPeriodSinceCreationInDays?: unknown } }

function policies(exported: ExportedState): StateResource[] {
  const resources = (exported.deployment as { resources?: StateResource[] } | undefined)?.resources ?? []
  return resources.filter((r) => r.type === POLICY_TYPE)
}

/**
 * Throws when the environment's retention is locked: recorded so by retention-lock, or found Locked in
 * the state. The lock is set outside Pulumi (a manual step), so a stack with a policy is refreshed first
 * (`refreshed` refreshes and exports again). Returns the state to go on with: the refreshed one, or the
 * one given when there was nothing to refresh.
 */
export async function refuseLockedRetention(exported: ExportedState, environment: string, refreshed: () => Promise<ExportedState>): Promise<ExportedState> {
  if (policies(exported).length === 0) return exported
  const state = await refreshed()
  const recorded = stackRecord(state).retentionLocked?.value === true
  const locked = policies(state).find((p) => String(p.outputs?.state ?? '').toLowerCase() === 'locked')
  if (!recorded && !locked) return state
  const days = locked?.outputs?.immutabilityPeriodSinceCreationInDays
  throw new UserError(
    `Environment '${environment}' keeps its payloads under a locked retention policy${typeof days === 'number' ? ` (${days} days)` : ''}; nothing was destroyed. ` +
      'Azure never removes a locked policy, and the payload container can be deleted only after its last blob has expired; destroy it then.'
  )
}
