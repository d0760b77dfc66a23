// The Blob endpoint of one stand-in storage account: Azurite's blob service behind a small proxy that
// enforces what Azurite does not, time-based immutability. While the record holds an immutability
// policy on a container, a blob younger than the policy's period refuses overwrite and delete
// (409 BlobImmutableDueToPolicy, as Azure answers); with protected append writes, appending blocks is
// allowed. Started detached by the provider (record.mjs), stopped by its PID; it stops its Azurite.
// argv: <port> <accountName> <key> <standinDir>
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import { connect, createServer as netServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BlobClient, StorageSharedKeyCredential } from '@azure/storage-blob'

const [port, accountName, key, dir] = process.argv.slice(2)
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const AZURITE_BLOB_MAIN = join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js')
const DAY_MS = 86_400_000
const credential = new StorageSharedKeyCredential(accountName, key)

const inner = await new Promise((done, fail) => {
  const s = netServer().once('error', fail)
  s.listen(0, '127.0.0.1', () => {
    const { port: p } = s.address()
    s.close(() => done(p))
  })
})
const azurite = spawn(process.execPath, [AZURITE_BLOB_MAIN, '--blobHost', '127.0.0.1', '--blobPort', String(inner), '--inMemoryPersistence', '--skipApiVersionCheck', '--disableTelemetry', '--silent'], {
  stdio: 'ignore',
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AZURITE_ACCOUNTS: `${accountName}:${key}` }
})
const stop = () => {
  azurite.kill('SIGTERM')
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
azurite.once('exit', () => process.exit(1))

/** The policy on a container, read from the record each time (writes to it are atomic renames). */
function policyOf(container) {
  const file = join(dir, 'azure.json')
  if (!existsSync(file)) return undefined
  const record = JSON.parse(readFileSync(file, 'utf8'))
  return record.immutabilityPolicies?.[`${accountName.toLowerCase()}/${container.toLowerCase()}`]
}

/** The blob's creation time in Azurite (asked with the account key), or undefined when it does not exist. */
async function createdOn(container, blob) {
  try {
    const props = await new BlobClient(`http://127.0.0.1:${inner}/${accountName}/${container}/${blob}`, credential).getProperties()
    return props.createdOn ?? props.lastModified
  } catch (error) {
    if (error.statusCode === 404) return undefined
    throw error
  }
}

function refuse(res) {
  const body = '<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobImmutableDueToPolicy</Code><Message>This operation is not permitted as the blob is immutable due to a policy.</Message></Error>'
  res.writeHead(409, { 'content-type': 'application/xml', 'x-ms-error-code': 'BlobImmutableDueToPolicy', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}


// Listen only once Azurite is up, so the provider's readiness probe (a connect to `port`) means both are.
for (let waited = 0; ; waited += 100) {
  const ok = await new Promise((done) => {
    const s = connect({ host: '127.0.0.1', port: inner })
    s.once('connect', () => (s.destroy(), done(true)))
    s.once('error', () => (s.destroy(), done(false)))
  })
  if (ok) break
  if (waited > 30_000) stop()
  await new Promise((r) => setTimeout(r, 100))
}

createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x')
  const [, account, container, ...rest] = url.pathname.split('/')
  const blob = rest.join('/')
  const comp = url.searchParams.get('comp')
  // Only blob writes and deletes can be refused; new blocks on an append blob are "protected append writes".
  const guarded = blob && account === accountName && ((req.method === 'PUT' && !['appendblock', 'block', 'metadata', 'tier'].includes(comp ?? '')) || req.method === 'DELETE')
  const policy = guarded ? policyOf(decodeURIComponent(container)) : undefined
  if (policy) {
    let created
    try {
      created = await createdOn(decodeURIComponent(container), decodeURIComponent(blob))
    } catch {
      // Not knowing whether the blob is retained is a refusal, never a pass.
      return refuse(res)
    }
    if (created && created.getTime() + policy.immutabilityPeriodSinceCreationInDays * DAY_MS > Date.now()) return refuse(res)
  }
  const upstream = request({ host: '127.0.0.1', port: inner, method: req.method, path: req.url, headers: req.headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers)
    up.pipe(res)
  })
  upstream.once('error', () => {
    res.writeHead(502)
    res.end()
  })
  req.pipe(upstream)
}).listen(Number(port), '127.0.0.1')
