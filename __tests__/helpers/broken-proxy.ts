// A test-only HTTP proxy in front of Azurite that hides concurrency conflicts: whenever Azurite answers a
// plain (non-batch) POST or PUT with 409 Conflict, the client gets 204 No Content instead, as from a
// store that lets a stale writer overwrite or duplicate a version. Everything else passes through.
import { createServer, request, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface BrokenProxy {
  port: number
  /** How many 409 answers were turned into successes. */
  hidden(): number
  stop(): Promise<void>
}

export function startBrokenProxy(targetPort: number): Promise<BrokenProxy> {
  let hidden = 0
  const server = createServer((req, res) => {
    const upstream = request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        const isBatch = (req.url ?? '').includes('$batch')
        if (answer.statusCode === 409 && !isBatch && (req.method === 'POST' || req.method === 'PUT')) {
          hidden++
          answer.resume()
          const headers: IncomingHttpHeaders = { ...answer.headers }
          delete headers['content-length']
          delete headers['content-type']
          delete headers['transfer-encoding']
          res.writeHead(204, 'No Content', headers)
          res.end()
          return
        }
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers)
        answer.pipe(res)
      }
    )
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    req.pipe(upstream)
  })
  return new Promise((resolveProxy, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolveProxy({
        port,
        hidden: () => hidden,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })
}
