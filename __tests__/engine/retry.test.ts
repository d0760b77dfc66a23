import { describe, expect, it } from '@jest/globals'
import { retryWithin } from '../../src/engine/retry.js'

function clock() {
  let t = 0
  const waits: number[] = []
  return { now: () => t, sleep: async (ms: number) => void (waits.push(ms), (t += ms)), waits }
}

describe('retryWithin', () => {
  it('retries retryable failures with doubling waits and returns the result', async () => {
    const c = clock()
    let n = 0
    const value = await retryWithin(async () => (++n < 4 ? Promise.reject(new Error('locked')) : 'done'), {
      budgetMs: 60_000, initialDelayMs: 1_000, maxDelayMs: 3_000, isRetryable: () => true, sleep: c.sleep, now: c.now
    })
    expect(value).toBe('done')
    expect(c.waits).toEqual([1_000, 2_000, 3_000])
  })
  it('gives up when the budget would be exceeded', async () => {
    const c = clock()
    await expect(
      retryWithin(async () => Promise.reject(new Error('locked')), { budgetMs: 5_000, initialDelayMs: 2_000, maxDelayMs: 10_000, isRetryable: () => true, sleep: c.sleep, now: c.now })
    ).rejects.toThrow('locked')
    expect(c.waits).toEqual([2_000])
  })
  it('does not retry other failures', async () => {
    const c = clock()
    await expect(
      retryWithin(async () => Promise.reject(new Error('boom')), { budgetMs: 5_000, initialDelayMs: 1, maxDelayMs: 1, isRetryable: () => false, sleep: c.sleep, now: c.now })
    ).rejects.toThrow('boom')
    expect(c.waits).toEqual([])
  })
})
