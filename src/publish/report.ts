// Renders the run's report as Markdown, for the job summary (and the PR comment). Only
// non-secret facts go in; the connection string is never passed to this module.
import type { EngineResult, Plan } from '../types.js'
import type { VerifyReport } from '../verify.js'

export interface ReportInput {
  plan: Plan
  result: EngineResult
  verify?: VerifyReport
}

const escapeCell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')

const HEADINGS: Record<string, string> = {
  up: 'Environment is up',
  preview: 'Preview',
  refresh: 'Refresh',
  destroy: 'Environment destroyed'
}

export function renderReport({ plan, result, verify }: ReportInput): string {
  const lines: string[] = []
  lines.push(`### ${HEADINGS[plan.command] ?? plan.command}: \`${escapeCell(plan.environment)}\``)
  lines.push('')
  lines.push(`Command \`${plan.command}\` on target \`${plan.target}\`, stack \`${plan.names.stackName}\`.`)
  lines.push('')
  const c = result.changes
  lines.push('| create | update | replace | delete | unchanged |', '|---:|---:|---:|---:|---:|')
  lines.push(`| ${c.create} | ${c.update} | ${c.replace} | ${c.delete} | ${c.same} |`)
  lines.push('')
  if (result.resources.length > 0) {
    lines.push('| change | type | name |', '|---|---|---|')
    for (const r of result.resources) lines.push(`| ${r.op} | ${escapeCell(r.type)} | ${escapeCell(r.name)} |`)
    lines.push('')
  }
  if (result.outputs) {
    const o = result.outputs
    lines.push('| output | value |', '|---|---|')
    lines.push(`| table-name | \`${escapeCell(o.tableNames[0] ?? '')}\` |`)
    lines.push(`| table-names | \`${escapeCell(JSON.stringify(o.tableNames))}\` |`)
    lines.push(`| storage-account-name | \`${escapeCell(o.storageAccountName)}\` |`)
    lines.push(`| resource-group-name | ${o.resourceGroupName ? '`' + escapeCell(o.resourceGroupName) + '`' : '(none)'} |`)
    lines.push(`| table-endpoint | \`${escapeCell(o.tableEndpoint)}\` |`)
    lines.push(`| stack-name | \`${escapeCell(o.stackName)}\` |`)
    lines.push(`| connection-string | ${o.connectionString ? '(secret, masked; pass it between steps of this job)' : '(none)'} |`)
    lines.push('')
  } else if (plan.command === 'destroy') {
    lines.push('The environment is gone; its outputs are empty.', '')
  }
  if (verify) {
    lines.push(`**Event-store check: ${verify.ok ? 'passed' : 'FAILED'}**`, '')
    for (const check of verify.checks) lines.push(`- ${check.ok ? '✅' : '❌'} ${check.name}: ${escapeCell(check.detail)}`)
    lines.push('')
  }
  for (const note of result.notes) lines.push(`> ${escapeCell(note)}`)
  return lines.join('\n').trimEnd() + '\n'
}

export interface PruneReportInput {
  project: string
  target: string
  found: string[]
  pruned: string[]
}

export function renderPruneReport({ project, target, found, pruned }: PruneReportInput): string {
  const lines = [`### Prune: project \`${escapeCell(project)}\` on target \`${target}\``, '']
  lines.push(`Found ${found.length} environment(s); pruned ${pruned.length} whose pull request is closed.`, '')
  if (pruned.length > 0) {
    lines.push('| pruned environment |', '|---|')
    for (const e of pruned) lines.push(`| \`${escapeCell(e)}\` |`)
  }
  return lines.join('\n').trimEnd() + '\n'
}
