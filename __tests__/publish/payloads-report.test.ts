import { describe, expect, it } from '@jest/globals'
import { renderReport } from '../../src/publish/report.js'
import { emptyChanges, type EnvironmentOutputs } from '../../src/types.js'
import { makePlan } from '../fixtures/plan.js'

const WORKSPACE = '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/audit-logs'
const outputs = (extra: Partial<EnvironmentOutputs> = {}): EnvironmentOutputs => ({
  connectionString: 'x',
  accountKey: 'y',
  tableNames: ['events'],
  storageAccountName: 'acct',
  resourceGroupName: 'rg',
  tableEndpoint: 'https://acct.table.core.windows.net',
  stackName: 's',
  ...extra
})
const render = (plan: ReturnType<typeof makePlan>, o: EnvironmentOutputs, verify?: Parameters<typeof renderReport>[0]['verify']) =>
  renderReport({ plan, result: { changes: emptyChanges(), outputs: o, resources: [], notes: [] }, ...(verify ? { verify } : {}) })

describe('report rows for payloads', () => {
  it('shows nothing new when payloads and diagnostics are off', () => {
    expect(render(makePlan(), outputs())).not.toMatch(/payload|retention|diagnostics/)
  })

  it('shows the container, the endpoint, retention days with lock state, and the diagnostics target', () => {
    const plan = makePlan({ protect: true, payloads: { enabled: true, retentionDays: 183, retentionLock: true, diagnosticsWorkspaceId: WORKSPACE } })
    const text = render(plan, outputs({ payloadContainerName: 'payloads', blobEndpoint: 'https://acct.blob.core.windows.net' }))
    expect(text).toContain('| payload-container-name | `payloads` |')
    expect(text).toContain('| blob-endpoint | `https://acct.blob.core.windows.net` |')
    expect(text).toContain('| retention | `183 days, locked (destroy refuses until every blob has expired)` |')
    expect(text).toContain(`| diagnostics | \`${WORKSPACE}\` |`)
  })

  it('escapes engine-chosen values and marks a check the target cannot enforce', () => {
    const plan = makePlan({ target: 'emulator', payloads: { enabled: true, retentionDays: 1, retentionLock: false } })
    const text = render(plan, outputs({ payloadContainerName: 'a`<b>|c', blobEndpoint: 'http://h/x' }), {
      ok: true,
      checks: [{ name: 'payload retention', ok: false, limit: true, detail: 'Not enforced by this target' }]
    })
    expect(text).not.toContain('<b>|c |')
    expect(text).toMatch(/\| payload-container-name \| ``+ ?a`<b>\\\|c ?``+ \|/)
    expect(text).toContain('| retention | `1 day, unlocked, not enforced by the emulator` |')
    expect(text).toContain('- ⚠️ not enforced here `payload retention`')
  })
})
