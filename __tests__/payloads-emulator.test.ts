// payloads and retention-days through the committed bundle on Azurite (table + blob), as a runner runs it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { TableServiceClient } from '@azure/data-tables'
import { parseConnectionString } from '../src/tables/connection-string.js'
import { containerClient } from '../src/tables/blob.js'
import { copyBundle, type BundleCopy } from './fixtures/bundle.js'
import { startAzurite, type AzuriteHandle } from './fixtures/azurite.js'
import { startAzuriteBlob, type BlobHandle } from './fixtures/azurite-blob.js'

let table: AzuriteHandle
let blob: BlobHandle
let bundle: BundleCopy
let connectionString: string

beforeAll(async () => {
  ;[table, blob] = await Promise.all([startAzurite(), startAzuriteBlob()])
  connectionString = `${table.connectionString}BlobEndpoint=${blob.endpoint};`
  bundle = copyBundle()
}, 60_000)
afterAll(async () => {
  bundle?.remove()
  await Promise.all([table?.stop(), blob?.stop()])
})

const containerExists = async (name: string): Promise<boolean> => (await containerClient(blob.endpoint, name, parseConnectionString(table.connectionString))).exists()
const tableCount = async (): Promise<number> => {
  let n = 0
  for await (const _ of TableServiceClient.fromConnectionString(table.connectionString, { allowInsecureConnection: true }).listTables()) n++
  return n
}

describe('payloads on the emulator, through the bundle', () => {
  it('refuses retention-days without payloads with one error, before anything is written', async () => {
    const before = await tableCount()
    const run = await bundle.run({ target: 'emulator', environment: 'pr-7', 'emulator-connection-string': connectionString, 'retention-days': '30' })
    expect(run.code).toBe(1)
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'))
    expect(errors).toEqual(["::error::Input 'retention-days': is used only with payloads: true (it is the retention of the payload container); set payloads: true or remove it."])
    expect(await tableCount()).toBe(before)
  }, 60_000)

  it('up creates the container, passes the claim-check round trip and states that retention is not enforced; destroy removes it', async () => {
    const inputs = { target: 'emulator', environment: 'feature/Big-Prompts', 'emulator-connection-string': connectionString, payloads: 'true', 'retention-days': '30' }
    const up = await bundle.run(inputs)
    expect(up.stderr).toBe('')
    expect(up.code).toBe(0)
    const container = up.outputs['payload-container-name']!
    expect(container).toMatch(/^payloads-[a-z0-9]{3,24}$/)
    expect(up.outputs['blob-endpoint']).toBe(blob.endpoint)
    expect(await containerExists(container)).toBe(true)
    expect(up.stdout).toMatch(/^::notice::retention-days is not enforced on the emulator target/m)
    expect(up.summary).toMatch(/✅ `claim-check round trip`/)
    expect(up.summary).toMatch(/⚠️ not enforced here `payload retention`/)
    expect(up.summary).toContain(`| payload-container-name | \`${container}\` |`)
    expect(up.summary).toContain('| retention | `30 days, unlocked, not enforced by the emulator` |')
    const logged = up.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'))
    expect(logged.join('\n')).not.toContain(parseConnectionString(table.connectionString).accountKey)

    const refreshed = await bundle.run({ ...inputs, command: 'refresh' })
    expect(refreshed.code).toBe(0)
    expect(refreshed.outputs['payload-container-name']).toBe(container)

    const down = await bundle.run({ ...inputs, command: 'destroy' })
    expect(down.code).toBe(0)
    expect(down.outputs['payload-container-name']).toBe('')
    expect(await containerExists(container)).toBe(false)
  }, 120_000)

  it('without BlobEndpoint on a custom endpoint, payloads is refused with the fix, before anything is written', async () => {
    const before = await tableCount()
    const run = await bundle.run({ target: 'emulator', environment: 'pr-8', 'emulator-connection-string': table.connectionString, payloads: 'true' })
    expect(run.code).toBe(1)
    expect(run.stdout.split('\n').filter((l) => l.startsWith('::error::'))).toEqual([
      "::error::Input 'payloads': needs the emulator's Blob service: add BlobEndpoint=http://host:port/<account> to 'emulator-connection-string' (Azurite's blob service listens on 10000 by default)."
    ])
    expect(await tableCount()).toBe(before)
  }, 60_000)
})
