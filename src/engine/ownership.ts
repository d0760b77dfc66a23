// Every stack records which environment (and project) it belongs to, as two plain outputs, and every
// command reads that record before it changes anything: a stack that another environment's name
// leads to (a hash collision, a renamed stack, a stack from an older naming) is refused untouched.
import { UserError } from '../errors.js'

/** The outputs every program adds, so the record travels with the stack's state on any backend. */
export const OWNER_OUTPUTS = { environment: 'environment', project: 'project' } as const

export interface StackOwner {
  environment: string
  project: string
}

/** Adds the owner record to a program's outputs. */
export function withOwnerRecord(program: () => Promise<Record<string, unknown>>, owner: StackOwner): () => Promise<Record<string, unknown>> {
  return async () => ({ ...(await program()), [OWNER_OUTPUTS.environment]: owner.environment, [OWNER_OUTPUTS.project]: owner.project })
}

type Outputs = Record<string, { value: unknown } | undefined>

/**
 * Throws unless the stack's recorded owner is the requested one. A stack without a record (new, or an
 * up that failed before its outputs were written) has nothing to contradict and passes.
 */
export function checkOwner(outputs: Outputs, wanted: StackOwner, stackName: string): void {
  const recorded = (key: string): string | undefined => {
    const value = outputs[key]?.value
    return value === undefined ? undefined : String(value)
  }
  const environment = recorded(OWNER_OUTPUTS.environment)
  const project = recorded(OWNER_OUTPUTS.project)
  const other = (environment !== undefined && environment !== wanted.environment) || (project !== undefined && project !== wanted.project)
  if (other) {
    // The record is not echoed: it is another environment's name, and this run's log may be public.
    throw new UserError(
      `Stack '${stackName}' belongs to another environment (its recorded environment or project differs from this run's); ` +
        'nothing was changed. Use another environment name, or inspect the stack with the Pulumi CLI.'
    )
  }
}

/** A stack's state as `pulumi stack export` gives it (the Automation API's exportStack). */
export type ExportedState = { deployment?: unknown }

/**
 * The root stack resource's outputs in an export: the owner record is two plain outputs, so one export
 * serves (stack.outputs() would run the CLI twice and decrypt every secret). Secrets stay encrypted
 * objects here, never compared as strings.
 */
export function stackRecord(exported: ExportedState): Record<string, { value: unknown; secret: boolean }> {
  const resources = (exported.deployment as { resources?: { type?: string; outputs?: Record<string, unknown> }[] } | undefined)?.resources ?? []
  const root = resources.find((r) => r.type === 'pulumi:pulumi:Stack')
  return Object.fromEntries(Object.entries(root?.outputs ?? {}).map(([key, value]) => [key, { value, secret: typeof value === 'object' && value !== null }]))
}

/** Checks the owner recorded in an exported state. */
export function assertStackOwner(exported: ExportedState, wanted: StackOwner, stackName: string): void {
  checkOwner(stackRecord(exported), wanted, stackName)
}
