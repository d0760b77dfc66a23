// Reads and validates every input before anything is provisioned. Each problem is one
// InputError naming the input, what was given (unless secret) and what is allowed.
import semver from 'semver'
import { InputError } from '../errors.js'
import { canonicalRegion, closestRegions } from './regions.js'
import { shown } from './shown.js'
import { splitList } from './list.js'
import { readScaleInputs } from './scale.js'
import { parseTags } from './tags.js'
import { ACTION_COMMANDS, AUTH_MODES, SKUS, TARGETS, type ActionCommand, type AuthMode, type PayloadSettings, type ScaleSettings, type Sku, type Target } from '../types.js'
import { readPayloadInputs } from './payloads.js'

export interface ActionInputs {
  command: ActionCommand
  /** Empty when not given; plan.ts may default it from the event. */
  environment: string
  target: Target
  location: string
  tables: string[]
  sku: Sku
  project: string
  backendUrl: string
  secretsProvider: string
  pulumiVersion: string
  tags: Record<string, string>
  protect: boolean
  emulatorConnectionString: string
  verify: boolean
  removeStack: boolean
  expectNoChanges: boolean
  commentOnPr: boolean
  /** Secret. */
  githubToken: string
  allowLocalState: boolean
  auth: AuthMode
  principalId: string
  scale: ScaleSettings
  payloads: PayloadSettings
}

export type GetInput = (name: string) => string

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/
const PROJECT_NAME = /^[A-Za-z0-9_.-]{1,100}$/

// One case rule for every enum input (command, target, sku, auth, isolation, engine, booleans, location):
// case is forgiven, as the portal and the CLI spell them differently.
function oneOf<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  const match = allowed.find((a) => a.toLowerCase() === value.toLowerCase())
  if (!match) throw new InputError(input, `got ${shown(value)}; allowed: ${allowed.join(', ')}.`)
  return match
}

export function parseBoolean(input: string, value: string): boolean {
  if (/^true$/i.test(value)) return true
  if (/^false$/i.test(value)) return false
  throw new InputError(input, `got ${shown(value)}; allowed: true or false.`)
}

/** One environment's tables are created in one run; a list this long is a mistake or an attack. */
export const MAX_TABLES = 100

export function parseTables(value: string): string[] {
  const tables = splitList(value)
  if (tables.length === 0) throw new InputError('tables', 'give at least one table name.')
  if (tables.length > MAX_TABLES) throw new InputError('tables', `lists ${tables.length} tables; allowed: at most ${MAX_TABLES} per environment.`)
  const seen = new Set<string>()
  for (const t of tables) {
    if (!TABLE_NAME.test(t)) {
      const separators = /\s/.test(t) ? ' Separate table names with commas or newlines, not spaces.' : ''
      throw new InputError('tables', `${shown(t)} is not a valid table name; a table name is a letter followed by letters or digits, 3 to 63 characters.${separators}`)
    }
    // Table names are case-insensitive in Azure, and `tables` is reserved by the service.
    const key = t.toLowerCase()
    if (key === 'tables') throw new InputError('tables', `${shown(t)} is reserved by Azure Table Storage; choose another name.`)
    if (seen.has(key)) throw new InputError('tables', `${shown(t)} is listed twice (table names are case-insensitive); list each table once.`)
    seen.add(key)
  }
  return tables
}

export function parsePulumiVersion(value: string): string {
  const v = value.trim().replace(/^v/, '')
  if (semver.valid(v)) return v
  if (v !== '' && semver.validRange(v)) return v
  throw new InputError('pulumi-version', `got ${shown(value)}; allowed: a version like 3.276.0 or a semver range like ^3.200.0.`)
}

const CONTROL_OR_SPACE = /[\s\u0000-\u001f\u007f-\u009f]/
const SCHEME = /^([a-z][a-z0-9+.-]{0,15}):\/\//i

/**
 * A URL-like input that may hold a credential: checked case-insensitively and described without
 * its value. Returns the lowercase scheme, or throws.
 */
function checkUrlInput(input: string, value: string, schemes: readonly string[], allowed: string): string {
  const notShown = '(the value is not shown: it may hold a credential)'
  if (CONTROL_OR_SPACE.test(value)) throw new InputError(input, `contains whitespace or a control character ${notShown}; ${allowed}`)
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase()
  if (scheme === undefined) throw new InputError(input, `does not start with a scheme such as https:// ${notShown}; ${allowed}`)
  if (!schemes.includes(scheme)) throw new InputError(input, `has the scheme '${scheme}', which is not supported ${notShown}; ${allowed}`)
  if (value.length === scheme.length + 3) throw new InputError(input, `has nothing after '${scheme}://'; ${allowed}`)
  return scheme
}

function parseBackendUrl(value: string): string {
  if (value === '') return ''
  const allowed = 'allowed: a Pulumi backend URL such as https://api.pulumi.com, azblob://container?storage_account=NAME, s3://bucket, gs://bucket or file://path.'
  const scheme = checkUrlInput('backend-url', value, ['https', 'http', 'file', 'azblob', 's3', 'gs'], allowed)
  // Pulumi reads schemes case-insensitively; the rest of the action compares the lowercase form.
  return scheme + value.slice(scheme.length)
}

function parseSecretsProvider(value: string): string {
  if (value === '') return ''
  const allowed = 'allowed: default, passphrase, awskms://..., azurekeyvault://..., gcpkms://... or hashivault://....'
  // The bare names exactly; a URL provider needs something after its scheme.
  if (/^(default|passphrase)$/.test(value)) return value
  const scheme = checkUrlInput('secrets-provider', value, ['awskms', 'azurekeyvault', 'gcpkms', 'hashivault'], allowed)
  return scheme + value.slice(scheme.length)
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function parsePrincipalId(value: string): string {
  if (value !== '' && !GUID.test(value)) throw new InputError('principal-id', `got ${shown(value)}; allowed: an object ID (a GUID such as 00000000-0000-0000-0000-000000000000).`)
  return value
}

/** Reads every input through `get` (core.getInput in production) and validates it. */
export function readInputs(get: GetInput): ActionInputs {
  const or = (name: string, fallback: string): string => {
    const v = get(name).trim()
    return v === '' ? fallback : v
  }
  const command = oneOf('command', or('command', 'up'), ACTION_COMMANDS)
  const target = oneOf('target', or('target', 'azure'), TARGETS)
  const auth = oneOf('auth', or('auth', 'connection-string'), AUTH_MODES)
  const locationText = or('location', 'westeurope')
  const location = canonicalRegion(locationText)
  if (!location) {
    const near = closestRegions(locationText)
    const hint = near.length > 0 ? ` Did you mean ${near.join(' or ')}?` : ''
    throw new InputError('location', `got ${shown(locationText)}; allowed: an Azure public region such as westeurope, eastus or "West Europe".${hint}`)
  }
  const project = or('project', 'event-store')
  if (!PROJECT_NAME.test(project)) throw new InputError('project', `got ${shown(project)}; allowed: 1 to 100 letters, digits, '-', '_' or '.'.`)

  return {
    command,
    environment: get('environment').trim(),
    target,
    location,
    tables: parseTables(or('tables', 'events')),
    sku: oneOf('sku', or('sku', 'Standard_LRS'), SKUS),
    project,
    backendUrl: parseBackendUrl(get('backend-url').trim()),
    secretsProvider: parseSecretsProvider(get('secrets-provider').trim()),
    pulumiVersion: parsePulumiVersion(or('pulumi-version', '3.276.0')),
    tags: parseTags(get('tags')),
    protect: parseBoolean('protect', or('protect', 'false')),
    emulatorConnectionString: get('emulator-connection-string').trim(),
    verify: parseBoolean('verify', or('verify', 'true')),
    removeStack: parseBoolean('remove-stack', or('remove-stack', 'true')),
    expectNoChanges: parseBoolean('expect-no-changes', or('expect-no-changes', 'false')),
    commentOnPr: parseBoolean('comment-on-pr', or('comment-on-pr', 'false')),
    githubToken: get('github-token').trim(),
    allowLocalState: parseBoolean('allow-local-state', or('allow-local-state', 'false')),
    auth,
    principalId: parsePrincipalId(get('principal-id').trim()),
    scale: readScaleInputs(get, { target, auth }),
    payloads: readPayloadInputs(get)
  }
}
