// The emulator's ownership record against a real Azurite: raw environment strings survive as keys are
// hashed, and a write based on a stale read is refused instead of losing another run's change.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { TableClient } from '@azure/data-tables'
import { deleteRecord, readRecords, RECORD_TABLE, recordKeys, writeRecord } from '../../src/engine/emulator-record.js'
import { UserError } from '../../src/errors.js'
import { startAzurite, type AzuriteHandle } from '../helpers/azurite.js'

let azurite: AzuriteHandle
let client: TableClient

beforeAll(async () => {
  azurite = await startAzurite()
  client = TableClient.fromConnectionString(azurite.connectionString, RECORD_TABLE, { allowInsecureConnection: true })
})
afterAll(async () => {
  await azurite?.stop()
})

describe('ownership record', () => {
  it('reads nothing before the record table exists', async () => {
    expect(await readRecords(client)).toEqual([])
  })

  it('keeps environments that are not valid keys, and keeps look-alikes apart', async () => {
    const odd = ['feature/x#1?', 'Feature/X#1?', 'a\\b', 'pr-1']
    for (const environment of odd) await writeRecord(client, { project: 'p', environment, tables: [`t${odd.indexOf(environment)}`], protect: false })
    const records = await readRecords(client)
    expect(records.map((r) => r.environment).sort()).toEqual([...odd].sort())
    expect(records.find((r) => r.environment === 'a\\b')?.tables).toEqual(['t2'])
    // Keys cannot be shifted between project and environment.
    expect(recordKeys('a|b', 'c')).not.toEqual(recordKeys('a', 'b|c'))
  })

  it('a write or delete from a stale read is refused, and the other run’s write survives', async () => {
    const created = await writeRecord(client, { project: 'race', environment: 'pr-1', tables: ['a'], protect: false })
    await expect(writeRecord(client, { project: 'race', environment: 'pr-1', tables: ['x'], protect: false })).rejects.toThrow(UserError)
    const first = await writeRecord(client, { ...created, tables: ['a', 'b'] })
    await expect(writeRecord(client, { ...created, tables: ['a', 'c'] })).rejects.toThrow(/Another run changed/)
    await expect(deleteRecord(client, created)).rejects.toThrow(/Another run changed/)
    expect((await readRecords(client)).find((r) => r.project === 'race')?.tables).toEqual(['a', 'b'])
    await deleteRecord(client, first)
    expect((await readRecords(client)).find((r) => r.project === 'race')).toBeUndefined()
  })

  it('refuses to act on an entity it cannot read', async () => {
    await client.createEntity({ partitionKey: 'x', rowKey: 'y', project: 'p', environment: 'e', tables: '[1]' })
    await expect(readRecords(client)).rejects.toThrow(/cannot read/)
    await client.deleteEntity('x', 'y')
    await client.createEntity({ partitionKey: 'x', rowKey: 'y', project: 'p', environment: 'e', tables: '[]' })
    await expect(readRecords(client)).rejects.toThrow(/keys do not match/)
    await client.deleteEntity('x', 'y')
  })
})
