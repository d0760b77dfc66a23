// Renders the run's report as Markdown, for the job summary (and the PR comment). Only
// non-secret facts go in; the connection string is never passed to this module. Every value that a
// user or the engine chose goes through markdown.ts, so none of it renders as Markdown or HTML.
import type { EngineResult, Plan } from '../types.js'
import type { VerifyReport } from '../verify/event-store.js'
import { code, codeCell } from './markdown.js'
import { payloadRows } from './payloads-report.js'

export interface ReportInput {
  plan: Plan
  result: EngineResult
  verify?: VerifyReport
}


const HEADINGS: Record<string, string> = {
  up: 'Environment is up',
  preview: 'Preview',
  refresh: 'Refresh',
  destroy: 'Environment destroyed'
}

export function renderReport({ plan, result, verify }: ReportInput): string {
  const lines: string[] = []
  lines.push(`### ${HEADINGS[plan.command] ?? plan.command}: ${code(plan.environment)}`)
  lines.push('')
  lines.push(`Command ${code(plan.command)} on target ${code(plan.target)}, stack ${code(plan.names.stackName)}.`)
  lines.push('')
  const c = result.changes
  lines.push('| create | update | replace | delete | unchanged |', '|---:|---:|---:|---:|---:|')
  lines.push(`| ${c.create} | ${c.update} | ${c.replace} | ${c.delete} | ${c.same} |`)
  lines.push('')
  if (result.resources.length > 0) {
    lines.push('| change | type | name |', '|---|---|---|')
    for (const r of result.resources) lines.push(`| ${r.op} | ${codeCell(r.type)} | ${codeCell(r.name)} |`)
    lines.push('')
  }
  if (result.outputs) {
    const o = result.outputs
    lines.push('| output | value |', '|---|---|')
    lines.push(`| table-name | ${codeCell(o.tableNames[0] ?? '')} |`)
    lines.push(`| table-names | ${codeCell(JSON.stringify(o.tableNames))} |`)
    lines.push(`| storage-account-name | ${codeCell(o.storageAccountName)} |`)
    lines.push(`| resource-group-name | ${o.resourceGroupName ? codeCell(o.resourceGroupName) : '(none)'} |`)
    lines.push(`| table-endpoint | ${codeCell(o.tableEndpoint)} |`)
    lines.push(`| stack-name | ${codeCell(o.stackName)} |`)
    lines.push(...payloadRows(plan, o))
    lines.push(`| connection-string | ${o.connectionString ? '(secret, masked; pass it between steps of this job)' : '(none)'} |`)
    lines.push('')
  } else if (plan.command === 'destroy') {
    lines.push('The environment is gone; its outputs are empty.', '')
  }
  if (verify) {
    lines.push(`**Event-store check: ${verify.ok ? 'passed' : 'FAILED'}**`, '')
    for (const check of verify.checks) lines.push(`- ${check.ok ? '✅' : check.limit ? '⚠️ not enforced here' : '❌'} ${code(check.name)}: ${code(check.detail)}`)
    lines.push('')
  }
  for (const note of result.notes) lines.push(`> ${code(note)}`)
  return lines.join('\n').trimEnd() + '\n'
}

export interface PruneReportInput {
  project: string
  target: string
  found: string[]
  pruned: string[]
}

export function renderPruneReport({ project, target, found, pruned }: PruneReportInput): string {
  const lines = [`### Prune: project ${code(project)} on target ${code(target)}`, '']
  lines.push(`Found ${found.length} environment(s); pruned ${pruned.length} whose pull request is closed.`, '')
  if (pruned.length > 0) {
    lines.push('| pruned environment |', '|---|')
    for (const e of pruned) lines.push(`| ${codeCell(e)} |`)
  }
  return lines.join('\n').trimEnd() + '\n'
}
