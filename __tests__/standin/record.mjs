// The stand-in's record of "Azure": one JSON file in AZURE_STANDIN_DIR that every provider process
// (the engine starts a new one per operation) reads and writes under a lock, plus the Azurite
// processes that back each storage account's Table endpoint. Test-only; never bundled.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, writeFileSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const AZURITE_TABLE_MAIN = join(ROOT, 'node_modules', 'azurite', 'dist', 'src', 'table', 'main.js')

export function standinDir(env = process.env) {
  const dir = env.AZURE_STANDIN_DIR
  if (!dir) throw new Error('AZURE_STANDIN_DIR is not set: run the engine in the environment printed by scripts/engine-env.mjs')
  return dir
}

const recordPath = (dir) => join(dir, 'azure.json')

export function emptyRecord() {
  return {
    resourceGroups: {},
    storageAccounts: {},
    tables: {},
    roleAssignments: {},
    cosmosAccounts: {},
    cosmosTables: {},
    // Payloads: containers, their immutability policies ('<account>/<container>'), diagnostic settings by id.
    blobContainers: {},
    immutabilityPolicies: {},
    diagnosticSettings: {},
    // Names that "someone else" holds in Azure (globally unique names).
    foreignAccountNames: [],
    // Table names whose next create fails (case 10), consumed on use.
    failTableCreates: [],
    // Every call that changed "Azure", in order.
    operations: []
  }
}

export function readRecord(dir = standinDir()) {
  const path = recordPath(dir)
  return existsSync(path) ? { ...emptyRecord(), ...JSON.parse(readFileSync(path, 'utf8')) } : emptyRecord()
}

function writeRecord(dir, record) {
  mkdirSync(dir, { recursive: true })
  const tmp = `${recordPath(dir)}.${process.pid}.tmp`
  writeFileSync(tmp, JSON.stringify(record, null, 2))
  renameSync(tmp, recordPath(dir))
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// One lock across processes (mkdir is atomic) and one queue within this process.
let queue = Promise.resolve()
export function withRecord(fn, dir = standinDir()) {
  const run = async () => {
    mkdirSync(dir, { recursive: true })
    const lock = join(dir, 'azure.lock')
    for (let i = 0; ; i++) {
      try {
        mkdirSync(lock)
        break
      } catch (error) {
        if (error.code !== 'EEXIST' || i > 3000) throw error
        await sleep(10)
      }
    }
    try {
      const record = readRecord(dir)
      const result = await fn(record)
      writeRecord(dir, record)
      return result
    } finally {
      rmdirSync(lock)
    }
  }
  const next = queue.then(run, run)
  queue = next.catch(() => undefined)
  return next
}

export const newKey = () => randomBytes(64).toString('base64')

export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => done(port))
    })
  })
}

function canConnect(port) {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => (socket.destroy(), done(true)))
    socket.once('error', () => (socket.destroy(), done(false)))
  })
}

/**
 * Starts the Table endpoint of one storage account: an Azurite that knows only this account and key.
 * Azurite reads its accounts once at start, and the provider process lives only for one engine step,
 * so each account gets its own detached Azurite that outlives the provider; its PID is in the record
 * so `engine-env.mjs --stop` (or deleting the account) stops it.
 */
export async function startTableEndpoint(accountName, key) {
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [AZURITE_TABLE_MAIN, '--tableHost', '127.0.0.1', '--tablePort', String(port), '--inMemoryPersistence', '--skipApiVersionCheck', '--disableTelemetry', '--silent'],
    { detached: true, stdio: 'ignore', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', AZURITE_ACCOUNTS: `${accountName}:${key}` } }
  )
  child.unref()
  for (let waited = 0; !(await canConnect(port)); waited += 100) {
    if (waited > 30_000 || child.exitCode !== null) {
      stopPid(child.pid)
      throw new Error(`the Table endpoint of storage account ${accountName} did not start`)
    }
    await sleep(100)
  }
  return { pid: child.pid, port }
}

/**
 * Starts the Blob endpoint of one storage account on its reserved port: Azurite's blob service behind
 * the proxy that enforces immutability (blob-endpoint.mjs), detached like the Table endpoint.
 */
export async function startBlobEndpoint(accountName, key, port, dir = standinDir()) {
  const child = spawn(process.execPath, [join(ROOT, '__tests__', 'standin', 'blob-endpoint.mjs'), String(port), accountName, key, dir], {
    detached: true,
    stdio: 'ignore',
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }
  })
  child.unref()
  for (let waited = 0; !(await canConnect(port)); waited += 100) {
    if (waited > 30_000 || child.exitCode !== null) {
      stopPid(child.pid)
      throw new Error(`the Blob endpoint of storage account ${accountName} did not start`)
    }
    await sleep(100)
  }
  return { pid: child.pid, port }
}

export function stopPid(pid) {
  if (!pid) return
  try {
    process.kill(pid, 'SIGTERM')
  } catch {
    // already gone
  }
}

/** Stops every process the stand-in started (the Azurite of each account). */
export async function stopAll(dir = standinDir()) {
  if (!existsSync(dir)) return []
  return withRecord((record) => {
    const accounts = [...Object.values(record.storageAccounts), ...Object.values(record.cosmosAccounts)]
    const pids = accounts.flatMap((a) => [a.endpoint?.pid, a.blobEndpoint?.pid]).filter(Boolean)
    for (const pid of pids) stopPid(pid)
    for (const account of accounts) account.endpoint = { ...account.endpoint, stopped: true }
    return pids
  }, dir)
}
