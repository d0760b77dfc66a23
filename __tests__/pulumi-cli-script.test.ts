// scripts/pulumi-cli.mjs picks the CLI the real-engine suite runs: one on PATH at least as new as the
// bundled SDK, else the per-version cache, else a build (not exercised here: minutes of Go), else a
// failure that names both ways. Stdout carries the path and nothing else.
import { afterEach, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { PULUMI_SDK_VERSION } from '../src/versions.js'

const dirs: string[] = []
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))

function fakePulumi(dir: string, version: string): string {
  mkdirSync(dir, { recursive: true })
  const file = join(dir, 'pulumi')
  writeFileSync(file, `#!/bin/sh\n[ "$1" = version ] && echo v${version}\n`)
  chmodSync(file, 0o755)
  return file
}

/** Runs the script with nothing on PATH but the given directories (so no Go: nothing is ever built here). */
function pick(pathDirs: string[], cacheHome: string) {
  return spawnSync(process.execPath, [resolve('scripts', 'pulumi-cli.mjs')], {
    encoding: 'utf8',
    env: { PATH: pathDirs.join(':') || join(cacheHome, 'no-such-dir'), HOME: cacheHome, XDG_CACHE_HOME: cacheHome }
  })
}

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pulumi-cli-script-'))
  dirs.push(dir)
  return dir
}

describe('scripts/pulumi-cli.mjs', () => {
  it('prints only the path of a new enough CLI on PATH', () => {
    const root = temp()
    const cli = fakePulumi(join(root, 'bin'), '3.999.0')
    const r = pick([join(root, 'bin')], join(root, 'cache'))
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(`${cli}\n`)
  })

  it('passes over an older CLI and takes the cached build of the bundled version', () => {
    const root = temp()
    fakePulumi(join(root, 'bin'), '3.1.0')
    const cached = fakePulumi(join(root, 'cache', 'event-store-env-action', 'pulumi-cli', PULUMI_SDK_VERSION), PULUMI_SDK_VERSION)
    const r = pick([join(root, 'bin')], join(root, 'cache'))
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(`${cached}\n`)
    expect(r.stderr).toMatch(/ignoring .*3\.1\.0/)
  })

  it('without a CLI and without Go fails, naming both ways, with nothing on stdout', () => {
    const root = temp()
    // A leftover of an interrupted build is never taken for a CLI.
    mkdirSync(join(root, 'cache', 'event-store-env-action', 'pulumi-cli', PULUMI_SDK_VERSION), { recursive: true })
    writeFileSync(join(root, 'cache', 'event-store-env-action', 'pulumi-cli', PULUMI_SDK_VERSION, 'pulumi.partial-1'), '')
    const r = pick([], join(root, 'cache'))
    expect(r.status).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/Pulumi CLI .* on PATH/)
    expect(r.stderr).toMatch(/install Go/)
  })
})
