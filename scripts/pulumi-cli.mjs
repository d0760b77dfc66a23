// Prints the absolute path of a Pulumi CLI for the real-engine tests, and nothing else on stdout.
// A `pulumi` on PATH at least as new as the bundled SDK is used as is; otherwise the CLI is built
// from its Go module (scripts/pulumi-cli/go.mod) into a per-user cache keyed by version, once.
// Progress goes to stderr. Exit 1 with both ways named when there is neither a CLI nor Go.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const moduleDir = join(root, 'scripts', 'pulumi-cli')
const say = (line) => process.stderr.write(`pulumi-cli: ${line}\n`)

/** The bundled SDK's version, read from src/versions.ts (the one place it is written). */
function sdkVersion() {
  const text = readFileSync(join(root, 'src', 'versions.ts'), 'utf8')
  const m = /PULUMI_SDK_VERSION\s*=\s*'(\d+\.\d+\.\d+)'/.exec(text)
  if (!m) throw new Error('cannot read PULUMI_SDK_VERSION from src/versions.ts')
  return m[1]
}

const parse = (v) => /^v?(\d+)\.(\d+)\.(\d+)/.exec(v.trim())?.slice(1).map(Number)
function atLeast(found, wanted) {
  const a = parse(found)
  const b = parse(wanted)
  if (!a || !b) return false
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i]
  return true
}

function versionOf(binary) {
  const r = spawnSync(binary, ['version'], { encoding: 'utf8', env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: 'true' } })
  return r.status === 0 ? r.stdout.trim() : ''
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = resolve(dir, name)
    if (existsSync(candidate)) return candidate
  }
  return undefined
}

export function cacheDir(version) {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache')
  return join(base, 'event-store-env-action', 'pulumi-cli', version)
}

function build(version, target) {
  const go = onPath('go')
  if (!go) {
    say(
      `no Pulumi CLI >= ${version} on PATH and no Go toolchain to build one. Either put a Pulumi CLI ${version} or newer ` +
        `on PATH, or install Go 1.26+ so this script can build it from ${join('scripts', 'pulumi-cli', 'go.mod')}.`
    )
    process.exit(1)
  }
  mkdirSync(dirname(target), { recursive: true })
  // Built under a temporary name and renamed: an interrupted build never leaves a binary that looks complete.
  const partial = `${target}.partial-${process.pid}`
  say(`building the Pulumi CLI ${version} from its Go module into ${dirname(target)} (minutes with a cold Go cache)...`)
  const started = Date.now()
  const r = spawnSync(
    go,
    ['build', '-ldflags', `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v${version}`, '-o', partial, 'github.com/pulumi/pulumi/pkg/v3/cmd/pulumi'],
    { cwd: moduleDir, stdio: ['ignore', 2, 2], env: { ...process.env, GOFLAGS: [process.env.GOFLAGS, '-mod=readonly'].filter(Boolean).join(' ') } }
  )
  if (r.status !== 0) {
    rmSync(partial, { force: true })
    say(`go build failed (exit ${r.status ?? r.signal}); put a Pulumi CLI ${version} or newer on PATH instead.`)
    process.exit(1)
  }
  renameSync(partial, target)
  say(`built in ${Math.round((Date.now() - started) / 1000)} s.`)
}

function main() {
  const version = sdkVersion()
  const found = onPath('pulumi')
  if (found) {
    const v = versionOf(found)
    if (atLeast(v, version)) return found
    say(`ignoring ${found} (version '${v || 'unknown'}', need >= ${version}).`)
  }
  const target = join(cacheDir(version), 'pulumi')
  if (existsSync(target) && atLeast(versionOf(target), version)) return target
  build(version, target)
  if (!atLeast(versionOf(target), version)) {
    say(`the built CLI at ${target} does not report version ${version}.`)
    process.exit(1)
  }
  return target
}

process.stdout.write(`${main()}\n`)
