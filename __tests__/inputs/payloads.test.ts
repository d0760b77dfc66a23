// The payload, retention and diagnostics inputs: every refusal is one InputError naming the input.
import { describe, expect, it } from '@jest/globals'
import { InputError } from '../../src/errors.js'
import { readInputs } from '../../src/inputs/inputs.js'
import { buildPlan } from '../../src/plan/plan.js'
import { actionDefaults } from '../../scripts/lib/runner.mjs'

const defaults = actionDefaults('action.yml')
const WORKSPACE = '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/audit-logs'
const read = (given: Record<string, string>) => {
  const values: Record<string, string> = { ...defaults, environment: 'staging', ...given }
  return readInputs((name) => values[name] ?? '')
}
const refusal = (given: Record<string, string>): InputError => {
  try {
    read(given)
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error('was not refused')
}

describe('payload inputs', () => {
  it('are all off at the action.yml defaults', () => {
    expect(read({}).payloads).toEqual({ enabled: false, retentionLock: false })
  })

  it('read payloads, retention, lock and workspace into the plan', () => {
    const inputs = read({ payloads: 'true', 'retention-days': '183', 'retention-lock': 'TRUE', protect: 'true', 'diagnostics-workspace-id': WORKSPACE })
    expect(inputs.payloads).toEqual({ enabled: true, retentionDays: 183, retentionLock: true, diagnosticsWorkspaceId: WORKSPACE })
    expect(buildPlan(inputs, { eventName: 'push', repository: 'o/r', sha: 'a' }).payloads).toEqual(inputs.payloads)
  })

  it.each([
    [{ 'retention-days': '30' }, 'retention-days', /only with payloads: true/],
    [{ payloads: 'true', 'retention-days': '0' }, 'retention-days', /from 1 to 146,000/],
    [{ payloads: 'true', 'retention-days': '146001' }, 'retention-days', /got 146001; allowed: a whole number of days from 1 to 146,000/],
    [{ payloads: 'true', 'retention-days': '-3' }, 'retention-days', /allowed/],
    [{ payloads: 'true', 'retention-days': '1.5' }, 'retention-days', /allowed/],
    [{ payloads: 'true', 'retention-days': '30', 'retention-lock': 'true' }, 'retention-lock', /needs protect: true/],
    [{ payloads: 'true', 'retention-days': '30', 'retention-lock': 'true', protect: 'false' }, 'retention-lock', /needs protect: true/],
    [{ payloads: 'true', 'retention-lock': 'true', protect: 'true' }, 'retention-lock', /only with retention-days/],
    [{ payloads: 'yes' }, 'payloads', /true or false/],
    [{ 'diagnostics-workspace-id': 'audit-logs' }, 'diagnostics-workspace-id', /Log Analytics workspace resource id/],
    [{ 'diagnostics-workspace-id': WORKSPACE.replace('OperationalInsights', 'Storage') }, 'diagnostics-workspace-id', /workspace resource id/],
    [{ 'diagnostics-workspace-id': WORKSPACE, target: 'emulator' }, 'diagnostics-workspace-id', /needs the azure target/],
    [{ 'diagnostics-workspace-id': WORKSPACE, isolation: 'tables', 'shared-account-name': 'shared01', 'shared-account-resource-group': 'rg' }, 'diagnostics-workspace-id', /one diagnostic setting/],
    [{ payloads: 'true', engine: 'cosmos-table' }, 'payloads', /storage account of the environment's own/]
  ])('%j is refused on %s', (given, input, message) => {
    const error = refusal(given)
    expect(error.input).toBe(input)
    expect(error.message).toMatch(message)
    expect(error.message.split('\n')).toHaveLength(1)
  })

  it('never echoes a workspace id with markup; it is quoted by shown()', () => {
    const error = refusal({ 'diagnostics-workspace-id': '<img src=x>' })
    expect(error.message).toContain("'<img src=x>'")
  })
})
