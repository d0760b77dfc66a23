// Prints shell `export` lines that make the committed dist/index.js (target azure) run against the real
// Pulumi CLI (scripts/pulumi-cli.mjs) and the stand-in azure-native provider of the tests
// (__tests__/standin/): a Pulumi home with the stand-in installed as the provider plugin, a file://
// backend, a passphrase, the ARM_* settings preflight asks for, and the stand-in's record directory.
// The stand-in starts what it needs (an Azurite per storage account) itself.
//   eval "$(node scripts/engine-env.mjs)"      # ENGINE_ENV_DIR=<dir> to choose the directory
//   node scripts/engine-env.mjs --stop         # in that environment: stops every process the stand-in started
import { spawnSync } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const standin = join(root, '__tests__', 'standin')

if (process.argv.includes('--stop')) {
  const { stopAll } = await import(pathToFileURL(join(standin, 'record.mjs')).href)
  const pids = await stopAll()
  process.stderr.write(`engine-env: stopped ${pids.length} process(es) the stand-in started.\n`)
  process.exit(0)
}

const AZURE_NATIVE_VERSION = /AZURE_NATIVE_VERSION\s*=\s*'([^']+)'/.exec((await import('node:fs')).readFileSync(join(root, 'src', 'versions.ts'), 'utf8'))[1]

const cli = spawnSync(process.execPath, [join(root, 'scripts', 'pulumi-cli.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
if (cli.status !== 0) process.exit(cli.status ?? 1)
const cliPath = cli.stdout.trim()

const base = process.env.ENGINE_ENV_DIR ? resolve(process.env.ENGINE_ENV_DIR) : mkdtempSync(join(tmpdir(), 'event-store-engine-'))
const home = join(base, 'pulumi-home')
const pluginDir = join(home, 'plugins', `resource-azure-native-v${AZURE_NATIVE_VERSION}`)
const state = join(base, 'state')
const record = join(base, 'azure')
for (const dir of [pluginDir, state, record]) mkdirSync(dir, { recursive: true })

const quote = (s) => `'${String(s).replaceAll("'", `'\\''`)}'`
// The engine runs the plugin as an executable; this one runs the stand-in on the Node that ran us.
const plugin = join(pluginDir, 'pulumi-resource-azure-native')
// NODE_OPTIONS is the action's (a test may preload a tracer into it); the stand-in is not the action.
writeFileSync(plugin, `#!/bin/sh\nunset NODE_OPTIONS LEAK_TRACE_FILE\nexec ${quote(process.execPath)} ${quote(join(standin, 'azure-native.mjs'))} "$@"\n`)
chmodSync(plugin, 0o755)

const env = {
  PATH: `${dirname(cliPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
  PULUMI_HOME: home,
  PULUMI_BACKEND_URL: `file://${state}`,
  PULUMI_CONFIG_PASSPHRASE: randomBytes(18).toString('base64url'),
  PULUMI_SKIP_UPDATE_CHECK: 'true',
  AZURE_STANDIN_DIR: record,
  ENGINE_ENV_DIR: base,
  // What preflight asks for (a service principal with a secret); the stand-in reads the subscription.
  ARM_SUBSCRIPTION_ID: randomUUID(),
  ARM_TENANT_ID: randomUUID(),
  ARM_CLIENT_ID: randomUUID(),
  ARM_CLIENT_SECRET: randomBytes(18).toString('base64url')
}
for (const [k, v] of Object.entries(env)) process.stdout.write(`export ${k}=${quote(v)}\n`)
