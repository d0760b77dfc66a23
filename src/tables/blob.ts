// The Blob side of a connection string, and a container client for it. @azure/storage-blob is loaded
// only here, on the payloads path, so runs without payloads do not pay for it at start.
import type { ContainerClient } from '@azure/storage-blob'
import { AZURITE_DEV_ACCOUNT_NAME, type ParsedConnectionString } from './connection-string.js'
import { endpointHostPort, isInsecureEndpoint } from './client.js'
import { InputError, UserError } from '../errors.js'

/** Azurite's Blob endpoint beside its default Table endpoint (the action's default emulator). */
const AZURITE_TABLE = `http://127.0.0.1:10002/${AZURITE_DEV_ACCOUNT_NAME}`
const AZURITE_BLOB = `http://127.0.0.1:10000/${AZURITE_DEV_ACCOUNT_NAME}`

/**
 * BlobEndpoint from the connection string, else one derived from EndpointSuffix, else Azurite's default
 * port beside Azurite's default Table endpoint. undefined when none can be told.
 */
export function blobEndpointOf(connectionString: string, parsed: ParsedConnectionString): string | undefined {
  const setting = (key: string): string | undefined =>
    connectionString
      .split(';')
      .map((s) => s.trim())
      .find((s) => s.toLowerCase().startsWith(`${key.toLowerCase()}=`))
      ?.slice(key.length + 1)
      .trim()
  const explicit = setting('BlobEndpoint')
  if (explicit) {
    let url: URL
    try {
      url = new URL(explicit)
    } catch {
      throw new UserError("The emulator connection string has a BlobEndpoint that is not a URL (the value is not shown because it is secret).")
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError('The emulator connection string has a BlobEndpoint that is not http or https.')
    return explicit.replace(/\/+$/, '')
  }
  const suffix = setting('EndpointSuffix')
  if (suffix && /^[A-Za-z0-9.-]+$/.test(suffix)) return `${new URL(parsed.tableEndpoint).protocol}//${parsed.accountName}.blob.${suffix}`
  if (parsed.tableEndpoint === AZURITE_TABLE) return AZURITE_BLOB
  return undefined
}

/** A client for one container, with the connection string's key or SAS. */
export async function containerClient(blobEndpoint: string, containerName: string, parsed: ParsedConnectionString): Promise<ContainerClient> {
  const blob = await import('@azure/storage-blob')
  const options = { retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 1000, tryTimeoutInMs: 15_000 } }
  const url = `${blobEndpoint}/${containerName}`
  if (parsed.accountKey) {
    const credential = new blob.StorageSharedKeyCredential(parsed.accountName, parsed.accountKey)
    return new blob.ContainerClient(url, credential, options)
  }
  return new blob.ContainerClient(`${url}?${parsed.sharedAccessSignature}`, new blob.AnonymousCredential(), options)
}

/** `host:port` of the Blob endpoint; safe to print. */
export function blobWhere(blobEndpoint: string): string {
  return `${endpointHostPort(blobEndpoint)}${isInsecureEndpoint(blobEndpoint) ? ' (http)' : ''}`
}

/** Checked while the plan is built, so a missing Blob endpoint is refused before anything is written. */
export function requireEmulatorBlobEndpoint(connectionString: string, parsed: ParsedConnectionString): string {
  const endpoint = blobEndpointOf(connectionString, parsed)
  if (!endpoint) {
    throw new InputError(
      'payloads',
      "needs the emulator's Blob service: add BlobEndpoint=http://host:port/<account> to 'emulator-connection-string' (Azurite's blob service listens on 10000 by default)."
    )
  }
  return endpoint
}
