// Retries an operation that failed because another run holds the stack's lock, with
// exponential backoff inside a fixed time budget.

export interface RetryOptions {
  /** Total time budget in ms before giving up. */
  budgetMs: number
  /** First wait in ms; doubles each time, capped at maxDelayMs. */
  initialDelayMs: number
  maxDelayMs: number
  isRetryable(error: unknown): boolean
  onRetry?(attempt: number, delayMs: number): void
  sleep?(ms: number): Promise<void>
  now?(): number
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

export async function retryWithin<T>(op: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? defaultSleep
  const now = options.now ?? Date.now
  const deadline = now() + options.budgetMs
  let delay = options.initialDelayMs
  for (let attempt = 1; ; attempt++) {
    try {
      return await op()
    } catch (error) {
      if (!options.isRetryable(error) || now() + delay > deadline) throw error
      options.onRetry?.(attempt, delay)
      await sleep(delay)
      delay = Math.min(delay * 2, options.maxDelayMs)
    }
  }
}
