// The action: inputs → plan → engine → verify → publish. One run(), every path awaited,
// every failure ends in exactly one setFailed with secrets redacted.
import * as core from '@actions/core'
import { readRunContext } from './context.js'
import { UserError } from './errors.js'
import { readInputs } from './inputs.js'
import { buildPlan } from './plan.js'
import { checkAzurePrerequisites } from './preflight.js'
import { setEmptyOutputs, setEnvironmentOutputs } from './publish/outputs.js'
import { renderReport } from './publish/report.js'
import { maskSecret } from './publish/secrets.js'
import { writeSummary } from './publish/summary.js'
import { Redactor, SECRET_ENV_VARS } from './redact.js'
import type { Engine, EngineIO, Target } from './types.js'
import type { VerifyReport, verifyEventStore } from './verify.js'

type VerifyArgs = Parameters<typeof verifyEventStore>[0]

export interface Deps {
  getInput(name: string): string
  env: NodeJS.ProcessEnv
  loadEngine(target: Target): Promise<Engine>
  verifyEventStore(args: VerifyArgs): Promise<VerifyReport>
}

const defaultDeps: Deps = {
  getInput: (name) => core.getInput(name),
  env: process.env,
  loadEngine: async (target) => (await import('./engine/index.js')).loadEngine(target),
  verifyEventStore: async (args) => (await import('./verify.js')).verifyEventStore(args)
}

export async function run(overrides: Partial<Deps> = {}): Promise<void> {
  const deps: Deps = { ...defaultDeps, ...overrides }
  const redactor = new Redactor()
  const mask = (value: string): void => maskSecret(value, redactor)
  try {
    // Secrets that arrive as input or environment are masked before anything else happens.
    mask(deps.getInput('emulator-connection-string').trim())
    for (const name of SECRET_ENV_VARS) mask(deps.env[name] ?? '')

    const inputs = readInputs(deps.getInput)
    const context = readRunContext(deps.env)
    const plan = buildPlan(inputs, context)
    if (plan.target === 'azure') {
      for (const warning of checkAzurePrerequisites(plan, deps.env, context.fromFork).warnings) core.warning(warning)
    }

    const engine = await deps.loadEngine(plan.target)
    const io: EngineIO = { info: (line) => core.info(redactor.redact(line)), registerSecret: mask }
    const title = `${plan.command} ${plan.target === 'azure' ? 'Pulumi stack' : 'emulator environment'} ${plan.names.stackName}`
    const result = await core.group(title, () => engine.run(plan, io))

    if (result.outputs) {
      mask(result.outputs.connectionString)
      mask(result.outputs.accountKey)
      setEnvironmentOutputs(result.outputs)
    } else {
      setEmptyOutputs(plan.names.stackName)
    }
    for (const note of result.notes) core.notice(redactor.redact(note))

    let verify: VerifyReport | undefined
    if (plan.command === 'up' && plan.verify && result.outputs) {
      if (!result.outputs.connectionString) {
        core.notice('verify skipped: the environment has no connection string to check it with.')
      } else {
        verify = await core.group('verify the event store', () =>
          deps.verifyEventStore({ connectionString: result.outputs!.connectionString, tableName: result.outputs!.tableNames[0]! })
        )
      }
    }
    await writeSummary(redactor.redact(renderReport({ plan, result, ...(verify ? { verify } : {}) })))
    if (verify && !verify.ok) {
      const failed = verify.checks.filter((c: VerifyReport['checks'][number]) => !c.ok).map((c: VerifyReport['checks'][number]) => `${c.name}: ${c.detail}`)
      throw new UserError(`The event-store check failed on table '${result.outputs!.tableNames[0]}': ${failed.join('; ')}`)
    }
  } catch (error) {
    await reportFailure(error, redactor)
  }
}

async function reportFailure(error: unknown, redactor: Redactor): Promise<void> {
  const err = error instanceof Error ? error : new Error(String(error))
  const message = err instanceof UserError ? err.message : `Unexpected error: ${err.message}`
  // A stack trace helps only with our own bugs, and then only in debug logs.
  if (!(err instanceof UserError) && err.stack) core.debug(redactor.redact(err.stack))
  core.setFailed(redactor.redact(message))
}
