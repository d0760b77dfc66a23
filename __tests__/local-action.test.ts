// A second opinion from a real client: @github/local-action (a dev dependency) runs the action's
// sources (src/main.ts, through its own tsx and its stand-in for @actions/core) on the emulator
// target, with a .env written from .env.example exactly as the README tells a user to.
// local-action fills every input it is not given from action.yml's defaults, like the runner, and
// drops any output that contains a registered secret ("Skip output ... since it may contain secret").
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { AZURITE_DEV_ACCOUNT_KEY } from '../src/connection-string.js'
import { startAzurite, type AzuriteHandle } from './helpers/azurite.js'

const root = resolve('.')
const BIN = join(root, 'node_modules', '@github', 'local-action', 'bin', 'local-action.js')
let azurite: AzuriteHandle
let dir: string

beforeAll(async () => {
  azurite = await startAzurite()
  dir = mkdtempSync(join(tmpdir(), 'local-action-'))
})
afterAll(async () => {
  await azurite?.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** .env.example with the given lines replaced (or added), in a temp dir; runs local-action on it. */
async function localAction(name: string, set: Record<string, string>, keepOnly?: string[]): Promise<{ code: number | null; out: string; summary: string }> {
  let lines = readFileSync(join(root, '.env.example'), 'utf8').split('\n')
  if (keepOnly) lines = lines.filter((l) => keepOnly.some((k) => l.startsWith(`${k}=`)))
  for (const [key, value] of Object.entries(set)) {
    const at = lines.findIndex((l) => l.startsWith(`${key}=`))
    if (at >= 0) lines[at] = `${key}=${value}`
    else lines.push(`${key}=${value}`)
  }
  const summary = join(dir, `${name}.summary.md`)
  writeFileSync(summary, '')
  const envFile = join(dir, `${name}.env`)
  writeFileSync(envFile, [...lines, `GITHUB_STEP_SUMMARY=${summary}`, ''].join('\n'))
  // tsx keeps a cache in the temp directory: give it one inside ours.
  const tmp = join(dir, `${name}.tmp`)
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? dir, TMPDIR: tmp, NO_COLOR: '1' }
  mkdirSync(tmp, { recursive: true })
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, 'run', root, 'src/main.ts', envFile], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', fail)
    child.on('close', (code) => done({ code, out, summary: readFileSync(summary, 'utf8') }))
  })
}

/** The outputs local-action reports (`::set-output name=...::value` lines). */
const outputsOf = (out: string): Record<string, string> =>
  Object.fromEntries([...out.matchAll(/^::set-output name=([^:]+)::(.*)$/gm)].map((m) => [m[1]!, m[2]!]))

describe('@github/local-action on the sources, emulator target', () => {
  it('the .env from .env.example: up succeeds, outputs set, the secret masked and its output withheld', async () => {
    const run = await localAction('example', { 'INPUT_EMULATOR-CONNECTION-STRING': azurite.connectionString, INPUT_ENVIRONMENT: 'local-action-example' })
    expect(run.out).not.toMatch(/^::error::/m)
    expect(run.code).toBe(0)
    const outputs = outputsOf(run.out)
    expect(JSON.parse(outputs['table-names']!)).toEqual([expect.stringMatching(/^events/), expect.stringMatching(/^snapshots/)])
    expect(outputs['table-endpoint']).toBe(`http://127.0.0.1:${azurite.port}/devstoreaccount1`)
    // The connection string was registered with setSecret, so local-action refuses it as an output.
    expect(run.out).toMatch(/Skip output connection-string since it may contain secret/)
    expect(outputs['connection-string']).toBeUndefined()
    for (const text of [run.out, run.summary]) {
      expect(text).not.toContain(AZURITE_DEV_ACCOUNT_KEY)
      expect(text).not.toContain(azurite.connectionString)
    }
    expect(run.summary).toMatch(/Event-store check: passed/)
  })

  it('only target, emulator-connection-string and environment: the rest at the defaults, up succeeds', async () => {
    const run = await localAction(
      'minimal',
      { INPUT_TARGET: 'emulator', 'INPUT_EMULATOR-CONNECTION-STRING': azurite.connectionString, INPUT_ENVIRONMENT: 'local-action-minimal' },
      []
    )
    expect(run.out).not.toMatch(/^::error::/m)
    expect(run.code).toBe(0)
    expect(JSON.parse(outputsOf(run.out)['table-names']!)).toEqual([expect.stringMatching(/^events/)])
    expect(run.out).not.toContain(AZURITE_DEV_ACCOUNT_KEY)
  })
})
