// Deterministic names for one environment. Every name is valid for its Azure/Pulumi rule whatever
// the user typed, and every name ends in a fixed-width hash of the raw environment (with project,
// and repository where the name is global), so two environments share a name only if sha256 collides
// in 64 bits: case, punctuation, and an environment spelled like another's derived name all differ.

import { createHash } from 'node:crypto'
import { InputError } from '../errors.js'
import type { EnvironmentNames } from '../types.js'

const STACK_MAX = 100
const RESOURCE_GROUP_MAX = 90
const STORAGE_MAX = 24
const TABLE_MAX = 63
/** 16 hex characters: 64 bits, beyond a brute-force search for a second environment with the same name. */
export const NAME_HASH_HEX = 16
/** 13 base-36 characters hold 67 bits (36^13 > 2^67): storage account names have only 24 characters. */
const NAME_HASH_BASE36 = 13

export const EMULATOR_TABLE_RULE =
  'On a shared Table endpoint (such as Azurite) every table name carries the environment: ' +
  'the table name, then the environment\'s letters and digits in lowercase, then a 16-character hash of ' +
  'project, environment and table (e.g. `events` in `pr-42` becomes `eventspr42` plus the hash). ' +
  'The readable part is shortened so the name stays within Azure\'s rule: a letter, then letters or digits, 3 to 63 characters.'

/** First `length` lowercase hex characters of sha256(text). */
export function shortHash(text: string, length: number): string {
  if (!Number.isInteger(length) || length < 1 || length > 64) {
    throw new RangeError(`shortHash length must be an integer from 1 to 64, got ${length}`)
  }
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, length)
}

/** 64 bits of sha256 over the parts, JSON-encoded so no choice of parts can imitate another (`a|b` vs `a`,`|b`). */
export function nameHash(parts: string[]): string {
  return shortHash(JSON.stringify(parts), NAME_HASH_HEX)
}

/** `length` (>= 13, so at least 67 bits) lowercase base-36 characters of sha256 over the JSON-encoded parts. */
export function nameHash36(parts: string[], length = NAME_HASH_BASE36): string {
  const digest = BigInt(`0x${createHash('sha256').update(JSON.stringify(parts), 'utf8').digest('hex')}`)
  return (digest % 36n ** BigInt(length)).toString(36).padStart(length, '0')
}

/** Lowercase ASCII letters, digits and single hyphens; '' when nothing survives. */
export function environmentSlug(environment: string): string {
  return environment
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

function alphanumerics(text: string): string {
  return environmentSlug(text).replace(/-/g, '')
}

/** Cut to `max` without leaving a trailing hyphen (so `-<hash>` never makes `--`). */
function cut(text: string, max: number): string {
  return text.slice(0, max).replace(/-+$/, '')
}

/** `<readable>-<hash>`: stacks live inside the project, so the hash covers project and environment. */
function stackName(project: string, environment: string): string {
  const readable = cut(environmentSlug(environment), STACK_MAX - NAME_HASH_HEX - 1)
  // A leading '-' would read as a CLI flag, so an empty slug gets a word instead.
  return `${readable === '' ? 'env' : readable}-${nameHash([project, environment])}`
}

/** Resource groups are per subscription, which several repositories may share: the hash covers the repository too. */
function resourceGroupName(project: string, environment: string, repository: string): string {
  const projectSlug = environmentSlug(project)
  const envSlug = environmentSlug(environment) || 'env'
  const readable = cut(projectSlug === '' ? `rg-${envSlug}` : `rg-${projectSlug}-${envSlug}`, RESOURCE_GROUP_MAX - NAME_HASH_HEX - 1)
  return `${readable}-${nameHash([repository, project, environment])}`
}

/**
 * Globally unique in Azure, 24 lowercase letters and digits: up to 11 readable characters, then the
 * rest (at least 13 characters, 67 bits) a base-36 hash over repository, project and environment.
 */
function storageAccountName(project: string, environment: string, repository: string): string {
  const readable = alphanumerics(environment).slice(0, STORAGE_MAX - NAME_HASH_BASE36)
  // A short readable part leaves more room for the hash.
  return readable + nameHash36([repository, project, environment], STORAGE_MAX - readable.length)
}

export function environmentNames(args: { project: string; environment: string; repository: string }): EnvironmentNames {
  return {
    stackName: stackName(args.project, args.environment),
    resourceGroupName: resourceGroupName(args.project, args.environment, args.repository),
    storageAccountName: storageAccountName(args.project, args.environment, args.repository)
  }
}

/**
 * A table name on a shared endpoint: `<table><env alphanumerics><hash>`, at most 63. The hash covers
 * project, environment and the table in lowercase (table names are case-insensitive), so the readable
 * part may be cut anywhere without two names meeting.
 */
export function emulatorTableName(args: { table: string; project: string; environment: string }): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(args.table)) {
    throw new InputError('tables', 'a table name must be a letter followed by letters or digits')
  }
  const hash = nameHash([args.project, args.environment, args.table.toLowerCase()])
  const room = TABLE_MAX - NAME_HASH_HEX
  const tablePart = args.table.slice(0, room)
  const envPart = alphanumerics(args.environment).slice(0, room - tablePart.length)
  return tablePart + envPart + hash
}

/** The environment of pull request `n`: the default on pull_request events, and what prune looks for. */
export function pullRequestEnvironment(n: number): string {
  return `pr-${n}`
}

/**
 * The pull request whose environment `pr-<n>` owns this listed name: an environment name (emulator)
 * or a stack name, proved by recomputing the stack name, so a look-alike stack is never taken for it.
 */
export function pullRequestOf(listed: string, project: string): number | undefined {
  const m = /^pr-([1-9][0-9]{0,9})(-[0-9a-f]{16})?$/.exec(listed)
  if (!m) return undefined
  const environment = pullRequestEnvironment(Number(m[1]))
  if (m[2] !== undefined && stackName(project, environment) !== listed) return undefined
  return Number(m[1])
}

/** Cosmos DB account names are global DNS labels: 3 to 44 lowercase letters, digits and hyphens, starting and ending with a letter or digit. */
export const COSMOS_ACCOUNT_MAX = 44
export const COSMOS_ACCOUNT_NAME = /^[a-z0-9](?:[a-z0-9-]{1,42})[a-z0-9]$/

/**
 * `<project>-<environment>` as a slug, cut to fit, then `-` and 64 bits of hash of repository, project
 * and environment: globally unique across repositories, and apart however the readable part is cut.
 */
export function cosmosAccountName(args: { project: string; environment: string; repository: string }): string {
  const hash = nameHash([args.repository, args.project, args.environment])
  const readable = environmentSlug(`${args.project}-${args.environment}`)
    .slice(0, COSMOS_ACCOUNT_MAX - NAME_HASH_HEX - 1)
    .replace(/-+$/, '')
  return readable === '' ? `es-${hash}` : `${readable}-${hash}`
}
