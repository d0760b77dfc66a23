// The scale inputs: isolation, shared account, SAS expiry, engine, Cosmos throughput, parallelism.
import { describe, expect, it } from '@jest/globals'
import { InputError } from '../src/errors.js'
import { readScaleInputs, parseSasExpiry } from '../src/scale-inputs.js'

const NOW = new Date('2026-03-01T12:00:00.000Z')

function inputs(values: Record<string, string> = {}): (name: string) => string {
  return (name) => values[name] ?? ''
}

function read(values: Record<string, string> = {}) {
  return readScaleInputs(inputs(values), NOW)
}

/** The InputError a read throws (fails the test when it does not throw one). */
function refusal(values: Record<string, string>): InputError {
  try {
    read(values)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return error as InputError
  }
  throw new Error(`expected an InputError for ${JSON.stringify(values)}`)
}

const TABLES = { isolation: 'tables', 'shared-account-name': 'sharedevents01', 'shared-account-resource-group': 'rg-shared' }

describe('readScaleInputs defaults', () => {
  it('is one account per environment on Table Storage, serverless, parallelism 10', () => {
    expect(read()).toEqual({ isolation: 'account', storageEngine: 'table-storage', cosmosThroughput: { mode: 'serverless' }, parallelism: 10 })
  })

  it('trims whitespace like the other inputs', () => {
    expect(read({ isolation: ' account ', parallelism: ' 4\n' }).parallelism).toBe(4)
  })
})

describe('isolation', () => {
  it('refuses an unknown mode, naming what is allowed', () => {
    const e = refusal({ isolation: 'shared' })
    expect(e.input).toBe('isolation')
    expect(e.message).toMatch(/got 'shared'; allowed: account, tables/)
  })

  it('tables: the shared account and a 90-day SAS expiry by default', () => {
    expect(read(TABLES)).toEqual({
      isolation: 'tables',
      sharedAccount: { name: 'sharedevents01', resourceGroupName: 'rg-shared' },
      sasExpiry: '2026-05-30T12:00:00Z',
      storageEngine: 'table-storage',
      cosmosThroughput: { mode: 'serverless' },
      parallelism: 10
    })
  })

  it('tables requires the shared account and its resource group', () => {
    expect(refusal({ isolation: 'tables' }).input).toBe('shared-account-name')
    const e = refusal({ isolation: 'tables', 'shared-account-name': 'sharedevents01' })
    expect(e.input).toBe('shared-account-resource-group')
    expect(e.message).toMatch(/required with isolation: tables/)
  })

  it.each(['ab', 'UPPERCASE', 'has-hyphen', 'a'.repeat(25), 'spa ce'])('refuses the storage account name %p', (name) => {
    const e = refusal({ ...TABLES, 'shared-account-name': name })
    expect(e.input).toBe('shared-account-name')
    expect(e.message).toMatch(/3 to 24 lowercase letters and digits/)
  })

  it.each(['rg.', 'a'.repeat(91), 'rg/x', 'rg#1'])('refuses the resource group %p', (group) => {
    expect(refusal({ ...TABLES, 'shared-account-resource-group': group }).input).toBe('shared-account-resource-group')
  })

  it('accepts resource group names with the characters Azure allows', () => {
    expect(read({ ...TABLES, 'shared-account-resource-group': 'RG_shared-events.(eu)' }).sharedAccount?.resourceGroupName).toBe('RG_shared-events.(eu)')
  })

  it.each(['shared-account-name', 'shared-account-resource-group', 'sas-expiry'])('refuses %s without isolation tables', (name) => {
    const e = refusal({ [name]: name === 'sas-expiry' ? '30d' : 'sharedevents01' })
    expect(e.input).toBe(name)
    expect(e.message).toMatch(/only with isolation: tables/)
  })

  it('with auth entra issues no SAS, so sas-expiry is refused and none is computed', () => {
    expect(read({ ...TABLES, auth: 'entra' })).not.toHaveProperty('sasExpiry')
    const e = refusal({ ...TABLES, auth: 'entra', 'sas-expiry': '30d' })
    expect(e.input).toBe('sas-expiry')
    expect(e.message).toMatch(/auth: entra/)
  })

  it('on the emulator target the endpoint is the shared account: no account inputs, a SAS expiry still', () => {
    expect(read({ target: 'emulator', isolation: 'tables' })).toEqual({
      isolation: 'tables',
      sasExpiry: '2026-05-30T12:00:00Z',
      storageEngine: 'table-storage',
      cosmosThroughput: { mode: 'serverless' },
      parallelism: 10
    })
    const e = refusal({ ...TABLES, target: 'emulator' })
    expect(e.input).toBe('shared-account-name')
    expect(e.message).toMatch(/emulator-connection-string/)
  })
})

describe('sas-expiry', () => {
  it.each([
    ['30d', '2026-03-31T12:00:00Z'],
    ['12h', '2026-03-02T00:00:00Z'],
    ['1h', '2026-03-01T13:00:00Z'],
    ['365d', '2027-03-01T12:00:00Z'],
    ['2026-12-31', '2026-12-31T00:00:00Z'],
    ['2026-12-31T18:30:00Z', '2026-12-31T18:30:00Z'],
    ['2026-12-31T18:30:00.250Z', '2026-12-31T18:30:00Z'],
    ['2026-12-31T20:30:00+02:00', '2026-12-31T18:30:00Z']
  ])('%s expires at %s (UTC, to the second)', (given, expected) => {
    expect(parseSasExpiry(given, NOW)).toBe(expected)
    expect(read({ ...TABLES, 'sas-expiry': given }).sasExpiry).toBe(expected)
  })

  it.each([
    ['2026-02-01', /in the past/],
    ['30m', /allowed: a duration/],
    ['0h', /in the past/],
    ['2026-03-01T12:30:00Z', /less than an hour away/],
    ['366d', /more than 365 days ahead.*cannot be revoked/],
    ['2030-01-01', /more than 365 days ahead/],
    ['2026-02-31', /not a calendar date/],
    ['2026-12-31T18:30:00', /without a time zone/],
    ['next week', /allowed: a duration such as 30d or 12h/],
    ['-5d', /allowed/]
  ])('refuses %p', (given, message) => {
    const e = refusal({ ...TABLES, 'sas-expiry': given })
    expect(e.input).toBe('sas-expiry')
    expect(e.message).toMatch(message)
  })

  it('computes durations from the clock it is given', () => {
    expect(readScaleInputs(inputs({ ...TABLES, 'sas-expiry': '1d' }), new Date('2027-01-01T00:00:00Z')).sasExpiry).toBe('2027-01-02T00:00:00Z')
  })
})

describe('engine and cosmos-throughput', () => {
  it('refuses an unknown engine', () => {
    const e = refusal({ engine: 'cosmos' })
    expect(e.input).toBe('engine')
    expect(e.message).toMatch(/allowed: table-storage, cosmos-table/)
  })

  it.each([
    ['serverless', { mode: 'serverless' }],
    ['400', { mode: 'provisioned', ru: 400 }],
    ['1000000', { mode: 'provisioned', ru: 1_000_000 }],
    ['autoscale:1000', { mode: 'autoscale', maxRu: 1000 }],
    ['autoscale:1000000', { mode: 'autoscale', maxRu: 1_000_000 }]
  ])('cosmos-throughput %s', (given, expected) => {
    expect(read({ engine: 'cosmos-table', 'cosmos-throughput': given }).cosmosThroughput).toEqual(expected)
  })

  it('forgives case, as every enum input does (Serverless, AUTOSCALE:2000)', () => {
    expect(read({ engine: 'Cosmos-Table', 'cosmos-throughput': 'Serverless' }).cosmosThroughput).toEqual({ mode: 'serverless' })
    expect(read({ engine: 'cosmos-table', 'cosmos-throughput': 'AUTOSCALE:2000' }).cosmosThroughput).toEqual({ mode: 'autoscale', maxRu: 2000 })
  })

  it('is serverless by default', () => {
    expect(read({ engine: 'cosmos-table' })).toEqual({ isolation: 'account', storageEngine: 'cosmos-table', cosmosThroughput: { mode: 'serverless' }, parallelism: 10 })
  })

  it.each(['300', '450', '1000100', 'autoscale:500', 'autoscale:1500', 'autoscale:2000000', 'autoscale', 'auto:4000', '4k', '-400'])(
    'refuses cosmos-throughput %p, naming the ranges',
    (given) => {
      const e = refusal({ engine: 'cosmos-table', 'cosmos-throughput': given })
      expect(e.input).toBe('cosmos-throughput')
      expect(e.message).toMatch(/allowed: serverless, a fixed RU\/s from 400 to 1000000 in steps of 100.*autoscale:<max RU\/s> from 1000 to 1000000 in steps of 1000/)
    }
  )

  it('refuses cosmos-throughput without the cosmos engine', () => {
    const e = refusal({ 'cosmos-throughput': '400' })
    expect(e.input).toBe('cosmos-throughput')
    expect(e.message).toMatch(/only with engine: cosmos-table/)
  })

  it('refuses cosmos-table with isolation tables, saying why', () => {
    const e = refusal({ ...TABLES, engine: 'cosmos-table' })
    expect(e.input).toBe('engine')
    expect(e.message).toMatch(/one Cosmos DB account per environment.*cannot be combined with isolation: tables/)
  })

  it('refuses cosmos-table on the emulator target', () => {
    const e = refusal({ target: 'emulator', engine: 'cosmos-table' })
    expect(e.input).toBe('engine')
    expect(e.message).toMatch(/azure target/)
  })

  it('keeps Cosmos DB within its 15 tags per resource', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v`).join('\n')
    expect(read({ engine: 'cosmos-table', tags: tags(11) }).storageEngine).toBe('cosmos-table')
    const e = refusal({ engine: 'cosmos-table', tags: tags(12) })
    expect(e.input).toBe('tags')
    expect(e.message).toMatch(/at most 11 tags/)
    // Table Storage keeps its own, higher limit.
    expect(read({ tags: tags(12) }).storageEngine).toBe('table-storage')
  })
})

describe('parallelism', () => {
  it.each([['1', 1], ['10', 10], ['50', 50]])('accepts %s', (given, expected) => {
    expect(read({ parallelism: given }).parallelism).toBe(expected)
  })

  it.each(['0', '51', '2.5', 'ten', '-1', '1e1'])('refuses %p', (given) => {
    const e = refusal({ parallelism: given })
    expect(e.input).toBe('parallelism')
    expect(e.message).toMatch(/a whole number from 1 to 50/)
  })
})
