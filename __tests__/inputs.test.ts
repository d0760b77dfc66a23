import { describe, expect, it } from '@jest/globals'
import { InputError } from '../src/errors.js'
import { parseBoolean, parsePulumiVersion, parseTables, parseTags, readInputs } from '../src/inputs.js'
import { buildPlan } from '../src/plan.js'
import { canonicalRegion } from '../src/regions.js'

const reader = (values: Record<string, string>) => (name: string) => values[name] ?? ''

describe('readInputs', () => {
  it('gives the documented defaults', () => {
    const inputs = readInputs(reader({ environment: 'staging' }))
    expect(inputs).toMatchObject({
      command: 'up',
      target: 'azure',
      location: 'westeurope',
      tables: ['events'],
      sku: 'Standard_LRS',
      project: 'event-store',
      protect: false,
      verify: true,
      pulumiVersion: '3.276.0'
    })
  })

  it('forgives case and spaces in regions and case in SKUs', () => {
    expect(canonicalRegion('East US 2')).toBe('eastus2')
    expect(canonicalRegion('west-europe')).toBe('westeurope')
    expect(canonicalRegion('atlantis')).toBeUndefined()
    expect(readInputs(reader({ sku: 'standard_zrs' })).sku).toBe('Standard_ZRS')
  })

  it('forgives case in every enum input, as it does in location and sku', () => {
    const inputs = readInputs(reader({ command: 'Destroy', target: 'Emulator', auth: 'Connection-String', verify: 'tRuE', protect: 'FALSE' }))
    expect(inputs).toMatchObject({ command: 'destroy', target: 'emulator', auth: 'connection-string', verify: true, protect: false })
  })

  it('suggests the closest regions for a misspelt location', () => {
    expect(() => readInputs(reader({ location: 'westeu' }))).toThrow(/^Input 'location': got 'westeu'.*Did you mean westeurope\b/)
    expect(() => readInputs(reader({ location: 'eastsu' }))).toThrow(/Did you mean .*eastus\b/)
    expect(() => readInputs(reader({ location: 'atlantis' }))).not.toThrow(/Did you mean/)
  })

  it('names the input in every error', () => {
    expect(() => readInputs(reader({ command: 'nuke' }))).toThrow(/^Input 'command': got 'nuke'; allowed: up, preview, refresh, destroy, prune\.$/)
    expect(() => readInputs(reader({ project: 'my project' }))).toThrow(/^Input 'project'/)
    expect(() => readInputs(reader({ 'backend-url': 'ftp://x' }))).toThrow(/^Input 'backend-url'/)
    expect(() => readInputs(reader({ 'secrets-provider': 'rot13' }))).toThrow(/^Input 'secrets-provider'/)
  })
})

describe('parseTables', () => {
  it('splits on commas and newlines', () => {
    expect(parseTables('events,\n snapshots\n\nProjections')).toEqual(['events', 'snapshots', 'Projections'])
  })
  it.each(['ab', '1abc', 'with-dash', 'a'.repeat(64), 'tables', 'TABLES', 'événements'])('refuses %s', (name) => {
    expect(() => parseTables(name)).toThrow(InputError)
  })
  it('suggests commas or newlines when names are separated by spaces', () => {
    expect(() => parseTables('events snapshots')).toThrow(/^Input 'tables': 'events snapshots' is not a valid table name.*Separate table names with commas or newlines/)
    expect(() => parseTables('with-dash')).not.toThrow(/Separate table names/)
  })
  it('refuses duplicates case-insensitively', () => {
    expect(() => parseTables('Events,events')).toThrow(/listed twice/)
  })
  it('accepts the longest valid name', () => {
    expect(parseTables('a'.repeat(63))).toHaveLength(1)
  })
})

describe('parseTags', () => {
  it('reads key=value lines and commas, values may hold =', () => {
    expect(parseTags('team=ai\ncost-center = 42, expr=a=b')).toEqual({ team: 'ai', 'cost-center': '42', expr: 'a=b' })
  })
  it.each([
    ['no-value', /key=value/],
    ['a/b=1', /does not allow/],
    ['azure-x=1', /reserves/],
    ['environment=prod', /set by the action/],
    ['Team=a\nteam=b', /twice/],
    [`${'k'.repeat(129)}=v`, /128/],
    [`k=${'v'.repeat(257)}`, /256/]
  ])('refuses %s', (text, message) => {
    expect(() => parseTags(text)).toThrow(message)
  })
  it('refuses more tags than Azure allows', () => {
    const many = Array.from({ length: 47 }, (_, i) => `k${i}=v`).join('\n')
    expect(() => parseTags(many)).toThrow(/at most 46/)
  })
})

describe('parseBoolean and parsePulumiVersion', () => {
  it('takes only true and false', () => {
    expect(parseBoolean('verify', 'True')).toBe(true)
    expect(parseBoolean('verify', 'false')).toBe(false)
    for (const bad of ['yes', '1', 'on', '']) expect(() => parseBoolean('verify', bad)).toThrow(/Input 'verify'/)
  })
  it('takes versions and ranges', () => {
    expect(parsePulumiVersion('v3.276.0')).toBe('3.276.0')
    expect(parsePulumiVersion('^3.200.0')).toBe('^3.200.0')
    expect(() => parsePulumiVersion('newest')).toThrow(/Input 'pulumi-version'/)
  })
})

describe('backend-url and secrets-provider', () => {
  it.each(['default', 'passphrase', 'azurekeyvault://vault.vault.azure.net/keys/pulumi', 'awskms://alias/x', 'gcpkms://projects/p', 'hashivault://k'])(
    'accepts the secrets provider %s',
    (value) => {
      expect(readInputs(reader({ 'secrets-provider': value })).secretsProvider).toBe(value)
    }
  )
  it.each(['passphrasex', 'default$(touch x)', 'azurekeyvault://', 'PASSPHRASE', 'file://x'])('refuses the secrets provider %s', (value) => {
    expect(() => readInputs(reader({ 'secrets-provider': value }))).toThrow(/^Input 'secrets-provider'/)
  })
  it.each(['azblob://', 'https://', 'ftp://x', 'azblob://state with space'])('refuses the backend %s', (value) => {
    expect(() => readInputs(reader({ 'backend-url': value }))).toThrow(/^Input 'backend-url'/)
  })
})

describe('control characters', () => {
  it('refuses them in tags (the runner would read a line break as a new command)', () => {
    expect(() => parseTags('team=a\tb')).toThrow(/^Input 'tags': 'team=a b' contains a control character/)
    expect(() => parseTags('te\u0007am=x')).toThrow(/control character/)
  })
  it.each(['pr-1\n::warning::injected', 'pr-1\r', 'pr\u00001', 'pr-1\u001b[31m'])('refuses them in the environment: %j', (environment) => {
    const inputs = readInputs(reader({}))
    const context = { eventName: 'push', repository: 'octo/app', sha: 'abc' }
    expect(() => buildPlan({ ...inputs, environment }, context)).toThrow(/^Input 'environment': contains a control character/)
  })
  it('still takes names that only look odd', () => {
    const context = { eventName: 'push', repository: 'octo/app', sha: 'abc' }
    expect(buildPlan({ ...readInputs(reader({})), environment: 'feature/$(whoami)' }, context).environment).toBe('feature/$(whoami)')
  })
})
