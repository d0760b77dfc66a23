// Parses and checks an Azure Storage connection string for its Table endpoint and credential.
// A connection string is a secret: no error raised here ever repeats the text or any part of it.

import { InputError } from '../errors.js'

const INPUT = 'emulator-connection-string'

/** Azurite's well-known development account key, published in the Azurite and Azure Storage docs. */
export const AZURITE_DEV_ACCOUNT_NAME = 'devstoreaccount1'
export const AZURITE_DEV_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

/** Azurite's development account on its default Table port. */
export const AZURITE_DEFAULT_CONNECTION_STRING =
  `DefaultEndpointsProtocol=http;AccountName=${AZURITE_DEV_ACCOUNT_NAME};` +
  `AccountKey=${AZURITE_DEV_ACCOUNT_KEY};TableEndpoint=http://127.0.0.1:10002/${AZURITE_DEV_ACCOUNT_NAME};`

export interface ParsedConnectionString {
  accountName: string
  /** '' when the connection string carries a SAS instead. */
  accountKey: string
  /** Without a leading '?'; '' when none. */
  sharedAccessSignature: string
  /** Absolute http(s) URL without a trailing slash. */
  tableEndpoint: string
}

/** The settings we read; any other key (BlobEndpoint, QueueEndpoint, ...) is accepted and ignored. */
const KNOWN_KEYS = [
  'DefaultEndpointsProtocol',
  'AccountName',
  'AccountKey',
  'SharedAccessSignature',
  'TableEndpoint',
  'EndpointSuffix',
  'UseDevelopmentStorage'
] as const
type KnownKey = (typeof KNOWN_KEYS)[number]

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

function fail(reason: string): never {
  throw new InputError(INPUT, `${reason} (the value is not shown because it is secret)`)
}

function splitPairs(text: string): Map<KnownKey, string> {
  const settings = new Map<KnownKey, string>()
  const segments = text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (segments.length === 0) fail('is empty; expected Key=Value pairs separated by ";"')
  for (const segment of segments) {
    const eq = segment.indexOf('=')
    if (eq <= 0) fail('is not a connection string: every part between ";" must be Key=Value')
    const rawKey = segment.slice(0, eq).trim()
    // The value keeps everything after the first '=' (base64 keys and SAS tokens contain '=').
    const value = segment.slice(eq + 1).trim()
    const key = KNOWN_KEYS.find((k) => k.toLowerCase() === rawKey.toLowerCase())
    if (!key) continue
    if (settings.has(key)) fail(`sets ${key} more than once`)
    settings.set(key, value)
  }
  return settings
}

/** The account name an endpoint implies: `<account>.table.<suffix>` or an emulator-style `http://host:port/<account>`. */
export function accountNameFromEndpoint(endpoint: string): string {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch {
    return ''
  }
  const hostParts = url.hostname.split('.')
  if (hostParts.length > 2 && hostParts[1] === 'table') return hostParts[0] ?? ''
  const firstSegment = url.pathname.split('/').find((p) => p !== '')
  return firstSegment ? decodeURIComponent(firstSegment) : ''
}

function normalizeEndpoint(value: string, from: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    fail(`${from} is not an absolute URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`${from} must start with http:// or https://`)
  if (url.search || url.hash) fail(`${from} must not carry a query or fragment (put a SAS in SharedAccessSignature)`)
  if (url.username || url.password) fail(`${from} must not carry a user name or password`)
  return url.toString().replace(/\/+$/, '')
}

export function parseConnectionString(text: string): ParsedConnectionString {
  if (typeof text !== 'string' || text.trim() === '') fail('is empty; expected Key=Value pairs separated by ";"')
  const settings = splitPairs(text)

  const dev = settings.get('UseDevelopmentStorage')
  if (dev !== undefined) {
    if (dev.toLowerCase() !== 'true') fail('sets UseDevelopmentStorage to something other than true')
    if (settings.size > 1) fail('combines UseDevelopmentStorage=true with other settings, which is not supported')
    return parseConnectionString(AZURITE_DEFAULT_CONNECTION_STRING)
  }

  const accountKey = settings.get('AccountKey') ?? ''
  const sharedAccessSignature = (settings.get('SharedAccessSignature') ?? '').replace(/^\?/, '')
  let accountName = settings.get('AccountName') ?? ''

  let tableEndpoint: string
  const explicit = settings.get('TableEndpoint')
  if (explicit !== undefined && explicit !== '') {
    tableEndpoint = normalizeEndpoint(explicit, 'TableEndpoint')
  } else {
    const suffix = settings.get('EndpointSuffix') ?? ''
    if (!suffix || !accountName) {
      fail('names no Table endpoint: give TableEndpoint, or AccountName with EndpointSuffix')
    }
    const protocol = (settings.get('DefaultEndpointsProtocol') ?? 'https').toLowerCase()
    if (protocol !== 'https' && protocol !== 'http') fail('sets DefaultEndpointsProtocol to something other than http or https')
    if (!/^[a-z0-9]+$/.test(accountName)) fail('has an AccountName that is not lowercase letters and digits')
    if (!/^[A-Za-z0-9.-]+$/.test(suffix)) fail('has an EndpointSuffix that is not a host name')
    tableEndpoint = normalizeEndpoint(`${protocol}://${accountName}.table.${suffix}`, 'the endpoint built from AccountName and EndpointSuffix')
  }

  if (!accountName) accountName = accountNameFromEndpoint(tableEndpoint)

  if (!accountKey && !sharedAccessSignature) fail('has neither AccountKey nor SharedAccessSignature')
  if (accountKey) {
    if (!BASE64.test(accountKey)) fail('has an AccountKey that is not base64')
    if (!accountName) fail('has an AccountKey but no AccountName')
  }
  if (sharedAccessSignature && !/(^|&)sig=[^&]+/.test(sharedAccessSignature)) {
    fail('has a SharedAccessSignature without a sig= parameter')
  }

  return { accountName, accountKey, sharedAccessSignature, tableEndpoint }
}

/**
 * A connection string that `@azure/data-tables` reads exactly as we did: the endpoint made explicit and only
 * one credential. (Its own reader needs DefaultEndpointsProtocol with a key and TableEndpoint with a SAS.)
 */
export function toClientConnectionString(parsed: ParsedConnectionString): string {
  if (parsed.accountKey) {
    const protocol = new URL(parsed.tableEndpoint).protocol.replace(':', '')
    return `DefaultEndpointsProtocol=${protocol};AccountName=${parsed.accountName};AccountKey=${parsed.accountKey};TableEndpoint=${parsed.tableEndpoint};`
  }
  return `TableEndpoint=${parsed.tableEndpoint};SharedAccessSignature=${parsed.sharedAccessSignature};`
}
