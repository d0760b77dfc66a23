// The real-engine harness: the environment printed by scripts/engine-env.mjs (Pulumi CLI, stand-in
// azure-native provider, file:// backend, passphrase), the committed bundle run as the runner runs it,
// and read access to what the run left: the state file, the stand-in's record, the tables in Azurite.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { TableServiceClient } from '@azure/data-tables'
import { environmentNames } from '../../src/plan/naming.js'
import { copyBundle, type BundleCopy, type BundleRun } from '../fixtures/bundle.js'

export const SKIP = process.env.ENGINE_TESTS === 'skip'
if (SKIP) {
  process.stderr.write('\n!!! ENGINE_TESTS=skip: the real-engine suite (Pulumi CLI + stand-in provider) is NOT run. CI never sets this. !!!\n\n')
}

/** Generous: each step starts the Pulumi CLI, a provider process and sometimes an Azurite. */
export const ENGINE_TIMEOUT_MS = 240_000

export interface StandinRecord {
  resourceGroups: Record<string, { name: string; location: string; tags: Record<string, string> }>
  storageAccounts: Record<string, { name: string; resourceGroupName: string; keys: string[]; endpoint: { pid: number; port: number } }>
  tables: Record<string, { name: string; account: string }>
  cosmosAccounts: Record<string, { accountName: string }>
  cosmosTables: Record<string, { name: string }>
  roleAssignments: Record<string, unknown>
  failTableCreates: string[]
  operations: { op: string; type: string; id: string }[]
}

export interface EngineEnv {
  /** Variables every bundle run gets (PATH with the CLI, PULUMI_*, ARM_*, AZURE_STANDIN_DIR). */
  vars: Record<string, string>
  bundle: BundleCopy
  run(inputs: Record<string, string>, env?: Record<string, string>): Promise<BundleRun>
  record(): StandinRecord
  /** The environment's stack state file in the file:// backend, or undefined when there is none. */
  stateFile(environment: string, project?: string): string | undefined
  close(): void
}

/** Inputs every case shares: the azure target on a local file backend. */
export const AZURE_INPUTS = { target: 'azure', 'allow-local-state': 'true' }

export function openEngineEnv(): EngineEnv {
  const dir = mkdtempSync(join(tmpdir(), 'engine-real-'))
  const printed = spawnSync(process.execPath, [resolve('scripts', 'engine-env.mjs')], {
    encoding: 'utf8',
    env: { ...process.env, ENGINE_ENV_DIR: dir, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  if (printed.status !== 0) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(
      `scripts/engine-env.mjs failed, so the real-engine suite cannot run (set ENGINE_TESTS=skip only to skip it knowingly):\n${printed.stderr}`
    )
  }
  const vars: Record<string, string> = {}
  for (const m of printed.stdout.matchAll(/^export ([A-Z_]+)='((?:[^']|'\\'')*)'$/gm)) vars[m[1]!] = m[2]!.replaceAll("'\\''", "'")
  const bundle = copyBundle()
  const state = vars.PULUMI_BACKEND_URL!.replace(/^file:\/\//, '')
  return {
    vars,
    bundle,
    run: (inputs, env = {}) => bundle.run({ ...AZURE_INPUTS, ...inputs }, { ...vars, ...env }),
    record: () => JSON.parse(readFileSync(join(vars.AZURE_STANDIN_DIR!, 'azure.json'), 'utf8')) as StandinRecord,
    stateFile(environment, project = 'event-store') {
      const { stackName } = environmentNames({ project, environment, repository: 'unused' })
      const file = join(state, '.pulumi', 'stacks', project, `${stackName}.json`)
      return existsSync(file) ? file : undefined
    },
    close() {
      const recordFile = join(vars.AZURE_STANDIN_DIR!, 'azure.json')
      const started = existsSync(recordFile) ? standinPids(JSON.parse(readFileSync(recordFile, 'utf8')) as StandinRecord) : []
      spawnSync(process.execPath, [resolve('scripts', 'engine-env.mjs'), '--stop'], { env: { ...process.env, ...vars, NODE_OPTIONS: '' }, stdio: 'ignore' })
      bundle.remove()
      rmSync(dir, { recursive: true, force: true })
      // `engine-env.mjs --stop` must have stopped every process the stand-in started (SIGTERM: give them a moment).
      const deadline = Date.now() + 5000
      while (started.some(alive) && Date.now() < deadline) spawnSync('sleep', ['0.1'])
      const left = started.filter(alive)
      if (left.length > 0) throw new Error(`engine-env.mjs --stop left stand-in processes running: ${left.join(', ')}`)
    }
  }
}

/** PIDs of the Table endpoints (Azurite) the stand-in started, storage and Cosmos accounts alike. */
function standinPids(record: StandinRecord): number[] {
  const accounts = [...Object.values(record.storageAccounts), ...Object.values(record.cosmosAccounts as Record<string, { endpoint?: { pid: number } }>)]
  const blobs = Object.values(record.storageAccounts as Record<string, { blobEndpoint?: { pid: number } }>).map((a) => a.blobEndpoint?.pid)
  return [...accounts.map((a) => a.endpoint?.pid), ...blobs].filter((pid): pid is number => typeof pid === 'number')
}

/** Table names in the account a connection string points at (the real data plane). */
export async function tablesIn(connectionString: string): Promise<string[]> {
  const client = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true })
  const names: string[] = []
  for await (const t of client.listTables()) names.push(t.name!)
  return names.sort()
}

export const errorLines = (run: BundleRun): string[] => run.stdout.split('\n').filter((l) => l.startsWith('::error'))

/** Operations the stand-in recorded after `from` (a count taken earlier). */
export const opsSince = (env: EngineEnv, from: number): string[] => env.record().operations.slice(from).map((o) => `${o.op} ${o.type}`)

/** Whether a process is alive (signal 0). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Directory names under a directory, or [] when it does not exist. */
export const entries = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : [])

/** A short, readable dump of a failed run, with nothing that looks like a key. */
export function explain(run: BundleRun): string {
  return `exit ${run.code}\n${run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).slice(-40).join('\n')}\n${run.stderr.slice(-2000)}`.replace(/[A-Za-z0-9+/]{60,}={0,2}/g, '<redacted>')
}
