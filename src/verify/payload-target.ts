// What main needs from the payload feature: verify's target and the run's notices.
import type { EnvironmentOutputs, Plan } from '../types.js'
import type { PayloadTarget } from './payload.js'

/** The claim-check target for verify, when the environment has a payload container. */
export function payloadTarget(plan: Plan, outputs: EnvironmentOutputs): { payload?: PayloadTarget } {
  if (!plan.payloads?.enabled || !outputs.payloadContainerName || !outputs.blobEndpoint) return {}
  const retention = plan.payloads.retentionDays !== undefined ? { retentionDays: plan.payloads.retentionDays } : {}
  return { payload: { blobEndpoint: outputs.blobEndpoint, containerName: outputs.payloadContainerName, enforcesRetention: plan.target === 'azure', ...retention } }
}

/** azure-native has no lock operation for an immutability policy, so locking is the user's one manual step. */
export function payloadNotes(plan: Plan, outputs: EnvironmentOutputs | null): string[] {
  if (plan.command !== 'up' || plan.target !== 'azure' || !plan.payloads?.retentionLock || !outputs) return []
  return [
    `retention-lock: the policy on container ${outputs.payloadContainerName ?? ''} is created unlocked, and destroy already refuses this environment. ` +
      `Lock it once, irreversibly: az storage container immutability-policy lock --account-name ${outputs.storageAccountName} --resource-group ${outputs.resourceGroupName} ` +
      `--container-name ${outputs.payloadContainerName ?? ''} --if-match "$(az storage container immutability-policy show --account-name ${outputs.storageAccountName} --container-name ${outputs.payloadContainerName ?? ''} --query etag -o tsv)"`
  ]
}
