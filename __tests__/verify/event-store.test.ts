// The event-store check against a real Azurite, and against a store that hides concurrency conflicts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { TableClient, TableServiceClient } from '@azure/data-tables'
import { AZURITE_DEV_ACCOUNT_KEY } from '../../src/tables/connection-string.js'
import { CHECK_APPEND, CHECK_CLEANUP, CHECK_CONCURRENCY, CHECK_ORDERED_READ, verifyEventStore, type VerifyReport } from '../../src/verify/event-store.js'
import { connectionStringFor, startAzurite, type AzuriteHandle } from '../fixtures/azurite.js'
import { startBrokenProxy, type BrokenProxy } from '../fixtures/broken-proxy.js'

const TABLE = 'verifyevents'
let azurite: AzuriteHandle
let proxy: BrokenProxy

beforeAll(async () => {
  azurite = await startAzurite()
  const service = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true })
  await service.createTable(TABLE)
  proxy = await startBrokenProxy(azurite.port)
})

afterAll(async () => {
  await proxy?.stop()
  await azurite?.stop()
})

function check(report: VerifyReport, name: string) {
  const found = report.checks.find((c) => c.name === name)
  expect(found).toBeDefined()
  return found!
}

async function entitiesOf(stream: string): Promise<number> {
  const client = TableClient.fromConnectionString(azurite.connectionString, TABLE, { allowInsecureConnection: true })
  let n = 0
  for await (const e of client.listEntities()) if (e.partitionKey === stream) n++
  return n
}

function expectNoSecrets(report: VerifyReport, connectionString: string): void {
  const text = JSON.stringify(report)
  expect(text).not.toContain(AZURITE_DEV_ACCOUNT_KEY)
  expect(text).not.toContain(connectionString)
}

describe('verifyEventStore', () => {
  it('passes on Azurite and removes its throwaway stream', async () => {
    const report = await verifyEventStore({ connectionString: azurite.connectionString, tableName: TABLE, streamId: 'verify-ok' })
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      [CHECK_APPEND, true],
      [CHECK_CONCURRENCY, true],
      [CHECK_ORDERED_READ, true],
      [CHECK_CLEANUP, true]
    ])
    expect(report.ok).toBe(true)
    expect(await entitiesOf('verify-ok')).toBe(0)
    expectNoSecrets(report, azurite.connectionString)
  })

  it('uses a fresh random stream by default', async () => {
    const report = await verifyEventStore({ connectionString: azurite.connectionString, tableName: TABLE })
    expect(report.ok).toBe(true)
  })

  it('fails the concurrency check on a store that accepts conflicting appends', async () => {
    const cs = connectionStringFor(proxy.port)
    const before = proxy.hidden()
    const report = await verifyEventStore({ connectionString: cs, tableName: TABLE, streamId: 'verify-broken' })
    expect(proxy.hidden()).toBeGreaterThan(before)
    expect(report.ok).toBe(false)
    expect(check(report, CHECK_APPEND).ok).toBe(true)
    expect(check(report, CHECK_ORDERED_READ).ok).toBe(true)
    const concurrency = check(report, CHECK_CONCURRENCY)
    expect(concurrency.ok).toBe(false)
    expect(concurrency.detail).toMatch(/was accepted although version 2 already existed/)
    expect(concurrency.detail).toMatch(/does not reject conflicting appends/)
    expect(await entitiesOf('verify-broken')).toBe(0)
    expectNoSecrets(report, cs)
  })

  it('fails with a clear detail when the table does not exist', async () => {
    const report = await verifyEventStore({ connectionString: azurite.connectionString, tableName: 'nosuchtable' })
    expect(report.ok).toBe(false)
    expect(check(report, CHECK_APPEND).detail).toMatch(/table nosuchtable does not exist/)
    expect(check(report, CHECK_CONCURRENCY).detail).toMatch(/not run/)
    expectNoSecrets(report, azurite.connectionString)
  })
})
