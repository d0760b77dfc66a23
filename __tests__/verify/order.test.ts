// The ordered-read check must hold on a store that returns a stream's rows in any order (Cosmos DB for
// Table does not sort by PartitionKey/RowKey): run verify through a proxy in front of Azurite that
// reverses every query result, and through one that drops a row, which must still fail the check.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { TableServiceClient } from '@azure/data-tables'
import { CHECK_APPEND, CHECK_CLEANUP, CHECK_CONCURRENCY, CHECK_ORDERED_READ, compareKeys, inRowKeyOrder, verifyEventStore } from '../../src/verify/event-store.js'
import { connectionStringFor, startAzurite, type AzuriteHandle } from '../fixtures/azurite.js'

const TABLE = 'orderevents'

interface QueryProxy {
  port: number
  /** Query results it rewrote that had at least two rows. */
  rewritten(): number
  stop(): Promise<void>
}

/** Passes everything through, but rewrites the `value` array of JSON query results (GET) with `rewrite`. */
function startQueryProxy(targetPort: number, rewrite: (rows: unknown[]) => unknown[]): Promise<QueryProxy> {
  let rewritten = 0
  const server: Server = createServer((req, res) => {
    const upstream = request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const isQuery = req.method === 'GET' && /json/.test(String(answer.headers['content-type'] ?? ''))
      if (!isQuery) {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers)
        answer.pipe(res)
        return
      }
      const chunks: Buffer[] = []
      answer.on('data', (c: Buffer) => chunks.push(c))
      answer.on('end', () => {
        let body = Buffer.concat(chunks)
        try {
          const json = JSON.parse(body.toString('utf8')) as { value?: unknown[] }
          if (Array.isArray(json.value) && json.value.length > 1) {
            json.value = rewrite(json.value)
            rewritten++
            body = Buffer.from(JSON.stringify(json), 'utf8')
          }
        } catch {
          // not a JSON body: pass it on as it is
        }
        const headers = { ...answer.headers, 'content-length': String(body.length) }
        delete headers['transfer-encoding']
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, headers)
        res.end(body)
      })
    })
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(upstream)
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        rewritten: () => rewritten,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })
}

let azurite: AzuriteHandle
let reversing: QueryProxy
let dropping: QueryProxy

beforeAll(async () => {
  azurite = await startAzurite()
  await TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true }).createTable(TABLE)
  reversing = await startQueryProxy(azurite.port, (rows) => [...rows].reverse())
  // Drops the first row of the first query only, so the ordered read sees an incomplete stream but cleanup still works.
  let dropped = false
  dropping = await startQueryProxy(azurite.port, (rows) => {
    if (dropped) return rows
    dropped = true
    return rows.slice(1)
  })
})

afterAll(async () => {
  await reversing?.stop()
  await dropping?.stop()
  await azurite?.stop()
})

describe('ordered read without server-side ordering', () => {
  it('passes when the store returns the stream in reverse order', async () => {
    const before = reversing.rewritten()
    const report = await verifyEventStore({ connectionString: connectionStringFor(reversing.port), tableName: TABLE, streamId: 'verify-reversed' })
    expect(reversing.rewritten()).toBeGreaterThan(before)
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      [CHECK_APPEND, true],
      [CHECK_CONCURRENCY, true],
      [CHECK_ORDERED_READ, true],
      [CHECK_CLEANUP, true]
    ])
    expect(report.checks.find((c) => c.name === CHECK_ORDERED_READ)!.detail).toMatch(/sorted by RowKey on the client/)
  })

  it('still fails when a stored event is missing from the read', async () => {
    const report = await verifyEventStore({ connectionString: connectionStringFor(dropping.port), tableName: TABLE, streamId: 'verify-dropped' })
    const ordered = report.checks.find((c) => c.name === CHECK_ORDERED_READ)!
    expect(ordered.ok).toBe(false)
    expect(ordered.detail).toMatch(/gave versions \[2\] instead of \[1, 2\]/)
    expect(report.ok).toBe(false)
  })
})

describe('inRowKeyOrder', () => {
  it('sorts by RowKey ordinally, without touching the input', () => {
    const rows = [{ rowKey: '0000000010' }, { rowKey: '0000000002' }, { rowKey: 'a' }, { rowKey: 'B' }, {}]
    const copy = JSON.parse(JSON.stringify(rows)) as typeof rows
    expect(inRowKeyOrder(rows).map((r) => r.rowKey)).toEqual([undefined, '0000000002', '0000000010', 'B', 'a'])
    expect(rows).toEqual(copy)
    // Ordinal, not locale-aware: uppercase sorts before lowercase.
    expect(compareKeys('B', 'a')).toBeLessThan(0)
    expect(compareKeys('x', 'x')).toBe(0)
  })
})
