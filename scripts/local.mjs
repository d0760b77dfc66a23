// `npm run local`: the action on its embedded default, end to end on this machine.
// Starts Azurite (from the dev dependencies) on a free 127.0.0.1 port, in memory, telemetry
// off; runs the bundled action (dist/index.js) as a runner would, with example inputs; shows
// the outputs with the secret masked and the job summary; stops Azurite.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..')
const ACCOUNT = 'devstoreaccount1'
// Azurite's documented development key: public, but treated like a real secret below.
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
const inputs = { command: 'up', target: 'emulator', environment: 'local-demo', tables: 'events,snapshots', verify: 'true' }

const freePort = () =>
  new Promise((done, fail) => {
    const s = createServer().once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => done(port))
    })
  })

const waitForPort = async (port, ms) => {
  const until = Date.now() + ms
  while (Date.now() < until) {
    const ok = await new Promise((done) => {
      const c = connect({ host: '127.0.0.1', port }, () => (c.destroy(), done(true))).once('error', () => done(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 150))
  }
  throw new Error(`Azurite did not listen on 127.0.0.1:${port} within ${ms / 1000} s`)
}

const runAction = (env) =>
  new Promise((done) => {
    const child = spawn(process.execPath, [join(root, 'dist', 'index.js')], { env, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.on('close', (code) => done({ code, out }))
  })

const port = await freePort()
const azurite = spawn(
  process.execPath,
  [join(root, 'node_modules/azurite/dist/src/table/main.js'), '--tableHost', '127.0.0.1', '--tablePort', String(port), '--inMemoryPersistence', '--skipApiVersionCheck', '--disableTelemetry', '--silent'],
  { stdio: 'ignore' }
)
const work = mkdtempSync(join(tmpdir(), 'event-store-local-'))
let exitCode = 1
try {
  await waitForPort(port, 20_000)
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};TableEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`
  const outputFile = join(work, 'output')
  const summaryFile = join(work, 'summary')
  writeFileSync(outputFile, '')
  writeFileSync(summaryFile, '')
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? work,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_REPOSITORY: 'local/demo',
    'INPUT_EMULATOR-CONNECTION-STRING': connectionString,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]))
  }
  console.log(`Azurite on 127.0.0.1:${port} (in memory). Running dist/index.js with ${JSON.stringify(inputs)}\n`)
  const { code, out } = await runAction(env)
  const hide = (text) => text.split(connectionString).join('***').split(KEY).join('***')
  // As the runner would: mask commands are consumed, secrets show as ***.
  console.log(hide(out.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')))
  console.log('--- outputs ---')
  const lines = readFileSync(outputFile, 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i])
    if (!m) continue
    const value = []
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i])
    console.log(`${m[1]}: ${hide(value.join('\n'))}`)
  }
  console.log('\n--- job summary ---')
  console.log(hide(readFileSync(summaryFile, 'utf8')))
  console.log(code === 0 ? 'The action succeeded.' : `The action failed (exit ${code}).`)
  exitCode = code ?? 1
} finally {
  azurite.kill()
  rmSync(work, { recursive: true, force: true })
}
process.exit(exitCode)
