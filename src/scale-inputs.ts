// Reads and validates the inputs that choose how environments share Azure: a storage account per
// environment or tables in one shared account, Table Storage or Cosmos DB for Table, and the cap on
// the engine's parallel operations. Each problem is one InputError naming the input and what is allowed.
import { InputError } from './errors.js'
import { FIXED_TAG_KEYS, parseTags } from './inputs.js'
import { ISOLATIONS, STORAGE_ENGINES, type CosmosThroughput, type Isolation, type ScaleSettings, type StorageEngine } from './types.js'

export const SAS_EXPIRY_DEFAULT = '90d'
/** A table SAS cannot be revoked short of rotating the key that signed it, so its lifetime is bounded. */
export const SAS_EXPIRY_MAX_DAYS = 365
export const SAS_EXPIRY_MIN_HOURS = 1
export const PARALLELISM_DEFAULT = 10
export const PARALLELISM_MAX = 50
export const PROVISIONED_RU_MIN = 400
export const AUTOSCALE_MAX_RU_MIN = 1_000
export const RU_MAX = 1_000_000
/** Cosmos DB accepts at most 15 tags per resource; the action sets the fixed ones itself. */
export const COSMOS_MAX_TAGS = 15

function shown(value: string): string {
  const oneLine = value.replace(/[\r\n\t]+/g, ' ')
  return oneLine.length > 60 ? `'${oneLine.slice(0, 57)}...'` : `'${oneLine}'`
}

// Case is forgiven, as for every enum input (src/inputs.ts).
function oneOf<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase())
  if (!match) throw new InputError(input, `got ${shown(value)}; allowed: ${allowed.join(', ')}.`)
  return match
}

const STORAGE_ACCOUNT_NAME = /^[a-z0-9]{3,24}$/
const RESOURCE_GROUP_NAME = /^[-\w.()]{1,90}$/u

export function parseSharedAccountName(value: string): string {
  if (!STORAGE_ACCOUNT_NAME.test(value)) {
    throw new InputError('shared-account-name', `got ${shown(value)}; allowed: a storage account name, 3 to 24 lowercase letters and digits.`)
  }
  return value
}

export function parseResourceGroupName(input: string, value: string): string {
  if (!RESOURCE_GROUP_NAME.test(value) || value.endsWith('.')) {
    throw new InputError(input, `got ${shown(value)}; allowed: 1 to 90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'.`)
  }
  return value
}

const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS

/** ISO 8601 UTC to the second, as the SAS wants it. */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/**
 * `30d`, `12h`, a date (`2026-12-31`, midnight UTC) or a date-time with `Z` or an offset. A date-time without a
 * zone is refused: a SAS expiry read in the runner's time zone would differ between runners.
 */
export function parseSasExpiry(value: string, now: Date): string {
  const input = 'sas-expiry'
  const allowed = `allowed: a duration such as 30d or 12h, or an ISO 8601 date such as 2026-12-31 or 2026-12-31T18:00:00Z, from ${SAS_EXPIRY_MIN_HOURS} hour to ${SAS_EXPIRY_MAX_DAYS} days ahead.`
  let expiry: Date
  const duration = /^(\d{1,6})([dh])$/.exec(value)
  if (duration) {
    const amount = Number(duration[1])
    expiry = new Date(now.getTime() + amount * (duration[2] === 'd' ? DAY_MS : HOUR_MS))
  } else if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    expiry = new Date(`${value}T00:00:00Z`)
    // Date rolls 2026-02-31 over to March; refuse instead.
    if (Number.isNaN(expiry.getTime()) || expiry.toISOString().slice(0, 10) !== value) throw new InputError(input, `got ${shown(value)}, which is not a calendar date; ${allowed}`)
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    expiry = new Date(value)
    if (Number.isNaN(expiry.getTime())) throw new InputError(input, `got ${shown(value)}, which is not a valid date and time; ${allowed}`)
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) {
    throw new InputError(input, `got ${shown(value)} without a time zone; write it in UTC with a trailing Z (e.g. 2026-12-31T18:00:00Z).`)
  } else {
    throw new InputError(input, `got ${shown(value)}; ${allowed}`)
  }
  const ahead = expiry.getTime() - now.getTime()
  if (ahead < SAS_EXPIRY_MIN_HOURS * HOUR_MS) {
    throw new InputError(input, `${shown(value)} is ${ahead <= 0 ? 'in the past' : 'less than an hour away'} (now is ${isoSeconds(now)}); ${allowed}`)
  }
  if (ahead > SAS_EXPIRY_MAX_DAYS * DAY_MS) {
    throw new InputError(
      input,
      `${shown(value)} is more than ${SAS_EXPIRY_MAX_DAYS} days ahead. A SAS cannot be revoked without rotating the account key that signed it, so its lifetime is capped; ${allowed}`
    )
  }
  return isoSeconds(expiry)
}

export function parseCosmosThroughput(value: string): CosmosThroughput {
  const input = 'cosmos-throughput'
  const allowed = `allowed: serverless, a fixed RU/s from ${PROVISIONED_RU_MIN} to ${RU_MAX} in steps of 100 (e.g. 400), or autoscale:<max RU/s> from ${AUTOSCALE_MAX_RU_MIN} to ${RU_MAX} in steps of 1000 (e.g. autoscale:1000).`
  if (value.toLowerCase() === 'serverless') return { mode: 'serverless' }
  const autoscale = /^autoscale:(\d{1,7})$/i.exec(value)
  if (autoscale) {
    const maxRu = Number(autoscale[1])
    if (maxRu < AUTOSCALE_MAX_RU_MIN || maxRu > RU_MAX || maxRu % 1000 !== 0) {
      throw new InputError(input, `autoscale maximum ${maxRu} RU/s is out of range; ${allowed}`)
    }
    return { mode: 'autoscale', maxRu }
  }
  if (/^\d{1,7}$/.test(value)) {
    const ru = Number(value)
    if (ru < PROVISIONED_RU_MIN || ru > RU_MAX || ru % 100 !== 0) throw new InputError(input, `${ru} RU/s is out of range; ${allowed}`)
    return { mode: 'provisioned', ru }
  }
  throw new InputError(input, `got ${shown(value)}; ${allowed}`)
}

export function parseParallelism(value: string): number {
  if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > PARALLELISM_MAX) {
    throw new InputError('parallelism', `got ${shown(value)}; allowed: a whole number from 1 to ${PARALLELISM_MAX}.`)
  }
  return Number(value)
}

/**
 * Reads the scale inputs through `get` (core.getInput in production). It also reads `target`, `auth` and `tags`
 * (validated elsewhere) to refuse combinations that would be silently ignored. `now` fixes the clock for durations.
 */
export function readScaleInputs(get: (name: string) => string, now: Date = new Date()): ScaleSettings {
  const given = (name: string): string => get(name).trim()
  const or = (name: string, fallback: string): string => given(name) || fallback
  const target = or('target', 'azure').toLowerCase()
  const entra = or('auth', 'connection-string').toLowerCase() === 'entra'

  const isolation: Isolation = oneOf('isolation', or('isolation', 'account'), ISOLATIONS)
  const storageEngine: StorageEngine = oneOf('engine', or('engine', 'table-storage'), STORAGE_ENGINES)
  const parallelism = parseParallelism(or('parallelism', String(PARALLELISM_DEFAULT)))

  const accountName = given('shared-account-name')
  const accountGroup = given('shared-account-resource-group')
  const sasExpiryText = given('sas-expiry')
  const throughputText = given('cosmos-throughput')

  if (storageEngine === 'cosmos-table') {
    if (target === 'emulator') {
      throw new InputError(
        'engine',
        "'cosmos-table' needs the azure target. To use an existing Cosmos DB for Table endpoint, give its connection string in emulator-connection-string and keep engine table-storage."
      )
    }
    if (isolation === 'tables') {
      throw new InputError(
        'engine',
        "'cosmos-table' creates one Cosmos DB account per environment, so it cannot be combined with isolation: tables (a shared Cosmos account would hand every environment an account-wide key). Use isolation: account with cosmos-table, or engine: table-storage with isolation: tables."
      )
    }
    // Cosmos DB accepts 15 tags per resource; the fixed tags count against them.
    const userTags = Object.keys(parseTags(get('tags'))).length
    if (userTags + FIXED_TAG_KEYS.length > COSMOS_MAX_TAGS) {
      throw new InputError(
        'tags',
        `with engine cosmos-table at most ${COSMOS_MAX_TAGS - FIXED_TAG_KEYS.length} tags are allowed (Cosmos DB accepts ${COSMOS_MAX_TAGS} per resource and the action sets ${FIXED_TAG_KEYS.length}); got ${userTags}.`
      )
    }
  } else if (throughputText !== '') {
    throw new InputError('cosmos-throughput', 'is used only with engine: cosmos-table; remove it or set engine: cosmos-table.')
  }
  const cosmosThroughput = parseCosmosThroughput(throughputText || 'serverless')

  const settings: ScaleSettings = { isolation, storageEngine, cosmosThroughput, parallelism }

  if (isolation === 'account') {
    for (const [name, value] of [
      ['shared-account-name', accountName],
      ['shared-account-resource-group', accountGroup],
      ['sas-expiry', sasExpiryText]
    ] as const) {
      if (value !== '') throw new InputError(name, 'is used only with isolation: tables; remove it or set isolation: tables.')
    }
    return settings
  }

  // isolation: tables
  if (target === 'emulator') {
    // The endpoint in emulator-connection-string is the shared account; there is no ARM account to name.
    for (const [name, value] of [
      ['shared-account-name', accountName],
      ['shared-account-resource-group', accountGroup]
    ] as const) {
      if (value !== '') {
        throw new InputError(name, "is not used on the emulator target: the endpoint in emulator-connection-string is the shared account. Remove it.")
      }
    }
  } else {
    if (accountName === '') {
      throw new InputError('shared-account-name', 'is required with isolation: tables; give the existing storage account that holds the environments\' tables.')
    }
    if (accountGroup === '') {
      throw new InputError('shared-account-resource-group', `is required with isolation: tables; give the resource group of storage account '${parseSharedAccountName(accountName)}'.`)
    }
    settings.sharedAccount = {
      name: parseSharedAccountName(accountName),
      resourceGroupName: parseResourceGroupName('shared-account-resource-group', accountGroup)
    }
  }

  if (entra) {
    if (sasExpiryText !== '') {
      throw new InputError('sas-expiry', 'is not used with auth: entra, which grants a role on each table instead of issuing a SAS; remove it.')
    }
    return settings
  }
  settings.sasExpiry = parseSasExpiry(sasExpiryText || SAS_EXPIRY_DEFAULT, now)
  return settings
}
