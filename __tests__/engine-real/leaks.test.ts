// The leak harness (fixtures/leaks.ts) over real-engine runs with RUNNER_DEBUG=1: every byte the action
// wrote, the engine's own output included, in order; plus every file the runs left in the Pulumi home
// and the step directories. Secrets: the account key, the connection string, the passphrase, the
// client secret and the GitHub token.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { RUNNER_TOKEN } from '../../scripts/lib/runner.mjs'
import { leakProblems, runTraced, unmasked, type Secret, type Written } from '../fixtures/leaks.js'
import { ENGINE_TIMEOUT_MS, explain, openEngineEnv, SKIP, type EngineEnv } from './harness.js'

jest.setTimeout(ENGINE_TIMEOUT_MS)
const suite = SKIP ? describe.skip : describe

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f, { throwIfNoEntry: false })?.isFile())
}

suite('12. no secret leaks from real-engine runs (RUNNER_DEBUG=1)', () => {
  let engine: EngineEnv
  beforeAll(() => {
    engine = openEngineEnv()
  })
  afterAll(() => engine?.close())

  it('up, no-op up, a failing up, refresh and destroy write every secret only masked', async () => {
    const debug = { RUNNER_DEBUG: '1', ...engine.vars }
    const base = { target: 'azure', 'allow-local-state': 'true', environment: 'leaky', tables: 'events,snapshots' }
    const runs: { name: string; written: Written[]; dir: string }[] = []
    const step = async (name: string, inputs: Record<string, string>, env: Record<string, string> = {}, code = 0) => {
      const { run, written } = await runTraced(engine.bundle, { ...base, ...inputs }, { ...debug, ...env })
      expect({ name, code: run.code, log: run.code === code ? '' : explain(run) }).toEqual({ name, code, log: '' })
      runs.push({ name, written, dir: run.dir })
      return run
    }
    const up = await step('up', {})
    await step('no-op up', {})
    await step('failing up', { tables: 'events,snapshots,broken' }, { AZURE_STANDIN_FAIL_TABLE: 'broken' }, 1)
    await step('refresh', { command: 'refresh' })

    const account = engine.record().storageAccounts[up.outputs['storage-account-name']!]!
    const secrets: Secret[] = [
      { name: 'account key', value: account.keys[0]! },
      { name: 'second account key', value: account.keys[1]! },
      { name: 'connection string', value: up.outputs['connection-string']! },
      { name: 'PULUMI_CONFIG_PASSPHRASE', value: engine.vars.PULUMI_CONFIG_PASSPHRASE! },
      { name: 'ARM_CLIENT_SECRET', value: engine.vars.ARM_CLIENT_SECRET! },
      { name: 'GitHub token', value: RUNNER_TOKEN }
    ]
    await step('destroy', { command: 'destroy' })

    for (const { name, written } of runs) {
      expect({ name, problems: leakProblems(written, secrets) }).toEqual({ name, problems: [] })
    }
    // Runs that produced the environment's secrets mask them (the first one hands them out).
    expect(unmasked(runs[0]!.written, secrets.filter((s) => s.name !== 'second account key'))).toEqual([])
    // The engine's debug output reached the trace (RUNNER_DEBUG adds ::debug:: lines).
    expect(runs.some(({ written }) => written.some((w) => w.channel === 'stdout' && w.text.includes('Updating (leaky-')))).toBe(true)

    // Nothing on disk either: the Pulumi home (plugins, logs) and each step's runner directories.
    const files = [...filesUnder(engine.vars.PULUMI_HOME!), ...runs.flatMap((r) => filesUnder(r.dir))]
    for (const file of files) {
      const text = readFileSync(file, 'latin1')
      const found = secrets.filter((s) => text.includes(s.value)).map((s) => s.name)
      // GITHUB_OUTPUT may carry the connection string: step outputs are how it reaches later steps.
      const allowed = file.endsWith('github-output') ? found.filter((n) => n !== 'connection string' && n !== 'account key') : found
      expect({ file, found: allowed }).toEqual({ file, found: [] })
    }
  })
})
