import { describe, expect, it, jest } from '@jest/globals'
import { POLICY_TYPE, refuseLockedRetention } from '../../src/engine/retention-guard.js'

const policy = (state: string) => ({ type: POLICY_TYPE, urn: 'urn:pulumi:s::p::t::payload-retention', outputs: { state, immutabilityPeriodSinceCreationInDays: 183 } })
const table = { type: 'azure-native:storage:Table', urn: 'urn:pulumi:s::p::t::table-events', outputs: {} }

function stackOf(before: object[], after: object[], retentionLocked: boolean) {
  let refreshed = false
  return {
    stack: {
      exportStack: async () => ({ deployment: { resources: refreshed ? after : before } }),
      outputs: async () => ({ retentionLocked: { value: retentionLocked } })
    },
    refresh: jest.fn(async () => {
      refreshed = true
    })
  }
}

describe('refuseLockedRetention', () => {
  it('passes without a policy and does not refresh', async () => {
    const { stack, refresh } = stackOf([table], [table], false)
    await expect(refuseLockedRetention(stack, 'pr-1', refresh)).resolves.toBeUndefined()
    expect(refresh).not.toHaveBeenCalled()
  })

  it('passes with an unlocked policy after a refresh', async () => {
    const { stack, refresh } = stackOf([table, policy('Unlocked')], [table, policy('Unlocked')], false)
    await expect(refuseLockedRetention(stack, 'pr-1', refresh)).resolves.toBeUndefined()
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
