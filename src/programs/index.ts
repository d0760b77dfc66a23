// Picks the inline program for a plan: Cosmos DB for Table, the environment's tables in a shared storage
// account, or (the default) a storage account of its own.
import { withOwnerRecord } from '../engine/ownership.js'
import { createProgram } from './storage-account.js'
import type { Plan } from '../types.js'
import { createCosmosTableProgram } from './cosmos.js'
import { createSharedTablesProgram } from './shared-tables.js'

export type ProgramContext = { repository: string; commit: string }

/** The plan's program, with the stack's owner record (environment and project) among its outputs. */
export function selectProgram(plan: Plan, context: ProgramContext): () => Promise<Record<string, unknown>> {
  return withOwnerRecord(programFor(plan, context), { environment: plan.environment, project: plan.project })
}

function programFor(plan: Plan, context: ProgramContext): () => Promise<Record<string, unknown>> {
  if (plan.scale.storageEngine === 'cosmos-table') return createCosmosTableProgram(plan, context)
  if (plan.scale.isolation === 'tables') return createSharedTablesProgram(plan, context)
  return createProgram(plan, context)
}
