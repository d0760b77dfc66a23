// destroy of an environment whose payload retention is locked is refused before anything is deleted:
// Azure never deletes a locked policy, nor a container holding unexpired blobs, so a destroy would
// stop halfway with the tables already gone.
import { UserError } from '../errors.js'

export const POLICY_TYPE = 'azure-native:storage:BlobContainerImmutabilityPolicy'

type Exported = { deployment?: unknown }
type StateResource = { type?: string; urn?: string; outputs?: { state?: unknown; immutabilityPeriodSinceCreationInDays?: unknown } }

function policies(exported: Exported): StateResource[] {
  const resources = (exported.deployment as { resources?: StateResource[] } | undefined)?.resources ?? []
  return resources.filter((r) => r.type === POLICY_TYPE)
}

export interface GuardedStack {
  exportStack(): Promise<Exported>
  outputs(): Promise<Record<string, { value: unknown }>>
}

/**
 * Throws when the environment's retention is locked: recorded so by retention-lock, or found Locked in
 * the state. The lock is set outside Pulumi (a manual step), so a stack with a policy is refreshed first.
 */
export async function refuseLockedRetention(stack: GuardedStack, environment: string, refresh: () => Promise<unknown>): Promise<void> {
  if (policies(await stack.exportStack()).length === 0) return
  await refresh()
  const recorded = (await stack.outputs()).retentionLocked?.value === true
  const locked = policies(await stack.exportStack()).find((p) => String(p.outputs?.state ?? '').toLowerCase() === 'locked')
  if (!recorded && !locked) return
  const days = locked?.outputs?.immutabilityPeriodSinceCreationInDays
  throw new UserError(
    `Environment '${environment}' keeps its payloads under a locked retention policy${typeof days === 'number' ? ` (${days} days)` : ''}; nothing was destroyed. ` +
      'Azure never removes a locked policy, and the payload container can be deleted only after its last blob has expired; destroy it then.'
  )
}
