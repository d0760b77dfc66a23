// Starts a throwaway Azurite Blob service on a free 127.0.0.1 port, in memory, stopped by its PID.
import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { resolve } from 'node:path'
import { AZURITE_DEV_ACCOUNT_NAME } from '../../src/connection-string.js'
import { freePort } from './azurite.js'

const BLOB_MAIN = resolve(process.cwd(), 'node_modules/azurite/dist/src/blob/main.js')

export interface BlobHandle {
  port: number
  endpoint: string
  stop(): Promise<void>
}

const listening = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => (socket.destroy(), done(true)))
    socket.once('error', () => (socket.destroy(), done(false)))
  })

export async function startAzuriteBlob(): Promise<BlobHandle> {
  const port = await freePort()
  const args = [BLOB_MAIN, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--inMemoryPersistence', '--skipApiVersionCheck', '--disableTelemetry', '--silent']
  const child = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
    process.kill(child.pid, 'SIGTERM')
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL')
  }
  const deadline = Date.now() + 20_000
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop()
      throw new Error(`Azurite blob did not listen on 127.0.0.1:${port}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return { port, endpoint: `http://127.0.0.1:${port}/${AZURITE_DEV_ACCOUNT_NAME}`, stop }
}
