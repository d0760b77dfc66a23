// Options for @azure/data-tables clients: plain http only where the endpoint is http, short retries,
// and a time budget per call, so a closed or hung endpoint fails in seconds with a clear message.
import type { ParsedConnectionString } from './connection-string.js'

/** `host:port` of an endpoint, with the scheme's default port filled in; safe to print. */
export function endpointHostPort(endpoint: string): string {
  const url = new URL(endpoint)
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  return `${url.hostname}:${port}`
}

/** True when a client must be allowed to send the credential over plain http. */
export function isInsecureEndpoint(endpoint: string): boolean {
  return new URL(endpoint).protocol === 'http:'
}

/** Client options for `@azure/data-tables`: plain http only where the endpoint is http, and a short retry budget. */
export function tableClientOptions(parsed: ParsedConnectionString): {
  allowInsecureConnection: boolean
  retryOptions: { maxRetries: number; retryDelayInMs: number; maxRetryDelayInMs: number }
} {
  return {
    allowInsecureConnection: isInsecureEndpoint(parsed.tableEndpoint),
    // A closed port should fail in about a second, not after the SDK's default minutes of backoff.
    retryOptions: { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 1000 }
  }
}

/** Time budget of one Table call (including its retries), in ms. */
export const TABLE_REQUEST_TIMEOUT_MS = 10_000

/**
 * Operation options for one Table call: an abort signal bounds it. (The SDK's `requestOptions.timeout`
 * leaves a timer behind when a connection is refused, which keeps the process alive for the full timeout.)
 */
export function tableCallOptions(): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.timeout(TABLE_REQUEST_TIMEOUT_MS) }
}
