// The Azure engine's own logic with the Automation API injected (the real one runs in __tests__/engine-real/):
// where the workspace lives and that it is removed, which stack call each command makes, the lock retry,
// protect before destroy, and secret outputs registered before they are returned.
import { describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LocalWorkspaceOptions } from '@pulumi/pulumi/automation/index.js'
import { createPulumiEngine, createWorkDir, lockRetry, protectedResources, TEST_LOCK_BUDGET_VAR, type Automation, type PulumiDeps } from '../../src/engine/pulumi.js'
import { UserError } from '../../src/errors.js'
import type { EngineIO, Plan } from '../../src/types.js'
import { makePlan } from '../fixtures/plan.js'

class ConcurrentUpdateError extends Error {}
class StackNotFoundError extends Error {}

interface Call {
  name: string
  args?: unknown
}

/** A fake Automation API that records calls; `behave` changes what a call does. */
function fakeAutomation(behave: Partial<Record<'up' | 'select' | 'export', () => unknown>> = {}) {
  const calls: Call[] = []
  const workDirs: string[] = []
  let upAttempts = 0
  const stack = {
    workspace: { pulumiHome: '/nowhere', removeStack: async (name: string) => void calls.push({ name: 'removeStack', args: name }) },
    setAllConfig: async (config: unknown) => void calls.push({ name: 'setAllConfig', args: config }),
    up: async (opts: unknown) => {
      calls.push({ name: 'up', args: opts })
      upAttempts++
      if (behave.up) return behave.up()
      return {
        summary: { resourceChanges: { create: 3 } },
        outputs: {
          connectionString: { value: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=S3CRET;TableEndpoint=https://a.table.x', secret: true },
          accountKey: { value: 'S3CRET', secret: true },
          tableNames: { value: ['events'], secret: false },
          storageAccountName: { value: 'a', secret: false },
          resourceGroupName: { value: 'rg', secret: false },
          tableEndpoint: { value: 'https://a.table.x/', secret: false }
        }
      }
    },
    preview: async (opts: unknown) => (calls.push({ name: 'preview', args: opts }), { changeSummary: { create: 2, same: 1 } }),
    refresh: async (opts: unknown) => (calls.push({ name: 'refresh', args: opts }), { summary: { resourceChanges: { same: 3 } } }),
    destroy: async (opts: unknown) => (calls.push({ name: 'destroy', args: opts }), { summary: { resourceChanges: { delete: 3 } } }),
    outputs: async () => ({}),
    exportStack: async () => (behave.export ? behave.export() : { deployment: { resources: [] } })
  }
  const open = (name: string) => async (_args: unknown, options: LocalWorkspaceOptions) => {
    calls.push({ name, args: options })
    workDirs.push(options.workDir!)
    // The workspace directory exists while the stack is in use.
    expect(existsSync(options.workDir!)).toBe(true)
    if (behave.select) return behave.select()
    return stack
  }
  const automation = {
    ConcurrentUpdateError,
    StackNotFoundError,
    LocalWorkspace: {
      createOrSelectStack: open('createOrSelectStack'),
      selectStack: open('selectStack'),
      create: async (options: LocalWorkspaceOptions) => {
        workDirs.push(options.workDir!)
        return { listStacks: async () => [{ name: 'org/event-store/pr-1' }, { name: 'dev' }] }
      }
    }
  } as unknown as Automation
  return { automation, calls, workDirs, upAttempts: () => upAttempts }
}

function engineWith(auto: Automation, env: NodeJS.ProcessEnv) {
  const deps: Partial<PulumiDeps> = {
    automation: async () => auto,
    ensureCli: async (version) => ({ command: {} as never, version, source: 'path' }),
    ensurePlugin: async () => 'tool-cache'
  }
  return createPulumiEngine(env, deps)
}

function io(): EngineIO & { lines: string[]; secrets: string[] } {
  const lines: string[] = []
  const secrets: string[] = []
  return { lines, secrets, info: (l) => void lines.push(l), registerSecret: (s) => void secrets.push(s) }
}

function withRunnerTemp(fn: (env: NodeJS.ProcessEnv, temp: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const temp = mkdtempSync(join(tmpdir(), 'pulumi-unit-'))
    try {
      await fn({ RUNNER_TEMP: temp, PULUMI_BACKEND_URL: 'file:///state' }, temp)
    } finally {
      rmSync(temp, { recursive: true, force: true })
    }
  }
}

// The backend and secrets provider as plan/backend.ts decides them for PULUMI_BACKEND_URL=file:///state.
const plan = (overrides: Partial<Plan> = {}): Plan =>
  makePlan({ pulumi: { version: '3.276.0', allowLocalState: true, selfManaged: true, backendUrl: 'file:///state', secretsProvider: 'passphrase' }, ...overrides })

describe('the Automation API workspace', () => {
  it(
    'is a fresh owner-only directory under RUNNER_TEMP, removed after a successful run',
    withRunnerTemp(async (env, temp) => {
      const fake = fakeAutomation()
      await engineWith(fake.automation, env).run(plan(), io())
      expect(fake.workDirs).toHaveLength(1)
      expect(fake.workDirs[0]!.startsWith(join(temp, 'pulumi-workspace-'))).toBe(true)
      expect(existsSync(fake.workDirs[0]!)).toBe(false)
    })
  )

  it(
    'is removed when the run fails',
    withRunnerTemp(async (env) => {
      const fake = fakeAutomation({ up: () => Promise.reject(new Error('code: 255\n stderr: error: update failed')) })
      await expect(engineWith(fake.automation, env).run(plan(), io())).rejects.toBeInstanceOf(UserError)
      expect(fake.workDirs).toHaveLength(1)
      expect(existsSync(fake.workDirs[0]!)).toBe(false)
    })
  )

  it(
    'is removed after listing environments, and names lose their org/project qualifier',
    withRunnerTemp(async (env) => {
      const fake = fakeAutomation()
      expect(await engineWith(fake.automation, env).listEnvironments(plan({ command: 'destroy' }), io())).toEqual(['pr-1', 'dev'])
      expect(existsSync(fake.workDirs[0]!)).toBe(false)
    })
  )

  it(
    'createWorkDir makes mode 0700 directories',
    withRunnerTemp(async (env) => {
      const dir = await createWorkDir(env)
      expect(statSync(dir).mode & 0o777).toBe(0o700)
    })
  )
})

describe('commands', () => {
  it(
    'up: sets the location, passes parallelism, registers every secret output before returning it',
    withRunnerTemp(async (env) => {
      const fake = fakeAutomation()
      const out = io()
      const result = await engineWith(fake.automation, env).run(plan(), out)
      expect(fake.calls.map((c) => c.name)).toEqual(['createOrSelectStack', 'setAllConfig', 'up'])
      expect(fake.calls[1]!.args).toEqual({ 'azure-native:location': { value: 'westeurope' } })
      expect(fake.calls[2]!.args).toMatchObject({ parallel: 10, color: 'never' })
      expect(out.secrets).toEqual(expect.arrayContaining(['S3CRET', 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=S3CRET;TableEndpoint=https://a.table.x']))
      expect(result.outputs?.accountKey).toBe('S3CRET')
      expect(result.changes.create).toBe(3)
    })
  )

  it(
    'passes the backend and passphrase secrets provider into the workspace',
    withRunnerTemp(async (env) => {
      const fake = fakeAutomation()
      await engineWith(fake.automation, env).run(plan(), io())
      const options = fake.calls[0]!.args as LocalWorkspaceOptions
      expect(options.projectSettings?.backend?.url).toBe('file:///state')
      expect(options.secretsProvider).toBe('passphrase')
    })
  )

  it(
    'preview hands out no outputs; expect-no-changes reaches the engine',
    withRunnerTemp(async (env) => {
      const fake = fakeAutomation()
      const result = await engineWith(fake.automation, env).run(plan({ command: 'preview', expectNoChanges: true }), io())
      expect(result.outputs).toBeNull()
      expect(fake.calls.find((c) => c.name === 'preview')!.args).toMatchObject({ expectNoChanges: true })
    })
  )

  it(
    'up with expect-no-changes previews with the gate first, so a change fails before anything is applied',
    withRunnerTemp(async (env) => {
      const fake = fakeAutomation()
      await engineWith(fake.automation, env).run(plan({ expectNoChanges: true }), io())
      expect(fake.calls.map((c) => c.name)).toEqual(['createOrSelectStack', 'setAllConfig', 'preview', 'up'])
      expect(fake.calls[2]!.args).toMatchObject({ expectNoChanges: true })
      const plain = fakeAutomation()
      await engineWith(plain.automation, env).run(plan(), io())
      expect(plain.calls.map((c) => c.name)).not.toContain('preview')
    })
  )

  it(
    'destroy of a stack that does not exist ends cleanly and creates nothing',
    withRunnerTemp(async (env) => {
      const fake = fakeAutomation({ select: () => Promise.reject(new StackNotFoundError('no stack named dev found')) })
      const result = await engineWith(fake.automation, env).run(plan({ command: 'destroy' }), io())
      expect(result.notes.join(' ')).toMatch(/does not exist/)
      expect(fake.calls.map((c) => c.name)).toEqual(['selectStack'])
    })
  )

  it(
    'destroy of a protected environment is refused before anything is deleted',
    withRunnerTemp(async (env) => {
      const fake = fakeAutomation({ export: () => ({ deployment: { resources: [{ urn: 'urn:pulumi:dev::p::azure-native:storage:Table::table-events', protect: true }] } }) })
      await expect(engineWith(fake.automation, env).run(plan({ command: 'destroy' }), io())).rejects.toThrow(/protected \(table-events\); nothing was destroyed/)
      expect(fake.calls.map((c) => c.name)).not.toContain('destroy')
    })
  )

  it(
    'destroy removes the stack only with remove-stack',
    withRunnerTemp(async (env) => {
      const kept = fakeAutomation()
      await engineWith(kept.automation, env).run(plan({ command: 'destroy', removeStack: false }), io())
      expect(kept.calls.map((c) => c.name)).not.toContain('removeStack')
      const removed = fakeAutomation()
      await engineWith(removed.automation, env).run(plan({ command: 'destroy' }), io())
      expect(removed.calls.map((c) => c.name)).toContain('removeStack')
    })
  )
})

describe('the stack lock', () => {
  it('has a five-minute budget unless the test-only variable shortens it', () => {
    expect(lockRetry({}).budgetMs).toBe(300_000)
    expect(lockRetry({ [TEST_LOCK_BUDGET_VAR]: 'soon' }).budgetMs).toBe(300_000)
    expect(lockRetry({ [TEST_LOCK_BUDGET_VAR]: '2000' })).toEqual({ budgetMs: 2000, initialDelayMs: 250, maxDelayMs: 1000 })
  })

  it(
    'retries a locked stack and then succeeds',
    withRunnerTemp(async (env) => {
      let n = 0
      const fake = fakeAutomation({
        up: () => (++n === 1 ? Promise.reject(new ConcurrentUpdateError('the stack is currently locked by 1 lock(s)')) : { summary: { resourceChanges: {} }, outputs: {} })
      })
      const out = io()
      await engineWith(fake.automation, { ...env, [TEST_LOCK_BUDGET_VAR]: '2000' }).run(plan(), out)
      expect(fake.upAttempts()).toBe(2)
      expect(out.lines.join('\n')).toMatch(/locked by another run/)
    })
  )

  it(
    'gives up with advice on concurrency groups when the lock outlasts the budget',
    withRunnerTemp(async (env) => {
      const fake = fakeAutomation({ up: () => Promise.reject(new ConcurrentUpdateError('the stack is currently locked')) })
      await expect(engineWith(fake.automation, { ...env, [TEST_LOCK_BUDGET_VAR]: '600' }).run(plan(), io())).rejects.toThrow(/stayed locked .*concurrency group/)
    })
  )
})

describe('protectedResources', () => {
  it('lists the names of protected resources only', () => {
    expect(protectedResources({ deployment: { resources: [{ urn: 'urn:a::b::T::one', protect: true }, { urn: 'urn:a::b::T::two' }] } })).toEqual(['one'])
    expect(protectedResources({})).toEqual([])
  })
})
