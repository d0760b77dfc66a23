// Starts a throwaway Azurite Table service on a free 127.0.0.1 port, in memory, for one test file.
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { resolve } from 'node:path'
import { AZURITE_DEV_ACCOUNT_KEY, AZURITE_DEV_ACCOUNT_NAME } from '../../src/connection-string.js'

const TABLE_MAIN = resolve(process.cwd(), 'node_modules/azurite/dist/src/table/main.js')
const START_TIMEOUT_MS = 20_000

export interface AzuriteHandle {
  port: number
  connectionString: string
  stop(): Promise<void>
}

/** A port nothing listens on right now (the OS picks it; we release it at once). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => (port ? resolvePort(port) : reject(new Error('no port assigned'))))
    })
  })
}

export function connectionStringFor(port: number): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_DEV_ACCOUNT_NAME};AccountKey=${AZURITE_DEV_ACCOUNT_KEY};` +
    `TableEndpoint=http://127.0.0.1:${port}/${AZURITE_DEV_ACCOUNT_NAME};`
  )
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      done(true)
    })
    socket.once('error', () => {
      socket.destroy()
      done(false)
    })
  })
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true)
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), ms)
    child.once('exit', () => {
      clearTimeout(timer)
      done(true)
    })
  })
}

export async function startAzurite(): Promise<AzuriteHandle> {
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [
      TABLE_MAIN,
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(port),
      '--inMemoryPersistence',
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--silent'
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } }
  )
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM')
    if (!(await waitForExit(child, 5000)) && child.pid !== undefined) {
      process.kill(child.pid, 'SIGKILL')
      await waitForExit(child, 5000)
    }
  }

  const deadline = Date.now() + START_TIMEOUT_MS
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`Azurite exited (code ${child.exitCode}, signal ${child.signalCode}) before listening on ${port}: ${stderr}`)
    }
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`Azurite did not listen on 127.0.0.1:${port} within ${START_TIMEOUT_MS / 1000} s: ${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return { port, connectionString: connectionStringFor(port), stop }
}
