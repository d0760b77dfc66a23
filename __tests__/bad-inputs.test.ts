// Malformed inputs through the bundle, against a running Azurite: each ends in exit 1 with one
// ::error:: naming the input, no stack trace, nothing on stderr, no table created, nothing executed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { TableServiceClient } from '@azure/data-tables'
import { RECORD_TABLE } from '../src/engine/emulator-record.js'
import { startAzurite, type AzuriteHandle } from './helpers/azurite.js'
import { copyBundle, everythingWritten, type BundleCopy } from './fixtures/bundle.js'
import { errorLines } from './fixtures/action-run.js'

// Any of these, run by a shell, would create the marker file.
const MARKER = join(tmpdir(), `pwned-${randomBytes(6).toString('hex')}`)
const SUBSHELL = `$(touch ${MARKER})`
const BACKTICKS = `\`touch ${MARKER}\``
const CHAINED = `; touch ${MARKER}`
const PIPED = `| touch ${MARKER} &&`

const KEY = 'c2VjcmV0LWtleS10aGF0LW11c3Qtbm90LWJlLXNob3du'

interface Case {
  what: string
  inputs: Record<string, string>
  /** The input the one error must name. */
  input: string
  /** Text the error must also contain (what was given, or what is allowed). */
  says?: RegExp
  /** Secret text the run must never print. */
  secret?: string
}

const azure = { target: 'azure', 'emulator-connection-string': '' }

const CASES: Case[] = [
  { what: 'unknown command', inputs: { command: 'apply' }, input: 'command', says: /got 'apply'; allowed: up, preview/ },
  { what: 'command abbreviated', inputs: { command: 'dest' }, input: 'command' },
  { what: 'command with a shell suffix', inputs: { command: `up${CHAINED}` }, input: 'command' },
  { what: 'boolean yes', inputs: { protect: 'yes' }, input: 'protect', says: /got 'yes'; allowed: true or false/ },
  { what: 'boolean 1', inputs: { verify: '1' }, input: 'verify' },
  { what: 'boolean on', inputs: { 'remove-stack': 'on' }, input: 'remove-stack' },
  { what: 'boolean with inner space', inputs: { 'expect-no-changes': 'tr ue' }, input: 'expect-no-changes' },
  { what: 'boolean no', inputs: { 'comment-on-pr': 'no' }, input: 'comment-on-pr' },
  { what: 'boolean subshell', inputs: { 'allow-local-state': SUBSHELL }, input: 'allow-local-state' },
  { what: 'unknown region', inputs: { location: 'mars-central' }, input: 'location', says: /mars-central.*westeurope/ },
  { what: 'misspelt region', inputs: { location: 'westeu' }, input: 'location', says: /Did you mean westeurope/ },
  { what: 'region with a shell suffix', inputs: { location: `westeurope${CHAINED}` }, input: 'location' },
  { what: 'premium SKU', inputs: { sku: 'Premium_LRS' }, input: 'sku', says: /Standard_LRS/ },
  { what: 'SKU with a dash', inputs: { sku: 'Standard-LRS' }, input: 'sku' },
  { what: 'SKU subshell', inputs: { sku: SUBSHELL }, input: 'sku' },
  { what: 'table name too short', inputs: { tables: 'ab' }, input: 'tables', says: /'ab'.*3 to 63/ },
  { what: 'table name starting with a digit', inputs: { tables: '1events' }, input: 'tables' },
  { what: 'table name with a dash', inputs: { tables: 'event-log' }, input: 'tables' },
  { what: 'table names separated by spaces', inputs: { tables: 'events snapshots' }, input: 'tables', says: /commas or newlines/ },
  { what: 'table name of 64 characters', inputs: { tables: `e${'x'.repeat(63)}` }, input: 'tables' },
  { what: 'reserved table name', inputs: { tables: 'events,Tables' }, input: 'tables', says: /reserved/ },
  { what: 'duplicate table, other case', inputs: { tables: 'events,Events' }, input: 'tables', says: /twice/ },
  { what: 'unicode table name', inputs: { tables: 'événements' }, input: 'tables' },
  { what: 'no table at all', inputs: { tables: ' , ,\n' }, input: 'tables' },
  { what: 'table subshell', inputs: { tables: `events,${SUBSHELL}` }, input: 'tables' },
  { what: 'table backticks', inputs: { tables: BACKTICKS }, input: 'tables' },
  { what: 'table that injects a workflow command', inputs: { tables: 'events\n::warning::injected' }, input: 'tables' },
  { what: 'tag without =', inputs: { tags: 'team' }, input: 'tags', says: /not key=value/ },
  { what: 'tag key with a forbidden character', inputs: { tags: 'cost<center=1' }, input: 'tags' },
  { what: 'tag key with a reserved prefix', inputs: { tags: 'microsoft.owner=x' }, input: 'tags', says: /reserves/ },
  { what: 'tag key over 128 characters', inputs: { tags: `${'k'.repeat(129)}=v` }, input: 'tags' },
  { what: 'tag value over 256 characters', inputs: { tags: `team=${'v'.repeat(257)}` }, input: 'tags' },
  { what: 'duplicate tag key', inputs: { tags: 'team=a\nTEAM=b' }, input: 'tags', says: /twice/ },
  { what: 'fixed tag key', inputs: { tags: 'managed-by=me' }, input: 'tags', says: /set by the action/ },
  { what: 'tag with a tab', inputs: { tags: 'team=a\tb' }, input: 'tags', says: /control character/ },
  { what: 'tag key subshell', inputs: { tags: `${SUBSHELL}=1` }, input: 'tags' },
  { what: 'environment of Japanese only', inputs: { environment: '日本' }, input: 'environment', says: /'日本' has no letters or digits/ },
  { what: 'environment of dashes', inputs: { environment: '---' }, input: 'environment' },
  { what: 'environment over 200 characters', inputs: { environment: `pr-${'9'.repeat(198)}` }, input: 'environment', says: /201 characters.*at most 200/ },
  { what: 'environment with a line break', inputs: { environment: 'pr-1\n::error::forged' }, input: 'environment', says: /control character/ },
  { what: 'environment missing on a push', inputs: { environment: '' }, input: 'environment', says: /is required/ },
  { what: 'unknown target', inputs: { target: 'aws' }, input: 'target', says: /got 'aws'; allowed: azure, emulator/ },
  { what: 'target backticks', inputs: { target: BACKTICKS }, input: 'target' },
  { what: 'project with spaces', inputs: { project: 'my project' }, input: 'project' },
  { what: 'project subshell', inputs: { project: SUBSHELL }, input: 'project' },
  { what: 'connection string of garbage', inputs: { 'emulator-connection-string': 'not a connection string' }, input: 'emulator-connection-string' },
  {
    what: 'connection string without TableEndpoint or AccountName',
    inputs: { 'emulator-connection-string': `DefaultEndpointsProtocol=http;AccountKey=${KEY}` },
    input: 'emulator-connection-string',
    says: /names no Table endpoint/,
    secret: KEY
  },
  {
    what: 'connection string without a key',
    inputs: { 'emulator-connection-string': 'AccountName=devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1' },
    input: 'emulator-connection-string',
    says: /neither AccountKey nor SharedAccessSignature/
  },
  {
    what: 'connection string with a subshell for a key',
    inputs: { 'emulator-connection-string': `AccountName=a;AccountKey=${SUBSHELL};TableEndpoint=http://127.0.0.1:1/a` },
    input: 'emulator-connection-string',
    secret: SUBSHELL
  },
  { what: 'pulumi-version latest', inputs: { 'pulumi-version': 'latest' }, input: 'pulumi-version', says: /'latest'/ },
  { what: 'pulumi-version subshell', inputs: { 'pulumi-version': SUBSHELL }, input: 'pulumi-version' },
  { what: 'backend over ftp', inputs: { ...azure, 'backend-url': 'ftp://state' }, input: 'backend-url' },
  { what: 'backend with no location', inputs: { ...azure, 'backend-url': 'azblob://' }, input: 'backend-url' },
  { what: 'backend with a shell suffix', inputs: { ...azure, 'backend-url': `azblob://state ${PIPED}` }, input: 'backend-url' },
  { what: 'unknown secrets provider', inputs: { ...azure, 'secrets-provider': 'rot13' }, input: 'secrets-provider' },
  { what: 'secrets provider with a suffix', inputs: { ...azure, 'secrets-provider': `passphrase${SUBSHELL.replace(' ', '')}` }, input: 'secrets-provider' },
  { what: 'principal-id not a GUID', inputs: { ...azure, auth: 'entra', 'principal-id': 'my-app' }, input: 'principal-id', says: /'my-app'.*GUID/ },
  { what: 'principal-id without auth entra', inputs: { ...azure, 'principal-id': '00000000-0000-0000-0000-000000000001' }, input: 'principal-id' },
  { what: 'unknown auth', inputs: { ...azure, auth: 'keyless' }, input: 'auth', says: /connection-string, entra/ },
  { what: 'auth entra on the emulator', inputs: { auth: 'entra' }, input: 'auth', says: /azure target/ },
  { what: 'region on the azure target', inputs: { ...azure, location: 'westeurope2' }, input: 'location' }
]

let bundle: BundleCopy
let azurite: AzuriteHandle
let initialTables: string[]

async function listTables(): Promise<string[]> {
  const client = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true })
  const names: string[] = []
  // The ownership record's table is the action's own (it outlives an environment, like a Pulumi backend);
  // its entities are checked by the emulator lifecycle suite.
  for await (const t of client.listTables()) if (t.name !== RECORD_TABLE) names.push(t.name!)
  return names.sort()
}

beforeAll(async () => {
  bundle = copyBundle()
  azurite = await startAzurite()
  initialTables = await listTables()
})
afterAll(async () => {
  await azurite?.stop()
  bundle?.remove()
})

describe('a malformed input', () => {
  it.each(CASES.map((c) => [c.what, c] as const))('%s: exit 1, one error naming the input, nothing created', async (_, c) => {
    const run = await bundle.run({
      target: 'emulator',
      'emulator-connection-string': azurite.connectionString,
      environment: 'pr-1',
      ...c.inputs
    })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(1)
    const errors = errorLines(run.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(new RegExp(`^::error::Input '${c.input}': `))
    if (c.says) expect(errors[0]).toMatch(c.says)
    expect(run.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/)
    expect(run.stdout).not.toMatch(/::debug::/)
    expect(run.outputFile).toBe('')
    if (c.secret) expect(everythingWritten(run)).not.toContain(c.secret)
    expect(await listTables()).toEqual(initialTables)
    expect(existsSync(MARKER)).toBe(false)
  })
})

describe('values that only look like shell', () => {
  // Valid names whatever they look like: they must be used as data, never run.
  it.each([SUBSHELL, BACKTICKS, `pr-7${CHAINED}`])('environment %s is a name like any other', async (environment) => {
    const inputs = { target: 'emulator', 'emulator-connection-string': azurite.connectionString, environment, tags: `note=${SUBSHELL}` }
    const up = await bundle.run(inputs)
    expect(up.stderr).toBe('')
    expect(up.code).toBe(0)
    expect(up.outputs['stack-name']).toMatch(/^[a-z0-9-]+$/)
    const destroy = await bundle.run({ ...inputs, command: 'destroy' })
    expect(destroy.code).toBe(0)
    expect(await listTables()).toEqual(initialTables)
    expect(existsSync(MARKER)).toBe(false)
  })
})
