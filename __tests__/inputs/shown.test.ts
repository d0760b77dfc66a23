// shown(): the one way an input value is quoted in an error; credentialParts(): what to mask before parsing.
import { describe, expect, it } from '@jest/globals'
import { credentialParts, scrub, shown, SHOWN_MAX } from '../../src/inputs/shown.js'

const SECRET = 'Zq8vR2kP0wXn4bT7yL1mC5sD9fG3hJ6a'

describe('shown', () => {
  it.each([
    ['https://user:' + SECRET + '@host/x'],
    ['azblob://state?storage_account=acct&key=' + SECRET],
    ['hashivault://vault#' + SECRET],
    ['AccountKey=' + SECRET + ';x=1'],
    ['password: ' + SECRET],
    ['ghp_' + SECRET],
    ['pul-' + SECRET],
    [SECRET + SECRET]
  ])('%s: no 8-character piece of the secret survives', (value) => {
    const out = shown(value)
    for (let i = 0; i + 8 <= SECRET.length; i++) expect(out).not.toContain(SECRET.slice(i, i + 8))
  })

  it('caps after scrubbing, and keeps ordinary values readable', () => {
    expect(shown('westeuropa')).toBe("'westeuropa'")
    const long = shown('x'.repeat(200))
    expect(long.length).toBe(SHOWN_MAX + 2)
    expect(long.endsWith("...'")).toBe(true)
  })

  it('turns control characters into spaces', () => {
    expect(scrub('a\nb\u0007c\u2028d')).toBe('a b c d')
  })
})

describe('credentialParts', () => {
  it('finds userinfo, password, query values (raw and decoded) and fragments', () => {
    const url = `https://ci:${encodeURIComponent('p@ss/' + SECRET)}@host/x?storage_account=acct&key=${SECRET}#frag${SECRET}`
    const parts = credentialParts(url)
    expect(parts).toContain(url)
    expect(parts).toContain('p@ss/' + SECRET)
    expect(parts).toContain(SECRET)
    expect(parts).toContain('frag' + SECRET)
    expect(parts).not.toContain('acct')
  })

  it('finds nothing in a plain URL or name', () => {
    expect(credentialParts('https://api.pulumi.com')).toEqual([])
    expect(credentialParts('passphrase')).toEqual([])
    expect(credentialParts('')).toEqual([])
  })
})

describe('credentialParts of a connection string', () => {
  it('finds the account key, the SAS and its signature on their own', () => {
    const sig = encodeURIComponent('abc+def/' + SECRET)
    const sas = `sv=2024-01-01&ss=t&sig=${sig}`
    const parts = credentialParts(`DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${SECRET}==;SharedAccessSignature=${sas};TableEndpoint=https://a`)
    expect(parts).toEqual(expect.arrayContaining([`${SECRET}==`, sas, sig, 'abc+def/' + SECRET]))
    expect(parts).not.toContain('a')
  })
})
