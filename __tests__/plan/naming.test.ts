import { describe, expect, it } from '@jest/globals'
import { EMULATOR_TABLE_RULE, emulatorTableName, environmentNames, environmentSlug, nameHash, nameHash36, pullRequestOf, shortHash } from '../../src/plan/naming.js'

const STACK = /^[A-Za-z0-9_.-]{1,100}$/
const RESOURCE_GROUP = /^[A-Za-z0-9_.()-]{0,89}[A-Za-z0-9_()-]$/
const STORAGE = /^[a-z0-9]{3,24}$/
const TABLE = /^[A-Za-z][A-Za-z0-9]{2,62}$/

const longA = 'a'.repeat(200)
const ENVIRONMENTS = [
  'feature/Add-Memory',
  'pr-42',
  'pr/42',
  'staging',
  'Staging',
  'production',
  'café/ünïcode',
  '🚀 launch 🎉',
  '🚀',
  '日本',
  '///',
  longA,
  'b'.repeat(199) + 'x',
  'b'.repeat(199) + 'y',
  'my env',
  'release.1.2',
  '/leading-and-trailing/',
  '123'
]

const names = (environment: string, repository = 'octo/app', project = 'event-store') =>
  environmentNames({ project, environment, repository })

function expectPairwiseDistinct(values: string[]): void {
  expect(new Set(values).size).toBe(values.length)
}

describe('shortHash', () => {
  it('is lowercase hex of the requested length and deterministic', () => {
    expect(shortHash('abc', 6)).toBe('ba7816') // sha256("abc") starts ba7816bf
    expect(shortHash('abc', 64)).toMatch(/^[0-9a-f]{64}$/)
    expect(shortHash('abc', 10)).not.toBe(shortHash('abd', 10))
  })

  it('rejects lengths it cannot produce', () => {
    expect(() => shortHash('abc', 0)).toThrow(RangeError)
    expect(() => shortHash('abc', 65)).toThrow(RangeError)
  })
})

describe('environmentSlug', () => {
  it.each([
    ['feature/Add-Memory', 'feature-add-memory'],
    ['pr-42', 'pr-42'],
    ['Staging', 'staging'],
    ['café/ünïcode', 'cafe-unicode'],
    ['  my   env  ', 'my-env'],
    ['release.1.2', 'release-1-2'],
    ['/leading-and-trailing/', 'leading-and-trailing'],
    ['123', '123'],
    ['ＡＢＣ', 'abc'], // full-width letters fold under NFKD
    ['日本', ''],
    ['///', ''],
    ['🚀', '']
  ])('%j -> %j', (input, expected) => {
    expect(environmentSlug(input)).toBe(expected)
  })
})

describe('environmentNames', () => {
  it.each(ENVIRONMENTS)('%j gives names within every limit', (environment) => {
    const n = names(environment)
    expect(n.stackName).toMatch(STACK)
    expect(n.stackName.startsWith('-')).toBe(false)
    expect(n.resourceGroupName).toMatch(RESOURCE_GROUP)
    expect(n.resourceGroupName.length).toBeLessThanOrEqual(90)
    expect(n.resourceGroupName.startsWith('rg-event-store-')).toBe(true)
    expect(n.storageAccountName).toMatch(STORAGE)
    expect(n.storageAccountName).toHaveLength(24)
  })

  it.each(ENVIRONMENTS)('%j gives the same names on every call', (environment) => {
    expect(names(environment)).toEqual(names(environment))
  })

  it('keeps names pairwise distinct across the ugly environments', () => {
    const all = ENVIRONMENTS.map((e) => names(e))
    expectPairwiseDistinct(all.map((n) => n.stackName))
    expectPairwiseDistinct(all.map((n) => n.resourceGroupName))
    expectPairwiseDistinct(all.map((n) => n.storageAccountName))
  })

  it('always ends the stack name in 64 bits of hash of project and environment, after the readable slug', () => {
    expect(names('pr-42').stackName).toBe(`pr-42-${nameHash(['event-store', 'pr-42'])}`)
    expect(names('Staging').stackName).toBe(`staging-${nameHash(['event-store', 'Staging'])}`)
    expect(names('feature/Add-Memory').stackName).toBe(`feature-add-memory-${nameHash(['event-store', 'feature/Add-Memory'])}`)
    expect(names('日本').stackName).toBe(`env-${nameHash(['event-store', '日本'])}`)
    expect(names('pr-42').resourceGroupName).toBe(`rg-event-store-pr-42-${nameHash(['octo/app', 'event-store', 'pr-42'])}`)
    const long = names(longA).stackName
    expect(long).toHaveLength(100)
    expect(long.startsWith('a'.repeat(83) + '-')).toBe(true)
  })

  it('gives no environment a name another one derives: not its derived name, not another case', () => {
    const base = ['production', 'Production', 'PRODUCTION', 'pr-42', 'pr/42', 'PR-42']
    const spoofs = base.flatMap((e) => Object.values(names(e)))
    const all = [...base, ...spoofs].map((e) => names(e))
    for (const key of ['stackName', 'resourceGroupName', 'storageAccountName'] as const) {
      expectPairwiseDistinct(all.map((n) => n[key].toLowerCase()))
    }
  })
  it('keeps two 200-character names that differ only at the end apart in every name', () => {
    const x = names('b'.repeat(199) + 'x')
    const y = names('b'.repeat(199) + 'y')
    expect(x.stackName).not.toBe(y.stackName)
    expect(x.resourceGroupName).not.toBe(y.resourceGroupName)
    expect(x.storageAccountName).not.toBe(y.storageAccountName)
    expect(x.resourceGroupName).toHaveLength(90)
  })

  it('starts the storage account name with up to 11 of the environment\'s letters and digits, then 64 bits in base 36', () => {
    expect(names('pr-42').storageAccountName.startsWith('pr42')).toBe(true)
    expect(names('feature/Add-Memory').storageAccountName.slice(0, 11)).toBe('featureaddm')
    const hashOnly = names('日本').storageAccountName
    expect(hashOnly).toBe(nameHash36(['octo/app', 'event-store', '日本'], 24))
    expect(names('pr-42').storageAccountName).toBe('pr42' + nameHash36(['octo/app', 'event-store', 'pr-42'], 20))
    expect(nameHash36(['x'])).toMatch(/^[0-9a-z]{13}$/)
  })

  it('gives different storage account names to different repositories and projects', () => {
    const a = names('staging', 'octo/app').storageAccountName
    const b = names('staging', 'octo/other').storageAccountName
    const c = names('staging', 'local').storageAccountName
    const d = names('staging', 'octo/app', 'other-project').storageAccountName
    expectPairwiseDistinct([a, b, c, d])
  })

  it('keeps resource groups of different projects apart, including projects that slug alike', () => {
    const rgs = ['event-store', 'Event_Store', 'other', '日本', 'x'.repeat(120)].map(
      (project) => names('pr-42', 'octo/app', project).resourceGroupName
    )
    rgs.forEach((rg) => {
      expect(rg).toMatch(RESOURCE_GROUP)
      expect(rg.length).toBeLessThanOrEqual(90)
    })
    expectPairwiseDistinct(rgs)
  })
})

describe('emulatorTableName', () => {
  const table = (t: string, environment: string, project = 'event-store') =>
    emulatorTableName({ table: t, project, environment })

  it('is the table, the environment\'s lowercase letters and digits, and a hash of project, environment and table', () => {
    expect(table('events', 'PR-42')).toBe(`eventspr42${nameHash(['event-store', 'PR-42', 'events'])}`)
    expect(table('Events', 'PR-42').toLowerCase()).toBe(table('events', 'PR-42').toLowerCase())
  })

  it.each([['events'], ['Snapshots'], ['abc'], ['T' + 'x'.repeat(59)], ['L' + 'y'.repeat(62)]])(
    'table %j is valid and distinct across the ugly environments',
    (t) => {
      const all = ENVIRONMENTS.map((e) => table(t, e))
      all.forEach((name) => {
        expect(name).toMatch(TABLE)
        expect(name.toLowerCase()).not.toBe('tables')
      })
      expectPairwiseDistinct(all)
      expect(ENVIRONMENTS.map((e) => table(t, e))).toEqual(all)
    }
  )

  it('cuts the readable part to fit and keeps the hash whole', () => {
    const t = 'T' + 'x'.repeat(40)
    const name = table(t, 'feature/Add-Memory')
    expect(name).toBe(`${t}featur${nameHash(['event-store', 'feature/Add-Memory', t.toLowerCase()])}`)
    expect(name).toHaveLength(63)
    const long = 'L' + 'y'.repeat(62)
    expect(table(long, 'staging')).toBe(long.slice(0, 47) + nameHash(['event-store', 'staging', long.toLowerCase()]))
  })

  it('keeps tables of one environment apart even when the cut readable parts meet', () => {
    const env = 'aaaaaaaa'
    const t1 = 'X' + 'a'.repeat(44)
    const t2 = 'X' + 'a'.repeat(45)
    expect(table(t1, env).toLowerCase()).not.toBe(table(t2, env).toLowerCase())
  })

  it('differs between projects for the same environment', () => {
    expect(table('events', 'staging', 'a')).not.toBe(table('events', 'staging', 'b'))
  })

  it('keeps two long tables that share a prefix apart', () => {
    const a = table('L' + 'y'.repeat(60) + 'a', 'staging')
    const b = table('L' + 'y'.repeat(60) + 'b', 'staging')
    expect(a).toMatch(TABLE)
    expect(b).toMatch(TABLE)
    expect(a).not.toBe(b)
  })

  it('refuses a table that no suffix can make valid', () => {
    expect(() => table('1events', 'staging')).toThrow(/tables/)
    expect(() => table('ev-ents', 'staging')).toThrow(/tables/)
  })

  it('describes the rule briefly', () => {
    expect(EMULATOR_TABLE_RULE).toMatch(/63/)
    expect(EMULATOR_TABLE_RULE.length).toBeLessThan(500)
  })
})

describe('pullRequestOf', () => {
  it('reads pr-<n> from an environment name or its own stack name, and nothing else', () => {
    const stack = names('pr-7').stackName
    expect(pullRequestOf('pr-7', 'event-store')).toBe(7)
    expect(pullRequestOf(stack, 'event-store')).toBe(7)
    expect(pullRequestOf(`pr-7-${'0'.repeat(16)}`, 'event-store')).toBeUndefined()
    expect(pullRequestOf(stack, 'other-project')).toBeUndefined()
    for (const other of ['pr-07', 'pr-7x', 'PR-7', 'staging', `pr-7-${nameHash(['event-store', 'pr-8'])}`]) expect(pullRequestOf(other, 'event-store')).toBeUndefined()
  })
})
