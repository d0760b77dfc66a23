// The Azure engine: the inline program (program.ts) run through the Pulumi Automation API.
// The workspace is temporary, so backend, secrets provider and config are given every run.
import type { ConcurrentUpdateError as ConcurrentUpdateErrorType, Stack } from '@pulumi/pulumi/automation/index.js'
import { UserError } from '../errors.js'
import { createProgram } from '../program.js'
import { emptyChanges, type Engine, type EngineIO, type EngineResult, type Plan } from '../types.js'
import { AZURE_NATIVE_VERSION } from '../versions.js'
import { ensurePulumiCli } from './cli.js'
import { changesFrom, cliFailure, environmentOutputsFrom, resourceCollector } from './pulumi-results.js'
import { retryWithin } from './retry.js'

const LOCK_RETRY = { budgetMs: 5 * 60_000, initialDelayMs: 10_000, maxDelayMs: 60_000 }

export function createPulumiEngine(env: NodeJS.ProcessEnv = process.env): Engine {
  return {
    async run(plan: Plan, io: EngineIO): Promise<EngineResult> {
      const auto = await import('@pulumi/pulumi/automation/index.js')
      const cli = await ensurePulumiCli(plan.pulumi.version)
      io.info(`Pulumi CLI ${cli.version} (${cli.source}).`)

      const stackName = plan.names.stackName
      const backendUrl = plan.pulumi.backendUrl || env.PULUMI_BACKEND_URL
      const secretsProvider = plan.pulumi.secretsProvider || (backendUrl && !backendUrl.startsWith('https://') ? 'passphrase' : undefined)
      const workspaceOptions = {
        pulumiCommand: cli.command,
        projectSettings: { name: plan.project, runtime: 'nodejs' as const, ...(backendUrl ? { backend: { url: backendUrl } } : {}) },
        ...(secretsProvider ? { secretsProvider, stackSettings: { [stackName]: { secretsProvider } } } : {}),
        envVars: { PULUMI_SKIP_UPDATE_CHECK: 'true' }
      }
      const program = createProgram(plan, { repository: env.GITHUB_REPOSITORY || 'local', commit: env.GITHUB_SHA || 'local' })
      const args = { stackName, projectName: plan.project, program }

      let stack: Stack
      if (plan.command === 'destroy') {
        try {
          stack = await auto.LocalWorkspace.selectStack(args, workspaceOptions)
        } catch (error) {
          if (error instanceof auto.StackNotFoundError) {
            return { changes: emptyChanges(), outputs: null, resources: [], notes: [`Environment '${plan.environment}' (stack ${stackName}) does not exist; nothing to destroy.`] }
          }
          throw cliFailure('stack select', stackName, error)
        }
      } else {
        stack = await auto.LocalWorkspace.createOrSelectStack(args, workspaceOptions).catch((error: unknown) => {
          throw cliFailure('stack select', stackName, error)
        })
      }

      // Inline programs report no plugins, so install the provider at the bundled SDK's version.
      await stack.workspace.installPlugin('azure-native', `v${AZURE_NATIVE_VERSION}`).catch((error: unknown) => {
        throw cliFailure('plugin install', stackName, error)
      })
      await stack.setAllConfig({ 'azure-native:location': { value: plan.location } })

      const collector = resourceCollector()
      const common = { onOutput: (out: string) => io.info(out.trimEnd()), onEvent: collector.onEvent, color: 'never' as const }
      const locked = (error: unknown): boolean => error instanceof auto.ConcurrentUpdateError
      const withLockRetry = <T>(op: () => Promise<T>): Promise<T> =>
        retryWithin(op, {
          ...LOCK_RETRY,
          isRetryable: locked,
          onRetry: (n, ms) => io.info(`Stack ${stackName} is locked by another run; retry ${n} in ${Math.round(ms / 1000)} s.`)
        }).catch((error: unknown) => {
          if (locked(error)) {
            const e = error as ConcurrentUpdateErrorType
            throw new UserError(
              `Stack '${stackName}' stayed locked by another run for ${LOCK_RETRY.budgetMs / 60_000} minutes (${e.message.split('\n')[0]}). ` +
                'Give the workflow a concurrency group per environment (concurrency: { group: event-store-<environment> }) so runs queue instead of colliding.'
            )
          }
          throw cliFailure(plan.command, stackName, error)
        })

      const notes: string[] = []
      switch (plan.command) {
        case 'up': {
          const res = await withLockRetry(() => stack.up(common))
          const outputs = environmentOutputsFrom(res.outputs, stackName)
          if (outputs) {
            io.registerSecret(outputs.connectionString)
            io.registerSecret(outputs.accountKey)
          }
          return { changes: changesFrom(res.summary.resourceChanges), outputs, resources: collector.resources, notes }
        }
        case 'preview': {
          const res = await withLockRetry(() => stack.preview({ ...common, diff: false }))
          // A preview (often from a pull request) does not hand out the live environment's secrets.
          return { changes: changesFrom(res.changeSummary), outputs: null, resources: collector.resources, notes }
        }
        case 'refresh': {
          const res = await withLockRetry(() => stack.refresh(common))
          const all = await stack.outputs()
          const outputs = environmentOutputsFrom(all, stackName)
          if (outputs) {
            io.registerSecret(outputs.connectionString)
            io.registerSecret(outputs.accountKey)
          }
          return { changes: changesFrom(res.summary.resourceChanges), outputs, resources: collector.resources, notes }
        }
        case 'destroy': {
          const res = await withLockRetry(() => stack.destroy(common))
          await stack.workspace.removeStack(stackName)
          notes.push(`Stack ${stackName} was destroyed and removed.`)
          return { changes: changesFrom(res.summary.resourceChanges), outputs: null, resources: collector.resources, notes }
        }
      }
    }
  }
}
