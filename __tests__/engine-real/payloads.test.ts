// payloads, retention-days and diagnostics-workspace-id on the real Pulumi engine, through the bundle, with
// the stand-in provider: its Blob endpoint enforces immutability as Azure does, so verify's claim-check
// round trip and its retention proof run for real; a locked policy makes destroy refuse before anything
// is deleted.
import { afterAll, beforeAll, expect, describe, it, jest } from '@jest/globals'
import { ENGINE_TIMEOUT_MS, errorLines, explain, openEngineEnv, opsSince, SKIP, type EngineEnv } from './harness.js'
import type { BundleRun } from '../fixtures/bundle.js'

jest.setTimeout(ENGINE_TIMEOUT_MS)
const suite = SKIP ? describe.skip : describe
const ok = (run: BundleRun) => ({ code: run.code, log: run.code === 0 ? '' : explain(run) })
const WORKSPACE = '/subscriptions/00000000-0000-0000-0000-00000000aaaa/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/audit-logs'

type PayloadRecord = {
  storageAccounts: Record<string, { name: string }>
  blobContainers: Record<string, { name: string }>
  immutabilityPolicies: Record<string, { immutabilityPeriodSinceCreationInDays: number; allowProtectedAppendWrites: boolean; state: string }>
  diagnosticSettings: Record<string, { resourceUri: string; workspaceId: string; logs: { category: string }[] }>
}

suite('the real engine: payloads and retention', () => {
  let engine: EngineEnv
  const record = () => engine.record() as unknown as PayloadRecord
  /** The manual lock step (az storage container immutability-policy lock), done to "Azure" directly. */
  const lockPolicies = async () => {
    const { withRecord } = (await import('../standin/record.mjs' as string)) as { withRecord: (fn: (r: PayloadRecord) => void, dir: string) => Promise<void> }
    await withRecord((r) => {
      for (const p of Object.values(r.immutabilityPolicies)) p.state = 'Locked'
    }, engine.vars.AZURE_STANDIN_DIR!)
  }

  beforeAll(() => {
    engine = openEngineEnv()
  })
  afterAll(() => engine?.close())

  it('13. up with payloads, retention and diagnostics: container, unlocked policy, settings, outputs, and a verified claim check', async () => {
    const inputs = { environment: 'audit', payloads: 'true', 'retention-days': '30', 'diagnostics-workspace-id': WORKSPACE }
    const up = await engine.run(inputs)
    expect(ok(up)).toEqual({ code: 0, log: '' })
    const account = up.outputs['storage-account-name']!
    expect(up.outputs['payload-container-name']).toBe('payloads')
    expect(up.outputs['blob-endpoint']).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/${account}$`))

    const r = record()
    expect(Object.keys(r.blobContainers)).toEqual([`${account}/payloads`])
    expect(r.immutabilityPolicies[`${account}/payloads`]).toMatchObject({ immutabilityPeriodSinceCreationInDays: 30, allowProtectedAppendWrites: true, state: 'Unlocked' })
    const settings = Object.values(r.diagnosticSettings)
    expect(settings.map((d) => d.resourceUri.split('/').slice(-2).join('/')).sort()).toEqual(['blobServices/default', 'tableServices/default'])
    for (const d of settings) expect(d).toMatchObject({ workspaceId: WORKSPACE, logs: [{ category: 'StorageRead' }, { category: 'StorageWrite' }, { category: 'StorageDelete' }] })

    // Retention enforced by the target: overwrite and delete of the verify payload were refused.
    expect(up.summary).toMatch(/✅ `claim-check round trip`/)
    expect(up.summary).toMatch(/✅ `payload retention`: `Overwrite and delete of a payload kept for 30 days were both refused\.`/)
    expect(up.summary).toMatch(/is retained \(HTTP 409 BlobImmutableDueToPolicy\)/)
    expect(up.summary).toContain('| retention | `30 days, unlocked` |')
    expect(up.summary).toContain(`| diagnostics | \`${WORKSPACE}\` |`)

    const again = await engine.run(inputs)
    expect(ok(again)).toEqual({ code: 0, log: '' })
    expect(again.summary).toMatch(/\| 0 \| 0 \| 0 \| 0 \| \d+ \|/)
  })

  it('14. destroy of an environment whose policy was locked by hand refuses before anything is deleted', async () => {
    await lockPolicies()
    const from = engine.record().operations.length
    const destroy = await engine.run({ environment: 'audit', command: 'destroy', payloads: 'true', 'retention-days': '30' })
    expect(destroy.code).toBe(1)
    expect(errorLines(destroy)).toEqual([expect.stringMatching(/^::error::Environment 'audit' keeps its payloads under a locked retention policy \(30 days\); nothing was destroyed\./)])
    expect(opsSince(engine, from).filter((o) => o.startsWith('delete'))).toEqual([])
    expect(Object.keys(record().blobContainers)).toHaveLength(1)
    expect(engine.stateFile('audit')).toBeDefined()
  })

  it('15. retention-lock without protect is refused before the engine runs; with protect, destroy refuses', async () => {
    const refused = await engine.run({ environment: 'locked', payloads: 'true', 'retention-days': '7', 'retention-lock': 'true' })
    expect(refused.code).toBe(1)
    expect(errorLines(refused)).toEqual([expect.stringMatching(/^::error::Input 'retention-lock': needs protect: true\./)])
    expect(engine.stateFile('locked')).toBeUndefined()

    const inputs = { environment: 'locked', payloads: 'true', 'retention-days': '7', 'retention-lock': 'true', protect: 'true', verify: 'false' }
    const up = await engine.run(inputs)
    expect(ok(up)).toEqual({ code: 0, log: '' })
    expect(up.stdout).toMatch(/^::notice::retention-lock: the policy on container payloads is created unlocked.*az storage container immutability-policy lock/m)
    const from = engine.record().operations.length
    const destroy = await engine.run({ ...inputs, command: 'destroy' })
    expect(destroy.code).toBe(1)
    expect(errorLines(destroy)).toEqual([expect.stringMatching(/locked retention policy; nothing was destroyed/)])
    expect(opsSince(engine, from).filter((o) => o.startsWith('delete'))).toEqual([])
  })
})
