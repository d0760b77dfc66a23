// The Azure engine: the inline program (program.ts) run through the Pulumi Automation API.
// The workspace is temporary, so backend, secrets provider and config are given every run.
import { mkdirSync } from 'node:fs'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import type { LocalWorkspaceOptions, OutputMap, Stack } from '@pulumi/pulumi/automation/index.js'
import { UserError } from '../errors.js'
import { selectProgram } from '../programs/index.js'
import { emptyChanges, type Engine, type EngineIO, type EngineResult, type Plan } from '../types.js'
import { AZURE_NATIVE_VERSION } from '../versions.js'
import { ensureProviderPlugin, ensurePulumiCli, pulumiHome, type PulumiCli } from './cli.js'
import { changesFrom as engineCounts, cliFailure, withoutStack, environmentOutputsFrom, isThrottled, resourceCollector, secretValues } from './pulumi-results.js'
import { retryWithin } from './retry.js'
import { assertStackOwner, type ExportedState } from './ownership.js'
import { refuseLockedRetention } from './retention-guard.js'

const LOCK_RETRY = { budgetMs: 5 * 60_000, initialDelayMs: 10_000, maxDelayMs: 60_000 }

/** Only the tests set this: a shorter lock-retry budget (ms), so a lock test does not wait five minutes. */
export const TEST_LOCK_BUDGET_VAR = 'EVENT_STORE_TEST_LOCK_BUDGET_MS'

export function lockRetry(env: NodeJS.ProcessEnv): typeof LOCK_RETRY {
  const budgetMs = Number(env[TEST_LOCK_BUDGET_VAR])
  if (!Number.isInteger(budgetMs) || budgetMs <= 0) return LOCK_RETRY
  return { budgetMs, initialDelayMs: Math.min(LOCK_RETRY.initialDelayMs, Math.max(250, budgetMs / 10)), maxDelayMs: Math.min(LOCK_RETRY.maxDelayMs, budgetMs / 2) }
}

export type Automation = typeof import('@pulumi/pulumi/automation/index.js')

/** Everything the engine reaches outside itself; unit tests replace parts of it. */
export interface PulumiDeps {
  automation(): Promise<Automation>
  ensureCli(version: string): Promise<PulumiCli>
  ensurePlugin(workspace: Stack['workspace'], name: string, version: string): Promise<string>
}

const defaultDeps: PulumiDeps = {
  automation: () => import('@pulumi/pulumi/automation/index.js'),
  ensureCli: (version) => ensurePulumiCli(version),
  ensurePlugin: (workspace, name, version) => ensureProviderPlugin(workspace, name, version)
}

/**
 * A fresh directory under the job's temporary directory for the Automation API's workspace (Pulumi.yaml
 * with the backend URL, Pulumi.<stack>.yaml): left to itself the API would put it in the system temporary
 * directory and never remove it. Owner-only, and removed by the caller when the run ends.
 */
export async function createWorkDir(env: NodeJS.ProcessEnv): Promise<string> {
  const base = env.RUNNER_TEMP || join(homedir(), '.cache', 'event-store-env-action', 'temp')
  mkdirSync(base, { recursive: true })
  const dir = await mkdtemp(join(base, 'pulumi-workspace-'))
  await chmod(dir, 0o700)
  return dir
}

async function inWorkDir<T>(env: NodeJS.ProcessEnv, fn: (workDir: string) => Promise<T>): Promise<T> {
  const workDir = await createWorkDir(env)
  try {
    return await fn(workDir)
  } finally {
    await rm(workDir, { recursive: true, force: true })
  }
}

function workspaceOptions(plan: Plan, env: NodeJS.ProcessEnv, cli: PulumiCli, workDir: string): LocalWorkspaceOptions {
  const stackName = plan.names.stackName
  // Both decided once in the plan (plan/backend.ts); the stack file is gone next run, so they are said every time.
  const { backendUrl, secretsProvider } = plan.pulumi
  return {
    workDir,
    pulumiCommand: cli.command,
    // The action's own Pulumi home, whose plugins/ the Actions cache keeps between runs (cli.ts).
    pulumiHome: pulumiHome(env),
    projectSettings: { name: plan.project, runtime: 'nodejs', ...(backendUrl ? { backend: { url: backendUrl } } : {}) },
    ...(secretsProvider ? { secretsProvider, stackSettings: { [stackName]: { secretsProvider } } } : {}),
    envVars: { PULUMI_SKIP_UPDATE_CHECK: 'true' }
  }
}

async function openStack(auto: Automation, plan: Plan, options: LocalWorkspaceOptions): Promise<Stack | null> {
  const stackName = plan.names.stackName
  const program = selectProgram(plan, { repository: plan.repository, commit: plan.commit })
  const args = { stackName, projectName: plan.project, program }
  try {
    // destroy never creates a stack just to find it empty
    if (plan.command === 'destroy') return await auto.LocalWorkspace.selectStack(args, options)
    return await auto.LocalWorkspace.createOrSelectStack(args, options)
  } catch (error) {
    if (plan.command === 'destroy' && error instanceof auto.StackNotFoundError) return null
    throw cliFailure('stack select', stackName, error)
  }
}

/** Names of the resources marked protect in a stack's exported deployment. */
export function protectedResources(deployment: { deployment?: unknown }): string[] {
  const resources = (deployment.deployment as { resources?: { urn?: string; protect?: boolean }[] } | undefined)?.resources ?? []
  return resources.filter((r) => r.protect && r.urn).map((r) => r.urn!.split('::').pop()!)
}

export function createPulumiEngine(env: NodeJS.ProcessEnv = process.env, overrides: Partial<PulumiDeps> = {}): Engine {
  const deps: PulumiDeps = { ...defaultDeps, ...overrides }
  const LOCK = lockRetry(env)
  // Found or installed once per engine: prune lists stacks and then destroys several of them.
  let cli: PulumiCli | undefined
  const pulumiCli = async (plan: Plan, io: EngineIO): Promise<PulumiCli> => {
    if (!cli) {
      cli = await deps.ensureCli(plan.pulumi.version)
      io.info(`Pulumi CLI ${cli.version} (${cli.source}).`)
    }
    return cli
  }
  return {
    async listEnvironments(plan: Plan, io: EngineIO): Promise<string[]> {
      const auto = await deps.automation()
      const cli = await pulumiCli(plan, io)
      return inWorkDir(env, async (workDir) => {
        const options = workspaceOptions(plan, env, cli, workDir)
        const workspace = await auto.LocalWorkspace.create({ ...options, program: async () => ({}) })
        const stacks = await workspace.listStacks().catch((error: unknown) => {
          throw cliFailure('stack ls', plan.project, error)
        })
        // Pulumi Cloud may qualify names as org/project/stack.
        return stacks.map((s) => s.name.split('/').pop() ?? s.name)
      })
    },

    async run(plan: Plan, io: EngineIO): Promise<EngineResult> {
      const auto = await deps.automation()
      const cli = await pulumiCli(plan, io)
      return inWorkDir(env, (workDir) => runIn(auto, workspaceOptions(plan, env, cli, workDir), plan, io))
    }
  }

  async function runIn(auto: Automation, options: LocalWorkspaceOptions, plan: Plan, io: EngineIO): Promise<EngineResult> {
    const stackName = plan.names.stackName
    const stack = await openStack(auto, plan, options)
    if (!stack) {
      return { changes: emptyChanges(), outputs: null, resources: [], notes: [`Environment '${plan.environment}' (stack ${stackName}) does not exist; nothing to destroy.`] }
    }
    // The state, exported once: the owner record, and for destroy the retention and protect checks.
    // The provider plugin (which changes no stack) is made ready meanwhile, so the export costs no extra wait.
    const exportState = (): Promise<ExportedState> => stack.exportStack().catch((error: unknown) => Promise.reject(cliFailure('stack export', stackName, error)))
    const [plugin, state] = await Promise.all([
      // Inline programs report no plugins, so install the provider at the bundled SDK's version (cached between runs).
      deps.ensurePlugin(stack.workspace, 'azure-native', AZURE_NATIVE_VERSION).catch((error: unknown) => {
        throw cliFailure('plugin install', stackName, error)
      }),
      exportState()
    ])
    // Before any config or engine command: a stack recorded for another environment is refused untouched.
    assertStackOwner(state, { environment: plan.environment, project: plan.project }, stackName)
    io.info(`azure-native plugin ${AZURE_NATIVE_VERSION} (${plugin}).`)
    await stack.setAllConfig({ 'azure-native:location': { value: plan.location } })

    const collector = resourceCollector()
    const changesFrom = (map: Parameters<typeof engineCounts>[0]): ReturnType<typeof engineCounts> => withoutStack(engineCounts(map), collector.stackOp)
    const common = { onOutput: (out: string) => io.info(out.trimEnd()), onEvent: collector.onEvent, color: 'never' as const }
    // Capped so parallel environments stay within Azure's write limits per subscription and region.
    const parallel = { parallel: plan.scale.parallelism }
    const gate = plan.expectNoChanges ? { expectNoChanges: true } : {}
    const locked = (error: unknown): boolean => error instanceof auto.ConcurrentUpdateError
    // The provider retries throttled calls itself; an operation that still ends on a 429 is run again.
    const retryable = (error: unknown): boolean => locked(error) || isThrottled(error)
    const withLockRetry = <T>(op: () => Promise<T>): Promise<T> =>
      retryWithin(op, {
        ...LOCK,
        isRetryable: retryable,
        onRetry: (n, ms) => io.info(`Stack ${stackName} is locked by another run or Azure is throttling; retry ${n} in ${Math.round(ms / 1000)} s.`)
      }).catch((error: unknown) => {
        if (locked(error)) {
          throw new UserError(
            `Stack '${stackName}' stayed locked by another run for ${Math.round(LOCK.budgetMs / 1000)} s. ` +
              'Give the workflow a concurrency group per environment (concurrency: { group: event-store-<environment> }) so runs queue instead of colliding.'
          )
        }
        throw cliFailure(plan.command, stackName, error, collector.failures)
      })
    // Every value the program marked secret is masked the moment it is known.
    const secretOutputs = (all: OutputMap): EngineResult['outputs'] => {
      for (const value of secretValues(all)) io.registerSecret(value)
      return environmentOutputsFrom(all, stackName)
    }

    const notes: string[] = []
    switch (plan.command) {
      case 'up': {
        // `up` runs with --skip-preview, and the engine then checks expect-no-changes only after it has
        // applied the changes: a preview with the same gate first fails before anything is applied.
        if (plan.expectNoChanges) await withLockRetry(() => stack.preview({ ...common, ...gate, ...parallel, diff: false }))
        const res = await withLockRetry(() => stack.up({ ...common, ...gate, ...parallel }))
        const outputs = secretOutputs(res.outputs)
        return { changes: changesFrom(res.summary.resourceChanges), outputs, resources: collector.resources, notes }
      }
      case 'preview': {
        const res = await withLockRetry(() => stack.preview({ ...common, ...gate, ...parallel, diff: false }))
        // A preview (often from a pull request) does not hand out the live environment's secrets.
        return { changes: changesFrom(res.changeSummary), outputs: null, resources: collector.resources, notes }
      }
      case 'refresh': {
        const res = await withLockRetry(() => stack.refresh({ ...common, ...gate, ...parallel }))
        const outputs = secretOutputs(await stack.outputs())
        return { changes: changesFrom(res.summary.resourceChanges), outputs, resources: collector.resources, notes }
      }
      case 'destroy': {
        // Refuse before anything is deleted, rather than fail halfway at the first protected resource.
        const current = await refuseLockedRetention(state, plan.environment, async () => {
          await withLockRetry(() => stack.refresh({ onOutput: common.onOutput, color: 'never', ...parallel }))
          return exportState()
        })
        const protectedNames = protectedResources(current)
        if (protectedNames.length > 0) {
          throw new UserError(
            `Environment '${plan.environment}' is protected (${protectedNames.join(', ')}); nothing was destroyed. ` +
              "Run 'up' with protect: false first, then destroy."
          )
        }
        const res = await withLockRetry(() => stack.destroy({ ...common, ...parallel }))
        if (plan.removeStack) {
          await stack.workspace.removeStack(stackName)
          notes.push(`Stack ${stackName} was destroyed and removed.`)
        } else {
          notes.push(`Stack ${stackName} was destroyed; the empty stack is kept (remove-stack: false).`)
        }
        return { changes: changesFrom(res.summary.resourceChanges), outputs: null, resources: collector.resources, notes }
      }
    }
  }
}
