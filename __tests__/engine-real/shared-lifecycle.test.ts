// The emulator's lifecycle table (fixtures/lifecycle.ts) on the real Pulumi engine: the same steps, the
// same expected table changes, so the two engines are held to one expectation. The Pulumi engine also
// creates and deletes the resource group and the account; only the tables are compared here.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { LIFECYCLE, PROTECTED_LIFECYCLE, type LifecycleStep } from '../fixtures/lifecycle.js'
import { ENGINE_TIMEOUT_MS, errorLines, explain, openEngineEnv, opsSince, SKIP, type EngineEnv } from './harness.js'

jest.setTimeout(ENGINE_TIMEOUT_MS)
const suite = SKIP ? describe.skip : describe

/** The summary's table rows as `op name` (the logical name after `table-`), markup stripped. */
function tableRows(summary: string): string[] {
  return summary
    .split('\n')
    .map((l) => l.split('|').map((c) => c.trim().replace(/[`\\]/g, '')))
    .filter((cells) => cells.length === 5 && cells[2] === 'azure-native:storage:Table')
    .map((cells) => `${cells[1]} ${cells[3]!.replace(/^table-/, '')}`)
    .sort()
}

suite('the real engine runs the emulator lifecycle table', () => {
  let engine: EngineEnv
  beforeAll(() => {
    engine = openEngineEnv()
  })
  afterAll(() => engine?.close())

  /** The stand-in's record ("Azure"); empty until its first operation writes it. */
  const record = () => (existsSync(join(engine.vars.AZURE_STANDIN_DIR!, 'azure.json')) ? engine.record() : { tables: {}, operations: [] })
  /** The environment's tables in the record, by the account its first up reported. */
  const tablesOf = (account: string | undefined): string[] =>
    account === undefined ? [] : Object.values(record().tables).filter((t) => t.account === account).map((t) => t.name).sort()

  async function runSequence(environment: string, steps: LifecycleStep[]): Promise<void> {
    let account: string | undefined
    for (const step of steps) {
      const from = record().operations.length
      const inputs: Record<string, string> = { environment, command: step.command, verify: 'false' }
      if (step.tables) inputs.tables = step.tables.join(',')
      if (step.protect !== undefined) inputs.protect = String(step.protect)
      const run = await engine.run(inputs)
      account ??= run.outputs['storage-account-name'] || undefined
      if ('refusedNaming' in step.expect) {
        expect({ step: step.title, code: run.code, errors: errorLines(run).length }).toEqual({ step: step.title, code: 1, errors: 1 })
        for (const table of step.expect.refusedNaming) expect(errorLines(run)[0]).toContain(table)
        expect({ step: step.title, changed: opsSince(engine, from).filter((op) => !op.startsWith('read')) }).toEqual({ step: step.title, changed: [] })
      } else {
        expect({ step: step.title, code: run.code }).toEqual({ step: step.title, code: 0, ...(run.code === 0 ? {} : { log: explain(run) }) })
        const { create, delete: deleted, same } = step.expect
        const expected = [...create.map((t) => `create ${t}`), ...deleted.map((t) => `delete ${t}`), ...same.map((t) => `same ${t}`)].sort()
        expect({ step: step.title, rows: tableRows(run.summary) }).toEqual({ step: step.title, rows: expected })
      }
      expect({ step: step.title, tables: tablesOf(account) }).toEqual({ step: step.title, tables: [...step.after].sort() })
    }
  }

  it('grow, shrink, preview, destroy without tables: the same table changes as on the emulator', async () => {
    await runSequence('shared-lifecycle', LIFECYCLE)
    expect(engine.stateFile('shared-lifecycle')).toBeUndefined()
  })

  it('protect refuses the shrinking up and the destroy before anything is deleted, as on the emulator', async () => {
    await runSequence('shared-protected', PROTECTED_LIFECYCLE)
  })
})
