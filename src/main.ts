// The action: inputs → plan → engine → verify → publish. One run(), every path awaited,
// every failure ends in exactly one setFailed with secrets redacted.
import * as core from '@actions/core'
import { readRunContext, type FullRunContext } from './inputs/context.js'
import { UserError } from './errors.js'
import { readInputs, type ActionInputs } from './inputs/inputs.js'
import { buildPlan } from './plan/plan.js'
import { pullRequestEnvironment, pullRequestOf } from './plan/naming.js'
import { checkAzurePrerequisites } from './plan/preflight.js'
import { setEmptyOutputs, setEnvironmentOutputs } from './publish/outputs.js'
import { renderPruneReport, renderReport } from './publish/report.js'
import { maskSecret } from './publish/secrets.js'
import { writeSummary } from './publish/summary.js'
import { Redactor, SECRET_ENV_VARS } from './publish/redact.js'
import { credentialParts } from './inputs/shown.js'
import { countChanges, type Engine, type EngineIO, type EngineResult, type Plan, type Target } from './types.js'
import type { VerifyReport, verifyEventStore } from './verify/event-store.js'
import type { GitHubTarget } from './publish/github.js'
import { payloadNotes, payloadTarget } from './verify/payload-target.js'

type VerifyArgs = Parameters<typeof verifyEventStore>[0]
type Check = VerifyReport['checks'][number]

/** Everything run() reaches outside itself; tests replace parts of it. */
export interface Deps {
  getInput(name: string): string
  env: NodeJS.ProcessEnv
  loadEngine(target: Target): Promise<Engine>
  verifyEventStore(args: VerifyArgs): Promise<VerifyReport>
  /** Creates or edits this environment's comment on the pull request. */
  upsertComment(target: GitHubTarget, pullRequestNumber: number, environment: string, markdown: string): Promise<void>
  /** Which of these pull requests are closed. */
  closedPullRequests(target: GitHubTarget, numbers: number[]): Promise<number[]>
}

const defaultDeps: Deps = {
  getInput: (name) => core.getInput(name),
  env: process.env,
  loadEngine: async (target) => (await import('./engine/index.js')).loadEngine(target),
  verifyEventStore: async (args) => (await import('./verify/event-store.js')).verifyEventStore(args),
  upsertComment: async (target, number, environment, markdown) => {
    await (await import('./publish/comment.js')).upsertPullRequestComment(target, number, environment, markdown)
  },
  closedPullRequests: async (target, numbers) => (await import('./publish/github.js')).closedPullRequests(target, numbers, (message) => core.warning(message))
}

export async function run(overrides: Partial<Deps> = {}): Promise<void> {
  const deps: Deps = { ...defaultDeps, ...overrides }
  const redactor = new Redactor()
  const mask = (value: string): void => maskSecret(value, redactor)
  try {
    // Secrets that arrive as input or environment are masked before anything else happens.
    mask(deps.getInput('emulator-connection-string').trim())
    mask(deps.getInput('github-token').trim())
    for (const name of SECRET_ENV_VARS) mask(deps.env[name] ?? '')
    // URL-like inputs and connection strings may carry userinfo, keys or tokens: their parts are masked before parsing.
    const urlLike = ['backend-url', 'secrets-provider', 'emulator-connection-string'].map((name) => deps.getInput(name))
    for (const value of [...urlLike, deps.env.PULUMI_BACKEND_URL ?? '']) {
      for (const part of credentialParts(value)) mask(part)
    }

    const inputs = readInputs(deps.getInput)
    const context = readRunContext(deps.env)
    const io: EngineIO = { info: (line) => core.info(redactor.redact(line)), registerSecret: mask }
    if (inputs.command === 'prune') {
      await prune(inputs, context, deps, io, redactor)
    } else {
      await deploy(buildPlan(inputs, context), inputs, context, deps, io, redactor)
    }
  } catch (error) {
    reportFailure(error, redactor)
  }
}

function preflight(plan: Plan, deps: Deps, context: FullRunContext): void {
  if (plan.target !== 'azure') return
  for (const warning of checkAzurePrerequisites(plan, deps.env, context.fromFork).warnings) core.warning(warning)
}

function githubTarget(inputs: ActionInputs, deps: Deps, context: FullRunContext): GitHubTarget {
  if (!inputs.githubToken) throw new UserError("Input 'github-token' is empty; the default is the workflow's token (${{ github.token }}).")
  return { apiUrl: deps.env.GITHUB_API_URL || 'https://api.github.com', token: inputs.githubToken, repository: context.repository }
}

async function deploy(plan: Plan, inputs: ActionInputs, context: FullRunContext, deps: Deps, io: EngineIO, redactor: Redactor): Promise<void> {
  preflight(plan, deps, context)
  const engine = await deps.loadEngine(plan.target)
  const title = `${plan.command} ${plan.target === 'azure' ? 'Pulumi stack' : 'emulator environment'} ${plan.names.stackName}`
  const result = await core.group(title, () => engine.run(plan, io))

  if (result.outputs) {
    maskSecret(result.outputs.connectionString, redactor)
    maskSecret(result.outputs.accountKey, redactor)
    for (const value of Object.values(result.outputs.tableConnectionStrings ?? {})) maskSecret(value, redactor)
    setEnvironmentOutputs(result.outputs)
    if (plan.auth === 'entra') {
      core.notice(
        'connection-string is empty: auth is entra, so shared-key access is off. Reach the tables at table-endpoint with an Entra ID credential' +
          (plan.principalId ? ` (principal ${plan.principalId} has Storage Table Data Contributor).` : '; no principal-id was given, so no role was assigned.')
      )
    }
  } else {
    setEmptyOutputs(plan.names.stackName)
  }
  for (const note of [...result.notes, ...payloadNotes(plan, result.outputs)]) core.notice(redactor.redact(note))

  const verify = await runVerify(plan, result, deps, redactor)
  const report = redactor.redact(renderReport({ plan, result, ...(verify ? { verify } : {}) }))
  await writeSummary(report)
  if (inputs.commentOnPr) await comment(plan, report, inputs, context, deps, redactor)

  if (verify && !verify.ok) {
    const failed = verify.checks.filter((c: Check) => !c.ok).map((c: Check) => `${c.name}: ${c.detail}`)
    throw new UserError(`The event-store check failed on table '${result.outputs!.tableNames[0]}': ${failed.join('; ')}`)
  }
  const changed = countChanges(result.changes)
  if (plan.expectNoChanges && plan.command !== 'destroy' && changed > 0) {
    throw new UserError(`expect-no-changes is true and ${plan.command} found ${changed} change(s) in environment '${plan.environment}'; see the summary for the list.`)
  }
}

async function runVerify(plan: Plan, result: EngineResult, deps: Deps, redactor: Redactor): Promise<VerifyReport | undefined> {
  if (plan.command !== 'up' || !plan.verify || !result.outputs) return undefined
  const { connectionString, tableNames } = result.outputs
  if (!connectionString || !tableNames[0]) {
    core.info('verify skipped: the environment has no connection string to check it with (auth: entra).')
    return undefined
  }
  return core.group('verify the event store', async () => {
    const report = await deps.verifyEventStore({ connectionString, tableName: tableNames[0]!, ...payloadTarget(plan, result.outputs!) })
    // The log says what the summary says, so a run without a step summary still shows the result.
    for (const check of report.checks) core.info(redactor.redact(`${check.ok ? 'passed' : check.limit ? 'NOT ENFORCED by this target' : 'FAILED'}: ${check.name}: ${check.detail}`))
    core.info(`Event-store check: ${report.ok ? 'passed' : 'failed'} on table ${tableNames[0]!}.`)
    return report
  })
}

async function comment(plan: Plan, report: string, inputs: ActionInputs, context: FullRunContext, deps: Deps, redactor: Redactor): Promise<void> {
  if (context.pullRequestNumber === undefined) {
    core.info('comment-on-pr: this run is not for a pull request; no comment.')
    return
  }
  try {
    await deps.upsertComment(githubTarget(inputs, deps, context), context.pullRequestNumber, plan.environment, report)
  } catch (error) {
    // Fork pull requests get a read-only token: the deployment stands, the comment is lost.
    core.warning(redactor.redact(`Could not comment on pull request #${context.pullRequestNumber}: ${error instanceof Error ? error.message : String(error)}`))
  }
}

async function prune(inputs: ActionInputs, context: FullRunContext, deps: Deps, io: EngineIO, redactor: Redactor): Promise<void> {
  // The listing needs only the project-level parts of a plan; the environment is a placeholder.
  const listing = buildPlan(inputs, context, { command: 'destroy', environment: 'prune' })
  preflight(listing, deps, context)
  const github = githubTarget(inputs, deps, context)
  const engine = await deps.loadEngine(listing.target)
  const environments = await core.group('list environments', () => engine.listEnvironments(listing, io))
  const numbers = environments.map((e) => pullRequestOf(e, inputs.project)).filter((n): n is number => n !== undefined)
  const closed = new Set(numbers.length > 0 ? await deps.closedPullRequests(github, numbers) : [])
  const pruned: string[] = []
  for (const n of numbers.filter((x) => closed.has(x)).sort((a, b) => a - b)) {
    const plan = buildPlan(inputs, context, { command: 'destroy', environment: pullRequestEnvironment(n) })
    await core.group(`destroy ${plan.environment} (pull request #${n} is closed)`, () => engine.run(plan, io))
    pruned.push(plan.environment)
  }
  core.setOutput('pruned-environments', JSON.stringify(pruned))
  core.info(pruned.length ? `Pruned ${pruned.length} environment(s): ${pruned.join(', ')}.` : 'Nothing to prune.')
  await writeSummary(redactor.redact(renderPruneReport({ project: inputs.project, target: inputs.target, found: environments, pruned })))
}

function reportFailure(error: unknown, redactor: Redactor): void {
  const err = error instanceof Error ? error : new Error(String(error))
  const message = err instanceof UserError ? err.message : `Unexpected error: ${err.message}`
  // A stack trace helps only with our own bugs, and then only in debug logs.
  if (!(err instanceof UserError) && err.stack) core.debug(redactor.redact(err.stack))
  core.setFailed(redactor.redact(message))
}
