// verify's claim-check round trip against Azurite's table and blob services. Azurite enforces no
// immutability policy, which the report must say (a limit), never pass.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { parseConnectionString } from '../../src/tables/connection-string.js'
import { containerClient } from '../../src/tables/blob.js'
import { CHECK_CLAIM, CHECK_RETENTION, PAYLOAD_BYTES } from '../../src/verify/payload.js'
import { verifyEventStore } from '../../src/verify/event-store.js'
import { startAzurite, type AzuriteHandle } from '../fixtures/azurite.js'
import { startAzuriteBlob, type BlobHandle } from '../fixtures/azurite-blob.js'
import { TableServiceClient } from '@azure/data-tables'

let table: AzuriteHandle
let blob: BlobHandle
const CONTAINER = 'payloads-verifytest'

beforeAll(async () => {
  ;[table, blob] = await Promise.all([startAzurite(), startAzuriteBlob()])
  const parsed = parseConnectionString(table.connectionString)
  await TableServiceClient.fromConnectionString(table.connectionString, { allowInsecureConnection: true }).createTable('events')
  await (await containerClient(blob.endpoint, CONTAINER, parsed)).create()
}, 60_000)
afterAll(async () => {
  await Promise.all([table?.stop(), blob?.stop()])
})

const blobsLeft = async (): Promise<string[]> => {
  const names: string[] = []
  for await (const b of (await containerClient(blob.endpoint, CONTAINER, parseConnectionString(table.connectionString))).listBlobsFlat()) names.push(b.name)
  return names
}

describe('verify with payloads on Azurite', () => {
  it('writes a payload over 64 KiB, references it from an event, reads back the same bytes and cleans up', async () => {
    const report = await verifyEventStore({
      connectionString: table.connectionString,
      tableName: 'events',
      payload: { blobEndpoint: blob.endpoint, containerName: CONTAINER, enforcesRetention: false }
    })
    expect(PAYLOAD_BYTES).toBeGreaterThan(64 * 1024)
    const claim = report.checks.find((c) => c.name === CHECK_CLAIM)
    expect(claim).toMatchObject({ ok: true })
    expect(claim?.detail).toMatch(/96 KiB payload.*same transaction.*SHA-256/)
    expect(report.checks.find((c) => c.name === CHECK_RETENTION)).toBeUndefined()
    expect(report.ok).toBe(true)
    expect(report.checks.at(-1)?.detail).toMatch(/Payload: the payload blob was deleted/)
    expect(await blobsLeft()).toEqual([])
  })

  it('with retention-days, states that the emulator does not enforce it instead of passing', async () => {
    const report = await verifyEventStore({
      connectionString: table.connectionString,
      tableName: 'events',
      payload: { blobEndpoint: blob.endpoint, containerName: CONTAINER, retentionDays: 30, enforcesRetention: false }
    })
    const retention = report.checks.find((c) => c.name === CHECK_RETENTION)
    expect(retention).toMatchObject({ ok: false, limit: true })
    expect(retention?.detail).toMatch(/Not enforced by this target: an overwrite and a delete .* were accepted/)
    expect(report.ok).toBe(true)
  })

  it('on a target that must enforce retention, an accepted overwrite fails the check', async () => {
    const report = await verifyEventStore({
      connectionString: table.connectionString,
      tableName: 'events',
      payload: { blobEndpoint: blob.endpoint, containerName: CONTAINER, retentionDays: 30, enforcesRetention: true }
    })
    expect(report.checks.find((c) => c.name === CHECK_RETENTION)).toMatchObject({ ok: false })
    expect(report.checks.find((c) => c.name === CHECK_RETENTION)?.limit).toBeUndefined()
    expect(report.ok).toBe(false)
  })

  it('a missing container fails the round trip, with the endpoint and status', async () => {
    const report = await verifyEventStore({
      connectionString: table.connectionString,
      tableName: 'events',
      payload: { blobEndpoint: blob.endpoint, containerName: 'nosuchcontainer', enforcesRetention: false }
    })
    const claim = report.checks.find((c) => c.name === CHECK_CLAIM)
    expect(claim).toMatchObject({ ok: false })
    expect(claim?.detail).toMatch(/HTTP 404 ContainerNotFound/)
    expect(report.ok).toBe(false)
  })
})
