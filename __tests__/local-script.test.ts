// `npm run local` as a newcomer uses it: inputs as flags or INPUT_* variables, unknown ones refused
// with the list, and --keep so that a second `up` leaves everything as is and `destroy` removes it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { AZURITE_DEV_ACCOUNT_KEY } from '../src/connection-string.js'

const SCRIPT = resolve('scripts', 'local.mjs')
let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'local-script-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function local(args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // The caller's own INPUT_* variables and jest's NODE_OPTIONS stay out of it.
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LOCAL_RUN_DIR: join(dir, 'local'), ...extra }
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', fail)
    child.on('close', (code) => done({ code, stdout, stderr }))
  })
}

describe('npm run local', () => {
  it('refuses an unknown flag, listing the known ones', async () => {
    const run = await local(['--comand', 'destroy'])
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/Unknown argument '--comand'\. Known flags: --command, --environment, --target,.* --tables,.* --keep, --help\./)
  })

  it('refuses an INPUT_* variable that names no input', async () => {
    const run = await local([], { INPUT_TABEL: 'orders' })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/Unknown variable INPUT_TABEL/)
  })

  it('takes INPUT_* variables, and a flag wins over one', async () => {
    const run = await local(['--environment', 'from-flag'], { INPUT_TABLES: 'ledger', INPUT_ENVIRONMENT: 'from-variable' })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^table-names: \["ledgerfromflag[0-9a-z]{6}"\]$/m)
    expect(run.stdout).toMatch(/^stack-name: from-flag$/m)
  })

  it('--keep: up creates, a second up leaves everything as is, destroy removes it; secrets masked', async () => {
    const flags = ['--keep', '--tables', 'orders,audit', '--environment', 'feature/x']
    const first = await local(flags)
    expect(first.code).toBe(0)
    expect(first.stdout.match(/: created at/g)).toHaveLength(2)
    expect(first.stdout).toMatch(/^connection-string: \*\*\*$/m)
    expect(first.stdout).toMatch(/^verify: passed$/m)
    expect(first.stdout).toMatch(/^passed: optimistic concurrency: /m)
    expect(first.stdout).toMatch(/^job summary \(markdown\): .*step-summary$/m)
    expect(first.stdout).toMatch(/^table-connection-strings: $/m)

    const second = await local(flags)
    expect(second.code).toBe(0)
    expect(second.stdout.match(/exists at .*, left as is\./g)).toHaveLength(2)
    expect(second.stdout).not.toMatch(/: created at/)

    const destroy = await local([...flags, '--command', 'destroy'])
    expect(destroy.code).toBe(0)
    expect(destroy.stdout.match(/: deleted at/g)).toHaveLength(2)
    for (const run of [first, second, destroy]) expect(run.stdout + run.stderr).not.toContain(AZURITE_DEV_ACCOUNT_KEY)
  })
})
