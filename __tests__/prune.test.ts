// command: prune. With a fake engine (which environments get destroyed), the emulator engine's
// listing against Azurite, and end to end through the bundle with Azurite and a GitHub API stand-in.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { TableServiceClient } from '@azure/data-tables'
import { createEmulatorEngine } from '../src/engine/emulator.js'
import { emulatorTableName } from '../src/naming.js'
import type { Deps } from '../src/main.js'
import type { EngineIO } from '../src/types.js'
import { errorLines, runAction } from './fixtures/action-run.js'
import { copyBundle, everythingWritten, type BundleCopy } from './fixtures/bundle.js'
import { emulatorPlan } from './fixtures/emulator-plan.js'
import { FakeEngine } from './fixtures/fake-engine.js'
import { startAzurite, type AzuriteHandle } from './helpers/azurite.js'
import { startGitHubApi, type GitHubApi } from './helpers/github-api.js'
import { AZURE_ENV } from './fixtures/azure-env.js'

const TOKEN = 'test-token'
let api: GitHubApi
let azurite: AzuriteHandle

beforeAll(async () => {
  ;[api, azurite] = await Promise.all([startGitHubApi(), startAzurite()])
})
afterAll(async () => {
  await Promise.all([api?.stop(), azurite?.stop()])
})
beforeEach(() => {
  api.requests.length = 0
  api.pulls.clear()
  api.failWith = undefined
})


const deps = (engine: FakeEngine): Partial<Deps> => ({ loadEngine: async () => engine })
const pullLookups = (): string[] => api.requests.filter((r) => r.path.includes('/pulls/')).map((r) => r.path)

describe('prune with a fake engine', () => {
  it('destroys exactly the environments whose pull request is closed', async () => {
    api.pulls.set(1, 'closed').set(2, 'open').set(3, 'closed')
    const engine = new FakeEngine({ environments: ['pr-1', 'pr-2', 'staging', 'pr-3'] })
    const run = await runAction({ command: 'prune', 'github-token': TOKEN, tables: 'events,snapshots' }, deps(engine), { ...AZURE_ENV, GITHUB_API_URL: api.url })
    expect(run.exitCode).toBe(0)
    expect(engine.listCalls).toHaveLength(1)
    expect(engine.listCalls[0]!.plan.project).toBe('event-store')
    expect(engine.calls.map((c) => [c.plan.command, c.plan.environment])).toEqual([
      ['destroy', 'pr-1'],
      ['destroy', 'pr-3']
    ])
    expect(engine.calls[0]!.plan.names.stackName).toBe('pr-1')
    expect(engine.calls[0]!.plan.tables).toEqual(['events', 'snapshots'])
    expect(JSON.parse(run.outputs['pruned-environments']!)).toEqual(['pr-1', 'pr-3'])
    expect(pullLookups()).toEqual(['/repos/octo/app/pulls/1', '/repos/octo/app/pulls/2', '/repos/octo/app/pulls/3'])
    expect(api.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true)
    expect(run.summary).toMatch(/Found 4 environment\(s\); pruned 2/)
    expect(run.summary).toContain('`pr-1`')
    expect(run.summary).toContain('`pr-3`')
    expect(run.summary).not.toContain('`pr-2`')
  })

  it('a pull request the API does not know is pruned; an open one is kept', async () => {
    api.pulls.set(5, 'open')
    const engine = new FakeEngine({ environments: ['pr-5', 'pr-6'] })
    const run = await runAction({ command: 'prune', 'github-token': TOKEN }, deps(engine), { ...AZURE_ENV, GITHUB_API_URL: api.url })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['pruned-environments']).toBe('["pr-6"]')
  })

  it('without pr-<number> environments asks GitHub nothing and prunes nothing', async () => {
    const engine = new FakeEngine({ environments: ['staging', 'production', 'pr-x'] })
    const run = await runAction({ command: 'prune', 'github-token': TOKEN }, deps(engine), { ...AZURE_ENV, GITHUB_API_URL: api.url })
    expect(run.exitCode).toBe(0)
    expect(run.outputs['pruned-environments']).toBe('[]')
    expect(engine.calls).toHaveLength(0)
    expect(api.requests).toEqual([])
    expect(run.stdout).toContain('Nothing to prune.')
  })

  it('a failed look-up fails the run before anything is destroyed, without the token', async () => {
    api.failWith = 401
    const engine = new FakeEngine({ environments: ['pr-1'] })
    const run = await runAction({ command: 'prune', 'github-token': 'ghs_secretTokenValue0123' }, deps(engine), { ...AZURE_ENV, GITHUB_API_URL: api.url })
    expect(run.exitCode).toBe(1)
    expect(errorLines(run.stdout)).toHaveLength(1)
    expect(errorLines(run.stdout)[0]).toMatch(/refused the token \(HTTP 401\)/)
    expect(engine.calls).toHaveLength(0)
    expect(run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')).not.toContain('ghs_secretTokenValue0123')
  })

  it('an empty github-token is named before the engine lists anything', async () => {
    const engine = new FakeEngine({ environments: ['pr-1'] })
    const run = await runAction({ command: 'prune', 'github-token': '' }, deps(engine), { ...AZURE_ENV, GITHUB_API_URL: api.url })
    expect(run.exitCode).toBe(1)
    expect(errorLines(run.stdout)[0]).toMatch(/'github-token' is empty/)
    expect(engine.listCalls).toHaveLength(0)
  })
})

const silentIO: EngineIO = { info: () => undefined, registerSecret: () => undefined }

async function createTables(names: string[]): Promise<void> {
  const service = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true })
  for (const name of names) await service.createTable(name)
}

async function listTables(): Promise<string[]> {
  const service = TableServiceClient.fromConnectionString(azurite.connectionString, { allowInsecureConnection: true })
  const names: string[] = []
  for await (const t of service.listTables()) names.push(t.name!)
  return names.sort()
}

describe('the emulator engine lists the environments its ownership record holds', () => {
  it('finds this project’s recorded environments, and no table that only looks like one', async () => {
    const engine = createEmulatorEngine()
    const up = (environment: string, project = 'listing', tables = ['events']): Promise<unknown> =>
      engine.run(emulatorPlan({ command: 'up', connectionString: azurite.connectionString, environment, project, tables }), silentIO)
    for (const environment of ['pr-7', 'pr-30', 'pr-1000000', 'staging', 'feature/Add-Memory']) await up(environment)
    await up('pr-8', 'other-project')
    await createTables([
      emulatorTableName({ table: 'events', project: 'listing', environment: 'pr-9' }), // right shape, never recorded
      'eventspr11abcdef'
    ])
    const plan = emulatorPlan({ command: 'destroy', connectionString: azurite.connectionString, environment: 'prune', tables: ['Events', 'snapshots'], project: 'listing' })
    expect(await engine.listEnvironments(plan, silentIO)).toEqual(['feature/Add-Memory', 'pr-7', 'pr-30', 'pr-1000000', 'staging'])
    await engine.run(emulatorPlan({ command: 'destroy', connectionString: azurite.connectionString, environment: 'pr-30', project: 'listing' }), silentIO)
    expect(await engine.listEnvironments(plan, silentIO)).not.toContain('pr-30')
  })

  it('registers the connection string as a secret before listing', async () => {
    const secrets: string[] = []
    const plan = emulatorPlan({ command: 'destroy', connectionString: azurite.connectionString, environment: 'prune', project: 'nothing-here' })
    expect(await createEmulatorEngine().listEnvironments(plan, { info: () => undefined, registerSecret: (s) => secrets.push(s) })).toEqual([])
    expect(secrets).toContain(azurite.connectionString)
  })
})

describe('prune end to end through the bundle on the emulator target', () => {
  let bundle: BundleCopy
  beforeAll(() => {
    bundle = copyBundle()
  })
  afterAll(() => bundle?.remove())

  const emulator = (inputs: Record<string, string>): Record<string, string> => ({
    target: 'emulator',
    'emulator-connection-string': azurite.connectionString,
    project: 'bundle-prune',
    tables: 'events,snapshots',
    ...inputs
  })

  it('destroys the environments of closed pull requests and keeps the rest', async () => {
    const env = { GITHUB_API_URL: api.url, GITHUB_REPOSITORY: 'octo/app' }
    const created: Record<string, string[]> = {}
    for (const environment of ['pr-11', 'pr-12', 'pr-13', 'staging']) {
      const up = await bundle.run(emulator({ environment, verify: 'false' }), env)
      expect(up.code).toBe(0)
      created[environment] = JSON.parse(up.outputs['table-names']!) as string[]
    }
    const otherProject = await bundle.run(emulator({ environment: 'pr-11', project: 'someone-else', verify: 'false' }), env)
    expect(otherProject.code).toBe(0)
    api.pulls.set(11, 'closed').set(12, 'open').set(13, 'closed')

    const prune = await bundle.run(emulator({ command: 'prune', 'github-token': TOKEN }), env)
    expect(prune.stderr).toBe('')
    expect(prune.code).toBe(0)
    expect(JSON.parse(prune.outputs['pruned-environments']!)).toEqual(['pr-11', 'pr-13'])
    const tables = await listTables()
    for (const gone of [...created['pr-11']!, ...created['pr-13']!]) expect(tables).not.toContain(gone)
    for (const kept of [...created['pr-12']!, ...created['staging']!, ...JSON.parse(otherProject.outputs['table-names']!)]) expect(tables).toContain(kept)
    expect(prune.summary).toMatch(/Prune: project `bundle-prune` on target `emulator`/)
    // staging is recorded too; prune looks up only pr-<number> environments.
    expect(prune.summary).toMatch(/Found 4 environment\(s\); pruned 2/)
    expect(prune.summary).toContain('`pr-11`')
    expect(prune.summary).toContain('`pr-13`')
    expect(prune.summary).not.toContain('`pr-12`')
    expect(pullLookups()).toEqual(['/repos/octo/app/pulls/11', '/repos/octo/app/pulls/12', '/repos/octo/app/pulls/13'])
    expect(everythingWritten(prune)).not.toContain(TOKEN)
    expect(everythingWritten(prune)).not.toContain(azurite.connectionString)

    // A second prune finds nothing left to do.
    const again = await bundle.run(emulator({ command: 'prune', 'github-token': TOKEN }), env)
    expect(again.code).toBe(0)
    expect(again.outputs['pruned-environments']).toBe('[]')
  })
})
