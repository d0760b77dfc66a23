// Summary and PR-comment rows for payloads, retention and diagnostics. Every value goes through
// markdown.ts, so nothing a user or the engine chose renders as Markdown.
import { codeCell } from './markdown.js'
import type { EnvironmentOutputs, Plan } from '../types.js'

export function payloadRows(plan: Plan, o: EnvironmentOutputs): string[] {
  const p = plan.payloads
  if (!p?.enabled && !p?.diagnosticsWorkspaceId) return []
  const rows: string[] = []
  if (o.payloadContainerName) {
    rows.push(`| payload-container-name | ${codeCell(o.payloadContainerName)} |`, `| blob-endpoint | ${codeCell(o.blobEndpoint ?? '')} |`)
    const retention =
      p.retentionDays === undefined
        ? 'none'
        : `${p.retentionDays} day${p.retentionDays === 1 ? '' : 's'}, ${p.retentionLock ? 'locked (destroy refuses until every blob has expired)' : 'unlocked'}${plan.target === 'emulator' ? ', not enforced by the emulator' : ''}`
    rows.push(`| retention | ${codeCell(retention)} |`)
  }
  if (p.diagnosticsWorkspaceId) rows.push(`| diagnostics | ${codeCell(p.diagnosticsWorkspaceId)} |`)
  return rows
}
