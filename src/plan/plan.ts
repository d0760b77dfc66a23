// Turns validated inputs and the run's context into the Plan the engines execute:
// the environment's name, every derived resource name, and the engine settings.
import { InputError } from '../errors.js'
import { shown } from '../inputs/shown.js'
import type { RunContext } from '../inputs/context.js'
import type { ActionInputs } from '../inputs/inputs.js'
import { COSMOS_MAX_TAGS, FIXED_TAG_KEYS } from '../inputs/tags.js'
import { pulumiSettings } from './backend.js'
import { emulatorTableName, environmentNames, environmentSlug, pullRequestEnvironment } from './naming.js'
import type { Command, Plan } from '../types.js'
import { AZURITE_DEFAULT_CONNECTION_STRING, parseConnectionString } from '../tables/connection-string.js'
import { requireEmulatorBlobEndpoint } from '../tables/blob.js'

const MAX_ENVIRONMENT_LENGTH = 200

export function resolveEnvironment(given: string, context: RunContext): string {
  if (given !== '') return given
  if (context.pullRequestNumber !== undefined) return pullRequestEnvironment(context.pullRequestNumber)
  throw new InputError(
    'environment',
    `is required ${context.eventName ? `on '${context.eventName}' events` : 'outside pull requests'}; give a name such as staging, production or pr-42 (on pull_request events it defaults to pr-<number>).`
  )
}

/** Per-environment choices that differ from the inputs, as when prune destroys pr-<n>. */
export interface PlanOverrides {
  command?: Command
  environment?: string
}

export function buildPlan(inputs: ActionInputs, context: RunContext, overrides: PlanOverrides = {}): Plan {
  const environment = overrides.environment ?? resolveEnvironment(inputs.environment, context)
  const command: Command = overrides.command ?? (inputs.command === 'prune' ? 'destroy' : inputs.command)
  // A line break would split log lines and workflow commands; no branch or environment name has one.
  if (/[\u0000-\u001f\u007f]/.test(environment)) {
    throw new InputError('environment', 'contains a control character (such as a line break); allowed: a single-line name such as pr-42 or feature/Add-Memory.')
  }
  if (environment.length > MAX_ENVIRONMENT_LENGTH) {
    throw new InputError('environment', `is ${environment.length} characters long; allowed: at most ${MAX_ENVIRONMENT_LENGTH}.`)
  }
  if (environmentSlug(environment) === '') {
    throw new InputError('environment', `${shown(environment)} has no letters or digits (a-z, 0-9) to name resources after; include some, e.g. pr-42.`)
  }
  const names = environmentNames({ project: inputs.project, environment, repository: context.repository })
  const tables =
    // Tables that share an endpoint (an emulator, or a shared account) carry the environment.
    inputs.target === 'emulator' || inputs.scale.isolation === 'tables'
      ? inputs.tables.map((table) => emulatorTableName({ table, project: inputs.project, environment }))
      : inputs.tables
  const plan: Plan = {
    command,
    target: inputs.target,
    project: inputs.project,
    environment,
    repository: context.repository,
    commit: context.sha,
    names,
    location: inputs.location,
    sku: inputs.sku,
    tables,
    logicalTables: inputs.tables,
    tags: inputs.tags,
    protect: inputs.protect,
    verify: inputs.verify,
    removeStack: inputs.removeStack,
    expectNoChanges: inputs.expectNoChanges,
    auth: inputs.auth,
    ...(inputs.principalId ? { principalId: inputs.principalId } : {}),
    scale: inputs.scale,
    payloads: inputs.payloads,
    pulumi: pulumiSettings(inputs, context)
  }
  // Cosmos DB accepts 15 tags per resource; the fixed tags count against them.
  const userTags = Object.keys(inputs.tags).length
  if (inputs.scale.storageEngine === 'cosmos-table' && userTags + FIXED_TAG_KEYS.length > COSMOS_MAX_TAGS) {
    throw new InputError(
      'tags',
      `with engine cosmos-table at most ${COSMOS_MAX_TAGS - FIXED_TAG_KEYS.length} tags are allowed (Cosmos DB accepts ${COSMOS_MAX_TAGS} per resource and the action sets ${FIXED_TAG_KEYS.length}); got ${userTags}.`
    )
  }
  if (inputs.auth === 'entra' && inputs.target === 'emulator') {
    throw new InputError('auth', "'entra' needs the azure target; an emulator endpoint is reached with its connection string.")
  }
  if (inputs.principalId && inputs.auth !== 'entra') {
    throw new InputError('principal-id', "is used only with auth: entra; remove it or set auth: entra.")
  }
  if (inputs.target === 'emulator') {
    plan.emulatorConnectionString = inputs.emulatorConnectionString || AZURITE_DEFAULT_CONNECTION_STRING
    const parsed = parseConnectionString(plan.emulatorConnectionString) // throws an InputError that never echoes the value
    if (plan.payloads?.enabled) requireEmulatorBlobEndpoint(plan.emulatorConnectionString, parsed)
  }
  return plan
}
