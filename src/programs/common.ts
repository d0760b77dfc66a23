// What every inline program shares: the tags the action sets, and data-plane role assignments with stable names.
import { createHash } from 'node:crypto'
import * as pulumi from '@pulumi/pulumi'
import { RoleAssignment } from '@pulumi/azure-native/authorization/roleAssignment.js'
import { ResourceGroup } from '@pulumi/azure-native/resources/resourceGroup.js'
import type { Plan } from '../types.js'

export const MANAGED_BY = 'event-store-env-action'

/** Built-in role "Storage Table Data Contributor" (the same id in every tenant). */
export const TABLE_DATA_CONTRIBUTOR_ROLE = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

const TAG_VALUE_MAX = 256

/** User tags first, ours last: the four fixed tags are what cleanup and audits rely on. */
export function resourceTags(plan: Plan, context: { repository: string; commit: string }): Record<string, string> {
  return {
    ...plan.tags,
    environment: plan.environment.slice(0, TAG_VALUE_MAX),
    repository: context.repository.slice(0, TAG_VALUE_MAX),
    commit: context.commit.slice(0, TAG_VALUE_MAX),
    'managed-by': MANAGED_BY
  }
}

/** The subscription-scoped role definition id, with the subscription read off a resource id under it. */
export function roleDefinitionIdFor(resourceId: string, roleGuid: string): string {
  const subscription = /^\/subscriptions\/([^/]+)\//i.exec(resourceId)?.[1]
  if (!subscription) throw new Error(`cannot read the subscription from resource id '${resourceId}'`)
  return `/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`
}

/**
 * A stable role assignment name (a GUID, UUID v5 layout over sha1), so every up asks for the same
 * assignment instead of adding another. Resource ids and GUIDs are case-insensitive, so they are folded.
 */
export function roleAssignmentGuid(scope: string, principalId: string, roleDefinitionId: string): string {
  const bytes = createHash('sha1').update(`${scope}|${principalId}|${roleDefinitionId}`.toLowerCase(), 'utf8').digest().subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x50
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * The data role `roleGuid` for the principal on exactly `scope` (an account, a table, a container), under
 * the stable name. principalType is explicit because the SDK otherwise sends 'User'; ServicePrincipal
 * covers workload and managed identities, the CI case, and lets Azure accept an identity created moments
 * ago (no directory look-up).
 */
export function grantDataRole(
  name: string,
  scope: pulumi.Input<string>,
  principalId: string,
  roleGuid: string,
  options: pulumi.CustomResourceOptions
): RoleAssignment {
  const roleDefinitionId = pulumi.output(scope).apply((id) => roleDefinitionIdFor(id, roleGuid))
  return new RoleAssignment(
    name,
    {
      scope,
      principalId,
      principalType: 'ServicePrincipal',
      roleDefinitionId,
      roleAssignmentName: pulumi.all([scope, roleDefinitionId]).apply(([id, role]) => roleAssignmentGuid(id, principalId, role))
    },
    options
  )
}

/** What a program with a resource group of its own opens with: protect on every resource, the tags, the group. */
export function environmentGroup(
  plan: Plan,
  context: { repository: string; commit: string }
): { options: pulumi.CustomResourceOptions; tags: Record<string, string>; group: ResourceGroup } {
  const options: pulumi.CustomResourceOptions = { protect: plan.protect }
  const tags = resourceTags(plan, context)
  const group = new ResourceGroup('resource-group', { resourceGroupName: plan.names.resourceGroupName, location: plan.location, tags }, options)
  return { options, tags, group }
}
