import { describe, expect, it } from '@jest/globals'
import { Redactor } from '../../src/publish/redact.js'

describe('Redactor', () => {
  it('removes known secrets and their encodings', () => {
    const r = new Redactor()
    const secret = 'p@ss/word+with=chars'
    r.add(secret)
    const text = `a ${secret} b ${encodeURIComponent(secret)} c ${Buffer.from(secret).toString('base64')}`
    const out = r.redact(text)
    expect(out).not.toContain(secret)
    expect(out).not.toContain(encodeURIComponent(secret))
    expect(out).not.toContain(Buffer.from(secret).toString('base64'))
    expect(out).toBe('a *** b *** c ***')
  })
  it('removes key-shaped fields it was never told about', () => {
    const r = new Redactor()
    expect(r.redact('AccountName=a;AccountKey=abc123==;EndpointSuffix=x')).toBe('AccountName=a;AccountKey=***;EndpointSuffix=x')
    expect(r.redact('https://a.table.core.windows.net/t?sv=2020&sig=AbC%2B&se=1')).toBe('https://a.table.core.windows.net/t?sv=2020&sig=***&se=1')
    expect(r.redact('TableEndpoint=x;SharedAccessSignature=sv=1&sig=2')).toBe('TableEndpoint=x;SharedAccessSignature=***')
  })
  it('ignores values too short to be secrets', () => {
    const r = new Redactor()
    r.add('ab')
    expect(r.redact('about')).toBe('about')
  })
})
