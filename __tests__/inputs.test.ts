import { describe, expect, it } from '@jest/globals'
import { InputError } from '../src/errors.js'
import { parseBoolean, parsePulumiVersion, parseTables, parseTags, readInputs } from '../src/inputs.js'
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

  it('names the input in every error', () => {
    expect(() => readInputs(reader({ command: 'nuke' }))).toThrow(/^Input 'command': got 'nuke'; allowed: up, preview, refresh, destroy\.$/)
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
