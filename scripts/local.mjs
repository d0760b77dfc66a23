// `npm run local`: the action end to end on this machine, on the emulator target. Starts Azurite (from
// the dev dependencies) on a free 127.0.0.1 port, runs the committed bundle exactly as GitHub's runner
// does (scripts/lib/runner.mjs), shows the log and outputs with secrets masked, the verify result and
// where the job summary is, then stops Azurite.
//
//   npm run local -- --tables orders,audit --environment feature/x --command destroy
//   INPUT_TABLES=orders npm run local
//   npm run local -- --keep            (Azurite's data stays in .local/azurite: a second run shows "left as is")
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { parse } from 'yaml'
import { startAzurite } from './lib/azurite.mjs'
import { inputVariable, parseOutputFile, runNode, runnerEnv } from './lib/runner.mjs'

const root = resolve(import.meta.dirname, '..')
const actionYml = join(root, 'action.yml')
const names = Object.keys(parse(readFileSync(actionYml, 'utf8')).inputs ?? {})
// LOCAL_RUN_DIR moves the step files and --keep's data elsewhere (the tests use a temp dir).
const LOCAL = process.env.LOCAL_RUN_DIR ? resolve(process.env.LOCAL_RUN_DIR) : join(root, '.local')
const OWN_FLAGS = ['--keep', '--help']
// What `npm run local` picks when neither a flag nor an INPUT_* variable sets the input.
const LOCAL_DEFAULTS = { target: 'emulator', environment: 'local-demo', tables: 'events,snapshots' }

function usage() {
  return [
    'Usage: npm run local -- [--<input> <value>]... [--keep]',
    '',
    "Runs dist/index.js on the emulator target against a local Azurite, as GitHub's runner would.",
    'Every input of action.yml is a flag (or an INPUT_<NAME> variable; a flag wins):',
    ...names.map((n) => `  --${n}`),
    '  --keep    keep Azurite\'s data in .local/azurite between runs (up twice: "left as is"; destroy removes it)',
    '  --help    this text'
  ].join('\n')
}

/** Flags to inputs; unknown flags and INPUT_* variables stop the run with the list of known ones. */
function readArguments(argv, env) {
  const inputs = {}
  const refuse = (what) => {
    console.error(`${what}\n\n${usage()}`)
    process.exit(2)
  }
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('INPUT_')) continue
    const name = names.find((n) => inputVariable(n) === key.toUpperCase())
    if (!name) refuse(`Unknown variable ${key}: no input of action.yml is called that.`)
    inputs[name] = value
  }
  let keep = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--help' || arg === '-h') {
      console.log(usage())
      process.exit(0)
    }
    if (arg === '--keep') {
      keep = true
      continue
    }
    const m = /^--([^=]+)(?:=(.*))?$/s.exec(arg)
    if (!m || !names.includes(m[1])) refuse(`Unknown argument '${arg}'. Known flags: ${[...names.map((n) => `--${n}`), ...OWN_FLAGS].join(', ')}.`)
    const value = m[2] ?? argv[++i]
    if (value === undefined) refuse(`Flag --${m[1]} needs a value.`)
    inputs[m[1]] = value
  }
  return { inputs: { ...LOCAL_DEFAULTS, ...inputs }, keep }
}

const { inputs, keep } = readArguments(process.argv.slice(2), process.env)
if (inputs.target !== 'emulator') {
  console.error(`npm run local runs the emulator target only (got --target ${inputs.target}). For Azure, use the workflow in the README.`)
  process.exit(2)
}

// The last run's step files (output, summary) stay in .local/last-run until the next run.
const stepDir = join(LOCAL, 'last-run')
rmSync(stepDir, { recursive: true, force: true })
mkdirSync(LOCAL, { recursive: true })
const dataDir = join(LOCAL, 'azurite')
if (keep) mkdirSync(dataDir, { recursive: true })

const ownEndpoint = inputs['emulator-connection-string'] !== undefined
const azurite = ownEndpoint ? undefined : await startAzurite(keep ? { location: dataDir } : {})
// payloads: the claim-check container lives on Azurite's Blob service, named in the connection string.
const blob = azurite && /^true$/i.test(inputs.payloads ?? '') ? await startAzurite({ service: 'blob', ...(keep ? { location: join(dataDir, 'blob') } : {}) }).catch(async (e) => (await azurite.stop(), Promise.reject(e))) : undefined
let exitCode = 1
try {
  if (azurite) inputs['emulator-connection-string'] = azurite.connectionString + (blob ? `BlobEndpoint=${blob.endpoint};` : '')
  const step = runnerEnv({ actionYml, dir: stepDir, inputs })
  const where = azurite ? `Azurite on 127.0.0.1:${azurite.port} (${keep ? `data kept in ${relative(root, dataDir)}` : 'in memory; --keep keeps it'})` : 'your emulator endpoint'
  const shown = Object.fromEntries(Object.entries(inputs).filter(([k]) => k !== 'emulator-connection-string'))
  console.log(`${where}. Running dist/index.js as the runner would, with ${JSON.stringify(shown)} and every other input at its action.yml default.\n`)
  const { code, stdout, stderr } = await runNode({ entry: join(root, 'dist', 'index.js'), cwd: step.env.GITHUB_WORKSPACE, env: step.env })

  // As the runner does: ::add-mask:: lines are consumed and every registered secret shows as ***.
  const secrets = stdout
    .split('\n')
    .filter((l) => l.startsWith('::add-mask::'))
    .map((l) => l.slice('::add-mask::'.length).replace(/\r$/, ''))
    .filter((s) => s !== '')
    .sort((a, b) => b.length - a.length)
  const mask = (text) => secrets.reduce((t, s) => t.split(s).join('***'), text)
  const log = stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'))
  console.log(mask(log.join('\n')))
  if (stderr) console.error(mask(stderr))

  console.log('--- outputs ---')
  for (const [name, value] of Object.entries(parseOutputFile(readFileSync(step.files.output, 'utf8')))) console.log(`${name}: ${mask(value)}`)
  const verdict = /\*\*Event-store check: ([^*]+)\*\*/.exec(readFileSync(step.files.summary, 'utf8'))?.[1]
  console.log(`\nverify: ${verdict ?? ((inputs.command ?? 'up') !== 'up' ? 'runs after up only' : inputs.verify === 'false' ? 'off (--verify false)' : 'not run')}`)
  console.log(`job summary (markdown): ${relative(process.cwd(), step.files.summary) || step.files.summary}`)
  console.log(code === 0 ? 'The action succeeded.' : `The action failed (exit ${code}).`)
  if (keep) console.log(`Azurite's data stays in ${relative(process.cwd(), dataDir)}; delete that folder to start afresh.`)
  exitCode = code ?? 1
} finally {
  await blob?.stop()
  await azurite?.stop()
}
process.exit(exitCode)
