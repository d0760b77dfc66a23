// The runner hands the action every action.yml default as an input whenever the step does not set
// it, so the action cannot tell a default from a value the user gave. The rule: an input that applies
// only in some modes has an empty default. Here every mode is read with every other input at its
// default, and no input the step did not set may be refused.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { InputError } from '../../src/errors.js'
import { readInputs } from '../../src/inputs/inputs.js'
import { buildPlan } from '../../src/plan/plan.js'
import { actionDefaults } from '../../scripts/lib/runner.mjs'

const defaults = actionDefaults('action.yml')
const CONTEXT = { eventName: 'push', repository: 'octo/app', sha: 'abc' }
const PRINCIPAL = '00000000-0000-0000-0000-000000000001'

/** What a user must set for each mode; everything else stays at the runner's default. */
const MODES: Record<string, Record<string, string>> = {
  'azure (defaults)': { environment: 'staging' },
  emulator: { environment: 'staging', target: 'emulator' },
  'emulator, isolation tables': { environment: 'staging', target: 'emulator', isolation: 'tables' },
  'cosmos-table': { environment: 'staging', engine: 'cosmos-table' },
  'isolation tables': { environment: 'staging', isolation: 'tables', 'shared-account-name': 'sharedevents01', 'shared-account-resource-group': 'rg-shared' },
  'isolation tables, entra': {
    environment: 'staging',
    isolation: 'tables',
    'shared-account-name': 'sharedevents01',
    'shared-account-resource-group': 'rg-shared',
    auth: 'entra',
    'principal-id': PRINCIPAL
  },
  entra: { environment: 'staging', auth: 'entra', 'principal-id': PRINCIPAL },
  destroy: { environment: 'staging', command: 'destroy' },
  preview: { environment: 'staging', command: 'preview' },
  prune: { command: 'prune' },
  'payloads with retention': { environment: 'staging', payloads: 'true', 'retention-days': '30' },
  'emulator with payloads': { environment: 'staging', target: 'emulator', payloads: 'true' }
}

describe('inputs at their action.yml defaults', () => {
  it('action.yml gives a default only where the value applies in every mode', () => {
    const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, { default?: string; description: string }> }
    for (const [name, spec] of Object.entries(action.inputs)) {
      // A mode-only input says so ("With ...:") and then must not carry a default.
      if (/^With /.test(spec.description)) expect([name, spec.default ?? '']).toEqual([name, ''])
    }
  })

  it.each(Object.entries(MODES))('%s: no input the step did not set is refused', (_mode, given) => {
    const values = { ...defaults, ...given }
    try {
      const inputs = readInputs((name) => values[name] ?? '')
      if (inputs.command !== 'prune') buildPlan(inputs, CONTEXT)
    } catch (error) {
      if (!(error instanceof InputError)) throw error
      expect(Object.keys(given)).toContain(error.input)
    }
  })

  it('a mode-only input set to a value is still refused outside its mode (the check itself stays)', () => {
    const values: Record<string, string> = { ...defaults, environment: 'staging', 'cosmos-throughput': '400' }
    expect(() => readInputs((name) => values[name] ?? '')).toThrow(/^Input 'cosmos-throughput': is used only with engine: cosmos-table/)
  })
})
