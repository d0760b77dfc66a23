// Pure translations from the Automation API's results to ours, kept apart from the engine so
// they are tested without a Pulumi CLI.
import type { EngineEvent, OpMap, OutputMap } from '@pulumi/pulumi/automation/index.js'
import { UserError } from '../errors.js'
import { emptyChanges, type ChangeOp, type ChangeSummary, type EnvironmentOutputs, type ResourceChange } from '../types.js'

export function changesFrom(map: OpMap | undefined): ChangeSummary {
  const c = emptyChanges()
  if (!map) return c
  c.create = (map.create ?? 0) + (map.import ?? 0)
  c.update = map.update ?? 0
  c.delete = map.delete ?? 0
  c.replace = map.replace ?? 0
  c.same = map.same ?? 0
  return c
}

/**
 * The engine's counts include the stack's own root resource (a first up "creates" it, a destroy "deletes"
 * it); our counts are of Azure resources only, like the list in the summary.
 */
export function withoutStack(changes: ChangeSummary, stackOp: ChangeOp | undefined): ChangeSummary {
  if (!stackOp || stackOp === 'read') return changes
  return { ...changes, [stackOp]: Math.max(0, changes[stackOp] - 1) }
}

const OP_NAMES: Partial<Record<string, ChangeOp>> = {
  create: 'create',
  import: 'create',
  update: 'update',
  delete: 'delete',
  replace: 'replace',
  same: 'same',
  read: 'read',
  refresh: 'read'
}

const resourceName = (urn: string): string => urn.split('::').pop() ?? urn
const resourceType = (urn: string): string => urn.split('::').at(-2) ?? ''

export interface ResourceCollector {
  onEvent(event: EngineEvent): void
  readonly resources: ResourceChange[]
  /** What the engine did to the stack's own root resource, which its change counts include. */
  readonly stackOp: ChangeOp | undefined
  /** `type name: message` for each resource the engine reported an error on. */
  readonly failures: string[]
}

/** Collects one line per real resource (not the stack or providers) from the engine's events. */
export function resourceCollector(): ResourceCollector {
  const byUrn = new Map<string, ResourceChange>()
  const failures: string[] = []
  let stackOp: ChangeOp | undefined
  return {
    onEvent(event) {
      const diag = event.diagnosticEvent
      if (diag?.severity === 'error' && diag.urn && !resourceType(diag.urn).startsWith('pulumi:')) {
        failures.push(`${resourceType(diag.urn)} '${resourceName(diag.urn)}': ${diag.message.trim().split('\n')[0]}`)
      }
      const meta = event.resourcePreEvent?.metadata
      if (meta?.type === 'pulumi:pulumi:Stack') stackOp = OP_NAMES[meta.op]
      if (!meta || meta.type === 'pulumi:pulumi:Stack' || meta.type.startsWith('pulumi:providers:')) return
      const op = OP_NAMES[meta.op]
      if (!op) return
      byUrn.set(meta.urn, { op, type: meta.type, name: resourceName(meta.urn) })
    },
    get resources() {
      return [...byUrn.values()]
    },
    get stackOp() {
      return stackOp
    },
    get failures() {
      return [...failures]
    }
  }
}

const str = (outputs: OutputMap, key: string): string => {
  const v = outputs[key]?.value
  return typeof v === 'string' ? v : ''
}

function tableConnectionStringsFrom(outputs: OutputMap): { tableConnectionStrings?: Record<string, string> } {
  const v = outputs.tableConnectionStrings?.value
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {}
  return { tableConnectionStrings: Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)])) }
}

/** Our outputs from the stack's; undefined when the stack has none (e.g. never deployed). */
export function environmentOutputsFrom(outputs: OutputMap, stackName: string): EnvironmentOutputs | null {
  if (!outputs.storageAccountName) return null
  const tables = outputs.tableNames?.value
  return {
    connectionString: str(outputs, 'connectionString'),
    accountKey: str(outputs, 'accountKey'),
    tableNames: Array.isArray(tables) ? tables.map(String) : [],
    ...tableConnectionStringsFrom(outputs),
    storageAccountName: str(outputs, 'storageAccountName'),
    resourceGroupName: str(outputs, 'resourceGroupName'),
    tableEndpoint: str(outputs, 'tableEndpoint'),
    stackName,
    ...(str(outputs, 'payloadContainerName') ? { payloadContainerName: str(outputs, 'payloadContainerName'), blobEndpoint: str(outputs, 'blobEndpoint') } : {})
  }
}

/** The lines of a CLI failure a user needs: its `error:` lines, without the progress noise. */
export function summarizeCliFailure(message: string): string {
  const lines = message.split(/\r?\n/).map((l) => l.trim())
  const errors = lines.filter((l) => /^error:|\berror:\s/.test(l)).map((l) => l.replace(/^.*?error:\s*/, ''))
  const unique = [...new Set(errors)].filter((l) => l.length > 0)
  if (unique.length > 0) return unique.slice(0, 5).join(' | ')
  const last = lines.filter((l) => l.length > 0 && !l.startsWith('code:') && !l.startsWith('stdout:') && !l.startsWith('stderr:'))
  return (last.at(-1) ?? 'the Pulumi CLI failed without a message').slice(0, 500)
}

/** Translates a Pulumi failure into an error the user can act on. */
export function cliFailure(command: string, stackName: string, error: unknown, failures: string[] = []): UserError {
  const message = error instanceof Error ? error.message : String(error)
  const detail = failures.length > 0 ? `failed resource(s): ${failures.slice(0, 5).join(' | ')}` : summarizeCliFailure(message)
  let hint = 'See the collapsed engine log above for the full output.'
  if (/is protected|protect: true|protected resource/i.test(message)) {
    hint = "The environment's resources are protected (protect: true); run 'up' with protect: false first, then destroy."
  } else if (/AuthorizationFailed|AADSTS|does not have authorization|InvalidAuthenticationToken/i.test(message)) {
    hint = "Azure refused the credentials: check ARM_CLIENT_ID/ARM_TENANT_ID/ARM_SUBSCRIPTION_ID and that the principal has the 'Contributor' role on the subscription."
  } else if (/StorageAccountAlreadyTaken|AccountNameInvalid|already taken/i.test(message)) {
    hint = 'The storage account name is taken elsewhere in Azure; change the project input to derive a different name.'
  } else if (/passphrase/i.test(message)) {
    hint = 'Set PULUMI_CONFIG_PASSPHRASE to the same value on every run.'
  } else if (/--expect-no-changes|no changes were expected/i.test(message)) {
    hint = 'expect-no-changes is true and the environment differs from the program: run up (or refresh) to bring it back in line.'
  } else if (command === 'up' || command === 'destroy') {
    hint = `Run ${command} again to finish: Pulumi records what was done, so the next run continues from there. The collapsed engine log above has the full output.`
  }
  return new UserError(`pulumi ${command} failed on stack '${stackName}': ${detail}. ${hint}`)
}

/** Every string inside the outputs Pulumi flags secret, so each can be masked on its own. */
export function secretValues(outputs: OutputMap): string[] {
  const found: string[] = []
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v) found.push(v)
    } else if (Array.isArray(v)) v.forEach(walk)
    else if (v && typeof v === 'object') Object.values(v).forEach(walk)
  }
  for (const o of Object.values(outputs)) if (o.secret) walk(o.value)
  return found
}

/** Azure throttling (HTTP 429) that a later attempt can get through. */
export function isThrottled(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error)
  return /\b429\b|TooManyRequests|Too Many Requests|Retry-After/i.test(message)
}
