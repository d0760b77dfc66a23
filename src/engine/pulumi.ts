// The Azure engine: the inline program (program.ts) run through the Pulumi Automation API.
// The workspace is temporary, so backend, secrets provider and config are given every run.
import type { LocalWorkspaceOptions, OutputMap, Stack } from '@pulumi/pulumi/automation/index.js'
import { UserError } from '../errors.js'
import { selectProgram } from '../programs/index.js'
import { emptyChanges, type Engine, type EngineIO, type EngineResult, type Plan } from '../types.js'
import { AZURE_NATIVE_VERSION } from '../versions.js'
import { ensureProviderPlugin, ensurePulumiCli, pulumiHome, type PulumiCli } from './cli.js'
import { changesFrom, cliFailure, environmentOutputsFrom, isThrottled, resourceCollector, secretValues } from './pulumi-results.js'
import { retryWithin } from './retry.js'
import { assertStackOwner } from './ownership.js'

const LOCK_RETRY = { budgetMs: 5 * 60_000, initialDelayMs: 10_000, maxDelayMs: 60_000 }

type Automation = typeof import('@pulumi/pulumi/automation/index.js')

function workspaceOptions(plan: Plan, env: NodeJS.ProcessEnv, cli: PulumiCli): LocalWorkspaceOptions {
  const stackName = plan.names.stackName
  const backendUrl = plan.pulumi.backendUrl || env.PULUMI_BACKEND_URL
  // Self-managed backends default to passphrase secrets; the stack file is gone next run, so say it every time.
  const secretsProvider = plan.pulumi.secretsProvider || (backendUrl && !/^https:\/\//i.test(backendUrl) ? 'passphrase' : undefined)
  return {
    pulumiCommand: cli.command,
    // The action's own Pulumi home, whose plugins/ the Actions cache keeps between runs (cli.ts).
    pulumiHome: pulumiHome(env),
    projectSettings: { name: plan.project, runtime: 'nodejs', ...(backendUrl ? { backend: { url: backendUrl } } : {}) },
    ...(secretsProvider ? { secretsProvider, stackSettings: { [stackName]: { secretsProvider } } } : {}),
    envVars: { PULUMI_SKIP_UPDATE_CHECK: 'true' }
  }
}

async function openStack(auto: Automation, plan: Plan, options: LocalWorkspaceOptions, env: NodeJS.ProcessEnv): Promise<Stack | null> {
  const stackName = plan.names.stackName
  const program = selectProgram(plan, { repository: env.GITHUB_REPOSITORY || 'local', commit: env.GITHUB_SHA || 'local' })
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

export function createPulumiEngine(env: NodeJS.ProcessEnv = process.env): Engine {
  // Found or installed once per engine: prune lists stacks and then destroys several of them.
  let cli: PulumiCli | undefined
  const pulumiCli = async (plan: Plan, io: EngineIO): Promise<PulumiCli> => {
    if (!cli) {
      cli = await ensurePulumiCli(plan.pulumi.version)
      io.info(`Pulumi CLI ${cli.version} (${cli.source}).`)
    }
    return cli
  }
  return {
    async listEnvironments(plan: Plan, io: EngineIO): Promise<string[]> {
      const auto = await import('@pulumi/pulumi/automation/index.js')
      const options = workspaceOptions(plan, env, await pulumiCli(plan, io))
      const workspace = await auto.LocalWorkspace.create({ ...options, program: async () => ({}) })
      const stacks = await workspace.listStacks().catch((error: unknown) => {
        throw cliFailure('stack ls', plan.project, error)
      })
      // Pulumi Cloud may qualify names as org/project/stack.
      return stacks.map((s) => s.name.split('/').pop() ?? s.name)
    },

    async run(plan: Plan, io: EngineIO): Promise<EngineResult> {
      const auto = await import('@pulumi/pulumi/automation/index.js')
      const stackName = plan.names.stackName
      const stack = await openStack(auto, plan, workspaceOptions(plan, env, await pulumiCli(plan, io)), env)
      if (!stack) {
        return { changes: emptyChanges(), outputs: null, resources: [], notes: [`Environment '${plan.environment}' (stack ${stackName}) does not exist; nothing to destroy.`] }
      }
      // Before any config, plugin or engine command: a stack recorded for another environment is refused untouched.
      const recorded = (): Promise<OutputMap> => stack.outputs().catch((error: unknown) => Promise.reject(cliFailure('stack output', stackName, error)))
      await assertStackOwner(recorded, { environment: plan.environment, project: plan.project }, stackName)

      // Inline programs report no plugins, so install the provider at the bundled SDK's version (cached between runs).
      const plugin = await ensureProviderPlugin(stack.workspace, 'azure-native', AZURE_NATIVE_VERSION).catch((error: unknown) => {
        throw cliFailure('plugin install', stackName, error)
      })
      io.info(`azure-native plugin ${AZURE_NATIVE_VERSION} (${plugin}).`)
      await stack.setAllConfig({ 'azure-native:location': { value: plan.location } })

      const collector = resourceCollector()
      const common = { onOutput: (out: string) => io.info(out.trimEnd()), onEvent: collector.onEvent, color: 'never' as const }
      // Capped so parallel environments stay within Azure's write limits per subscription and region.
      const parallel = { parallel: plan.scale.parallelism }
      const gate = plan.expectNoChanges ? { expectNoChanges: true } : {}
      const locked = (error: unknown): boolean => error instanceof auto.ConcurrentUpdateError
      // The provider retries throttled calls itself; an operation that still ends on a 429 is run again.
      const retryable = (error: unknown): boolean => locked(error) || isThrottled(error)
      const withLockRetry = <T>(op: () => Promise<T>): Promise<T> =>
        retryWithin(op, {
          ...LOCK_RETRY,
          isRetryable: retryable,
          onRetry: (n, ms) => io.info(`Stack ${stackName} is locked by another run or Azure is throttling; retry ${n} in ${Math.round(ms / 1000)} s.`)
        }).catch((error: unknown) => {
          if (locked(error)) {
            throw new UserError(
              `Stack '${stackName}' stayed locked by another run for ${LOCK_RETRY.budgetMs / 60_000} minutes. ` +
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
          const protectedNames = protectedResources(await stack.exportStack())
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
}
