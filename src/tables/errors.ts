// What a failed Table call was: a network error, a timeout, or a service answer (status and code), and
// its text with every credential of the connection string removed. Shared by the emulator engine and verify.
import { Redactor } from '../publish/redact.js'
import type { ParsedConnectionString } from './connection-string.js'

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE'])

/** Replaces the connection string, its key and SAS (in every form the runner masks) and any key- or sig-shaped field. */
export function scrubConnectionSecrets(text: string, connectionString: string, parsed?: ParsedConnectionString): string {
  const redactor = new Redactor()
  for (const secret of [connectionString, parsed?.accountKey ?? '', parsed?.sharedAccessSignature ?? '']) redactor.add(secret)
  return redactor.redact(text)
}

interface ErrorShape {
  name?: unknown
  code?: unknown
  statusCode?: unknown
  message?: unknown
  cause?: unknown
  errors?: unknown
}

/** The system error code (ECONNREFUSED, ...) behind a failed request, if any, looking through causes. */
export function networkErrorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const shape = e as ErrorShape
    if (typeof shape.code === 'string' && NETWORK_CODES.has(shape.code)) return shape.code
    if (typeof shape.message === 'string') {
      const m = /\b(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE)\b/.exec(shape.message)
      if (m) return m[1]
    }
    if (Array.isArray(shape.errors) && shape.errors.length > 0) {
      const inner = networkErrorCode(shape.errors[0])
      if (inner) return inner
    }
    e = shape.cause
  }
  return undefined
}

/** HTTP status and service error code of a failed Table call. */
export function restErrorInfo(error: unknown): { status?: number; code?: string; firstLine: string } {
  const shape = (error && typeof error === 'object' ? error : {}) as ErrorShape
  const status = typeof shape.statusCode === 'number' ? shape.statusCode : undefined
  const code = typeof shape.code === 'string' ? shape.code : undefined
  const message = typeof shape.message === 'string' ? shape.message : String(error)
  let firstLine = message.split('\n')[0] ?? ''
  // Service errors arrive as JSON: {"odata.error":{"code":..,"message":{"value":".."}}}.
  try {
    const body = JSON.parse(message) as { 'odata.error'?: { code?: string; message?: { value?: string } } }
    const value = body['odata.error']?.message?.value
    if (value) firstLine = value.split('\n')[0] ?? ''
  } catch {
    // not JSON
  }
  return { ...(status !== undefined ? { status } : {}), ...(code !== undefined ? { code } : {}), firstLine: firstLine.slice(0, 300) }
}

export function isAbortError(error: unknown): boolean {
  const name = (error as ErrorShape | null)?.name
  return name === 'AbortError' || name === 'TimeoutError'
}
