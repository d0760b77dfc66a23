// Azurite's Table service from the dev dependencies on a free 127.0.0.1 port, telemetry off. In memory,
// or with `location` its data stays in that folder between runs. Stopped by its own PID.
import { spawn } from 'node:child_process'
import { connect, createServer } from 'node:net'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..', '..')
export const AZURITE_ACCOUNT = 'devstoreaccount1'
// Azurite's documented development key: public, but handled like a real secret by the action.
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

export const freePort = () =>
  new Promise((done, fail) => {
    const s = createServer().once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => done(port))
    })
  })

const listening = (port) =>
  new Promise((done) => {
    const c = connect({ host: '127.0.0.1', port }, () => (c.destroy(), done(true))).once('error', () => done(false))
  })

export const connectionStringFor = (port) =>
  `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};TableEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`

/**
 * Starts Azurite's Table (or, with service 'blob', Blob) service; resolves once it listens.
 * `location`: a folder for its data, else in memory.
 */
export async function startAzurite({ location, service = 'table' } = {}) {
  const port = await freePort()
  const storage = location ? ['--location', location] : ['--inMemoryPersistence']
  const child = spawn(
    process.execPath,
    [join(root, `node_modules/azurite/dist/src/${service}/main.js`), `--${service}Host`, '127.0.0.1', `--${service}Port`, String(port), ...storage, '--skipApiVersionCheck', '--disableTelemetry', '--silent'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } }
  )
  let stderr = ''
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)))
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
    const exited = new Promise((done) => child.once('exit', done))
    // SIGINT is Azurite's graceful close, which saves a --location database; SIGTERM would lose the last writes.
    process.kill(child.pid, location ? 'SIGINT' : 'SIGTERM')
    const timer = setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(child.pid, 'SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
  const until = Date.now() + 20_000
  while (!(await listening(port))) {
    if (child.exitCode !== null || Date.now() > until) {
      await stop()
      throw new Error(`Azurite did not start on 127.0.0.1:${port}: ${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return { port, connectionString: connectionStringFor(port), endpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`, stop }
}
