// Deterministic names for one environment. Every name is valid for its Azure/Pulumi rule whatever
// the user typed, and a hash of the raw text keeps lossy or cut names apart.

import { createHash } from 'node:crypto'
import { InputError } from './errors.js'
import type { EnvironmentNames } from './types.js'

const STACK_MAX = 100
const RESOURCE_GROUP_MAX = 90
const STORAGE_MAX = 24
const STORAGE_READABLE_MAX = 14
const TABLE_MAX = 63
const HASH_LENGTH = 6

export const EMULATOR_TABLE_RULE =
  'On a shared Table endpoint (such as Azurite) every table name carries the environment: ' +
  'the table name, then the environment\'s letters and digits in lowercase, then a 6-character hash of ' +
  'project and environment (e.g. `events` in `pr-42` becomes `eventspr42` plus the hash). ' +
  'The environment part is shortened so the name stays within Azure\'s rule: a letter, then letters or digits, 3 to 63 characters.'

/** First `length` lowercase hex characters of sha256(text). */
export function shortHash(text: string, length: number): string {
  if (!Number.isInteger(length) || length < 1 || length > 64) {
    throw new RangeError(`shortHash length must be an integer from 1 to 64, got ${length}`)
  }
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, length)
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

function stackName(environment: string): string {
  const slug = environmentSlug(environment)
  if (slug !== '' && slug === environment && slug.length <= STACK_MAX) return slug
  const hash = shortHash(environment, HASH_LENGTH)
  const readable = cut(slug, STACK_MAX - HASH_LENGTH - 1)
  // A leading '-' would read as a CLI flag, so an empty slug gets a word instead.
  return `${readable === '' ? 'env' : readable}-${hash}`
}

function resourceGroupName(project: string, stack: string, environment: string): string {
  const projectSlug = environmentSlug(project)
  const readable = projectSlug === '' ? `rg-${stack}` : `rg-${projectSlug}-${stack}`
  if (projectSlug === project && readable.length <= RESOURCE_GROUP_MAX) return readable
  // Lossy project or too long: the hash covers both parts, so distinct pairs stay distinct.
  const hash = shortHash(`${project}|${environment}`, HASH_LENGTH)
  return `${cut(readable, RESOURCE_GROUP_MAX - HASH_LENGTH - 1)}-${hash}`
}

function storageAccountName(project: string, environment: string, repository: string): string {
  // Globally unique in Azure: the hash carries repository, project and environment.
  const readable = alphanumerics(environment).slice(0, STORAGE_READABLE_MAX)
  return readable + shortHash(`${repository}|${project}|${environment}`, STORAGE_MAX - readable.length)
}

export function environmentNames(args: { project: string; environment: string; repository: string }): EnvironmentNames {
  const stack = stackName(args.environment)
  return {
    stackName: stack,
    resourceGroupName: resourceGroupName(args.project, stack, args.environment),
    storageAccountName: storageAccountName(args.project, args.environment, args.repository)
  }
}

/** A table name on a shared endpoint: `<table><env alphanumerics><hash of project|environment>`, at most 63. */
export function emulatorTableName(args: { table: string; project: string; environment: string }): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(args.table)) {
    throw new InputError('tables', `'${args.table}' must be a letter followed by letters or digits`)
  }
  const hash = shortHash(`${args.project}|${args.environment}`, HASH_LENGTH)
  const room = TABLE_MAX - HASH_LENGTH
  // A table too long on its own is cut, and keeps a hash of itself so two long tables stay apart.
  const tablePart =
    args.table.length <= room ? args.table : args.table.slice(0, room - HASH_LENGTH) + shortHash(args.table, HASH_LENGTH)
  const envPart = alphanumerics(args.environment).slice(0, room - tablePart.length)
  return tablePart + envPart + hash
}
