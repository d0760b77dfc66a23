import { describe, expect, it } from '@jest/globals'
import { endpointHostPort } from '../../src/tables/client.js'
import { accountNameFromEndpoint, AZURITE_DEFAULT_CONNECTION_STRING, AZURITE_DEV_ACCOUNT_KEY, parseConnectionString, toClientConnectionString } from '../../src/tables/connection-string.js'
import { scrubConnectionSecrets } from '../../src/tables/errors.js'
import { InputError } from '../../src/errors.js'

const KEY = Buffer.alloc(64, 42).toString('base64') // ends in '=='
const SAS = 'sv=2022-11-02&ss=t&srt=sco&sp=rwdlacu&se=2030-01-01T00:00:00Z&st=2024-01-01T00:00:00Z&spr=https&sig=AbC%2Bdef%3D'

function thrown(text: string): InputError {
  try {
    parseConnectionString(text)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    expect((error as InputError).input).toBe('emulator-connection-string')
    return error as InputError
  }
  throw new Error('expected parseConnectionString to throw')
}

describe('parseConnectionString', () => {
  it("parses Azurite's default development account", () => {
    expect(parseConnectionString(AZURITE_DEFAULT_CONNECTION_STRING)).toEqual({
      accountName: 'devstoreaccount1',
      accountKey: AZURITE_DEV_ACCOUNT_KEY,
      sharedAccessSignature: '',
      tableEndpoint: 'http://127.0.0.1:10002/devstoreaccount1'
    })
    expect(AZURITE_DEFAULT_CONNECTION_STRING).toContain('AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;')
    expect(parseConnectionString('UseDevelopmentStorage=true')).toEqual(parseConnectionString(AZURITE_DEFAULT_CONNECTION_STRING))
  })

  it('builds the endpoint from protocol, account and EndpointSuffix, keeping = in the key', () => {
    const parsed = parseConnectionString(`DefaultEndpointsProtocol=https;AccountName=stevents42;AccountKey=${KEY};EndpointSuffix=core.windows.net`)
    expect(parsed).toEqual({ accountName: 'stevents42', accountKey: KEY, sharedAccessSignature: '', tableEndpoint: 'https://stevents42.table.core.windows.net' })
  })

  it('reads keys case-insensitively, ignores other services, and trims a trailing slash', () => {
    const parsed = parseConnectionString(
      ` accountname=acct;ACCOUNTKEY=${KEY};BlobEndpoint=http://x/;TableEndpoint=http://localhost:10002/acct/;; `
    )
    expect(parsed.tableEndpoint).toBe('http://localhost:10002/acct')
    expect(parsed.accountName).toBe('acct')
    expect(endpointHostPort(parsed.tableEndpoint)).toBe('localhost:10002')
  })

  it('parses a SAS connection string and derives the account from the endpoint', () => {
    const parsed = parseConnectionString(`TableEndpoint=https://stevents42.table.core.windows.net/;SharedAccessSignature=?${SAS}`)
    expect(parsed).toEqual({ accountName: 'stevents42', accountKey: '', sharedAccessSignature: SAS, tableEndpoint: 'https://stevents42.table.core.windows.net' })
    expect(toClientConnectionString(parsed)).toBe(`TableEndpoint=https://stevents42.table.core.windows.net;SharedAccessSignature=${SAS};`)
    expect(endpointHostPort(parsed.tableEndpoint)).toBe('stevents42.table.core.windows.net:443')
  })

  it('gives data-tables an explicit protocol and endpoint', () => {
    const parsed = parseConnectionString(`AccountName=acct;AccountKey=${KEY};TableEndpoint=http://127.0.0.1:1234/acct`)
    expect(toClientConnectionString(parsed)).toBe(`DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=${KEY};TableEndpoint=http://127.0.0.1:1234/acct;`)
  })

  it('finds the account name in either endpoint style', () => {
    expect(accountNameFromEndpoint('https://abc.table.core.windows.net')).toBe('abc')
    expect(accountNameFromEndpoint('http://127.0.0.1:10002/devstoreaccount1')).toBe('devstoreaccount1')
    expect(accountNameFromEndpoint('not a url')).toBe('')
  })

  const malformed: [string, string, RegExp][] = [
    ['empty', '   ', /empty/],
    ['not key=value', 'hunter2secretvalue', /Key=Value/],
    ['no table endpoint', `AccountName=acct;AccountKey=${KEY}`, /no Table endpoint/],
    ['no credential', 'TableEndpoint=http://127.0.0.1:10002/acct;AccountName=acct', /neither AccountKey nor SharedAccessSignature/],
    ['bad endpoint', `AccountName=acct;AccountKey=${KEY};TableEndpoint=secret-host-xyz`, /not an absolute URL/],
    ['ftp endpoint', `AccountName=acct;AccountKey=${KEY};TableEndpoint=ftp://secret-host-xyz/acct`, /http/],
    ['key not base64', 'AccountName=acct;AccountKey=not*base64*secret;TableEndpoint=http://127.0.0.1:10002/acct', /base64/],
    ['SAS without sig', 'TableEndpoint=http://127.0.0.1:10002/acct;SharedAccessSignature=sv=2022&secretpart=1', /sig=/],
    ['duplicate key', `AccountName=acct;AccountKey=${KEY};AccountKey=${KEY};TableEndpoint=http://127.0.0.1:1/acct`, /more than once/],
    ['bad protocol', `DefaultEndpointsProtocol=gopher;AccountName=acct;AccountKey=${KEY};EndpointSuffix=core.windows.net`, /DefaultEndpointsProtocol/],
    ['query in endpoint', `AccountName=acct;AccountKey=${KEY};TableEndpoint=http://h/acct?sig=secretsig`, /query/]
  ]
  it.each(malformed)('rejects %s without echoing it', (_label, text, reason) => {
    const error = thrown(text)
    expect(error.message).toMatch(reason)
    if (text.trim() !== '') expect(error.message).not.toContain(text.trim())
    for (const part of text.split(/[;=]/).filter((p) => p.length >= 6 && !/^(AccountName|AccountKey|TableEndpoint|EndpointSuffix|SharedAccessSignature|DefaultEndpointsProtocol)$/i.test(p))) {
      expect(error.message).not.toContain(part)
    }
  })
})

describe('scrubConnectionSecrets', () => {
  it('removes the connection string, key, SAS and key-shaped fields', () => {
    const cs = `AccountName=acct;AccountKey=${KEY};TableEndpoint=http://h/acct`
    const parsed = parseConnectionString(cs)
    const out = scrubConnectionSecrets(`failed: ${cs} / ${KEY} / ${encodeURIComponent(KEY)} / AccountKey=other / ?sig=zzz`, cs, parsed)
    expect(out).not.toContain(KEY)
    expect(out).not.toContain(encodeURIComponent(KEY))
    expect(out).not.toContain('other')
    expect(out).not.toContain('zzz')
  })
})
