// verify's claim-check round trip: a payload too big for a table property goes to the payload container,
// an event in the verify stream references it, and reading the event back must lead to the same bytes.
// With retention-days, a retained blob must refuse overwrite and delete, or the report says the target
// cannot enforce it. Never a silent pass.
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { BlockBlobClient } from '@azure/storage-blob'
import { restErrorInfo, networkErrorCode } from '../tables/errors.js'
import { type ParsedConnectionString } from '../tables/connection-string.js'
import { blobWhere, containerClient } from '../tables/blob.js'

export const CHECK_CLAIM = 'claim-check round trip'
export const CHECK_RETENTION = 'payload retention'
/** Over the 64 KiB a table property holds, so only a claim check can carry it. */
export const PAYLOAD_BYTES = 96 * 1024

export interface PayloadTarget {
  blobEndpoint: string
  containerName: string
  retentionDays?: number
  /** False on an emulator: Azurite does not enforce immutability. */
  enforcesRetention: boolean
}

/** What the event entity carries instead of the payload. */
export interface ClaimReference {
  payloadContainer: string
  payloadBlob: string
  payloadSha256: string
  payloadBytes: number
}

export interface ClaimCheck {
  name: string
  ok: boolean
  detail: string
  /** The target cannot prove this; listed, not counted as passed. */
  limit?: boolean
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

function why(error: unknown): string {
  const network = networkErrorCode(error)
  if (network) return network
  const info = restErrorInfo(error)
  return info.status !== undefined ? `HTTP ${info.status}${info.code ? ` ${info.code}` : ''}` : 'an error without an HTTP status'
}

export class PayloadProbe {
  readonly reference: ClaimReference
  private constructor(
    private readonly target: PayloadTarget,
    private readonly blob: BlockBlobClient,
    private readonly bytes: Buffer
  ) {
    this.reference = { payloadContainer: target.containerName, payloadBlob: blob.name, payloadSha256: sha256(bytes), payloadBytes: bytes.length }
  }

  /** Writes the payload; on failure returns the failed check instead. */
  static async write(target: PayloadTarget, parsed: ParsedConnectionString, stream: string): Promise<PayloadProbe | ClaimCheck> {
    const container = await containerClient(target.blobEndpoint, target.containerName, parsed)
    const blob = container.getBlockBlobClient(`verify/${stream}/${randomUUID()}.bin`)
    const bytes = randomBytes(PAYLOAD_BYTES)
    try {
      await blob.uploadData(bytes)
    } catch (error) {
      return { name: CHECK_CLAIM, ok: false, detail: `Writing a ${PAYLOAD_BYTES / 1024} KiB payload to container ${target.containerName} at ${blobWhere(target.blobEndpoint)} failed: ${why(error)}.` }
    }
    return new PayloadProbe(target, blob, bytes)
  }

  /** Follows the reference the stored event carries and compares bytes and SHA-256. */
  async roundTrip(stored: Record<string, unknown> | undefined): Promise<ClaimCheck> {
    const name = CHECK_CLAIM
    if (!stored || stored.payloadBlob !== this.reference.payloadBlob || stored.payloadSha256 !== this.reference.payloadSha256) {
      return { name, ok: false, detail: 'The event read back does not carry the payload reference it was appended with.' }
    }
    let read: Buffer
    try {
      read = await this.blob.downloadToBuffer()
    } catch (error) {
      return { name, ok: false, detail: `Following the event's reference to blob ${this.reference.payloadBlob} failed: ${why(error)}.` }
    }
    if (read.length !== this.bytes.length || !read.equals(this.bytes) || sha256(read) !== this.reference.payloadSha256) {
      return { name, ok: false, detail: `The payload read back (${read.length} bytes) differs from the ${this.bytes.length} bytes written, or its SHA-256 does not match the event's.` }
    }
    return {
      name,
      ok: true,
      detail: `A ${PAYLOAD_BYTES / 1024} KiB payload went to container ${this.reference.payloadContainer}, an event appended in the same transaction referenced it, and reading the event led to the same bytes (SHA-256 ${this.reference.payloadSha256.slice(0, 12)}…).`
    }
  }

  /** With retention-days: overwrite and delete of the retained blob must both be refused. */
  async retention(): Promise<ClaimCheck | undefined> {
    if (this.target.retentionDays === undefined) return undefined
    const name = CHECK_RETENTION
    const accepted: string[] = []
    try {
      await this.blob.uploadData(randomBytes(16))
      accepted.push('an overwrite')
    } catch (error) {
      if (restErrorInfo(error).status === undefined) return { name, ok: false, detail: `Could not try an overwrite of the retained payload: ${why(error)}.` }
    }
    try {
      await this.blob.delete()
      accepted.push('a delete')
    } catch (error) {
      if (restErrorInfo(error).status === undefined) return { name, ok: false, detail: `Could not try a delete of the retained payload: ${why(error)}.` }
    }
    if (accepted.length === 0) {
      return { name, ok: true, detail: `Overwrite and delete of a payload kept for ${this.target.retentionDays} days were both refused.` }
    }
    if (!this.target.enforcesRetention) {
      return {
        name,
        ok: false,
        limit: true,
        detail: `Not enforced by this target: ${accepted.join(' and ')} of a retained payload were accepted. The emulator cannot enforce immutability; on Azure the policy refuses them.`
      }
    }
    return { name, ok: false, detail: `${accepted.join(' and ')} of a payload that retention-days (${this.target.retentionDays}) should keep were accepted: the container is not immutable.` }
  }

  /** Removes the payload; a retained one stays until its period ends, and the detail says so. */
  async cleanup(): Promise<string> {
    try {
      await this.blob.deleteIfExists()
      return 'the payload blob was deleted'
    } catch (error) {
      if (this.target.retentionDays !== undefined) return `the payload blob ${this.reference.payloadBlob} is retained (${why(error)}) and can be deleted once its ${this.target.retentionDays}-day period has passed`
      return `the payload blob ${this.reference.payloadBlob} could not be deleted (${why(error)})`
    }
  }
}
