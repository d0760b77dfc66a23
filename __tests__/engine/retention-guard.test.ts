import { describe, expect, it, jest } from '@jest/globals'
import { POLICY_TYPE, refuseLockedRetention } from '../../src/engine/retention-guard.js'

const policy = (state: string) => ({ type: POLICY_TYPE, urn: 'urn:pulumi:s::p::t::payload-retention', outputs: { state, immutabilityPeriodSinceCreationInDays: 183 } })
const table = { type: 'azure-native:storage:Table', urn: 'urn:pulumi:s::p::t::table-events', outputs: {} }

/** The state before and after a refresh; the root stack resource records retention-lock as an output. */
function stackOf(before: object[], after: object[], retentionLocked: boolean) {
  const root = { type: 'pulumi:pulumi:Stack', urn: 'urn:pulumi:s::p::pulumi:pulumi:Stack::p-s', outputs: { retentionLocked } }
  return {
    stack: { deployment: { resources: [root, ...before] } },
    refresh: jest.fn(async () => ({ deployment: { resources: [root, ...after] } }))
  }
}

describe('refuseLockedRetention', () => {
  it('passes without a policy and does not refresh', async () => {
    const { stack, refresh } = stackOf([table], [table], false)
    // Passes, and goes on with the state it was given.
    await expect(refuseLockedRetention(stack, 'pr-1', refresh)).resolves.toBe(stack)
    expect(refresh).not.toHaveBeenCalled()
  })

  it('passes with an unlocked policy after a refresh', async () => {
    const { stack, refresh } = stackOf([table, policy('Unlocked')], [table, policy('Unlocked')], false)
    // Passes, and goes on with the refreshed state.
    const state = await refuseLockedRetention(stack, 'pr-1', refresh)
    expect(state).toBe(await refresh.mock.results[0]!.value)
    expect(state).not.toBe(stack)
    expect(refresh).toHaveBeenCalledTimes(1)
  })

  it('refuses a policy locked by hand, seen only after the refresh', async () => {
    const { stack, refresh } = stackOf([table, policy('Unlocked')], [table, policy('Locked')], false)
    await expect(refuseLockedRetention(stack, 'pr-1', refresh)).rejects.toThrow(/locked retention policy \(183 days\); nothing was destroyed/)
  })

  it('refuses when retention-lock was recorded, even before the manual lock', async () => {
    const { stack, refresh } = stackOf([policy('Unlocked')], [policy('Unlocked')], true)
    await expect(refuseLockedRetention(stack, 'pr-1', refresh)).rejects.toThrow(/Environment 'pr-1' keeps its payloads under a locked retention policy; nothing was destroyed/)
  })
})
