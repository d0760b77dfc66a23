import { describe, expect, it } from '@jest/globals'
import { UserError } from '../src/errors.js'
import type { Deps } from '../src/main.js'
import type { VerifyReport } from '../src/verify/event-store.js'
import { errorLines, runAction } from './fixtures/action-run.js'
import { FAKE_KEY, FakeEngine } from './fixtures/fake-engine.js'
import { AZURE_ENV } from './fixtures/azure-env.js'


const passingVerify = async (): Promise<VerifyReport> => ({ ok: true, checks: [{ name: 'transactional append', ok: true, detail: 'ok' }] })

function deps(engine: FakeEngine, extra: Partial<Deps> = {}): Partial<Deps> {
  return { loadEngine: async () => engine, verifyEventStore: passingVerify, ...extra }
}

describe('run() with a fake engine', () => {
  it.each(['up', 'preview', 'refresh', 'destroy'] as const)('%s calls the engine once with the stack and config', async (command) => {
    const engine = new FakeEngine()
    const run = await runAction({ command, environment: 'feature/Add-Memory', location: 'West Europe', tables: 'events, snapshots' }, deps(engine), AZURE_ENV)
    expect(run.exitCode).toBe(0)
    expect(engine.calls).toHaveLength(1)
    const plan = engine.calls[0]!.plan
    expect(plan.command).toBe(command)
    expect(plan.location).toBe('westeurope')
    expect(plan.tables).toEqual(['events', 'snapshots'])
    expect(plan.names.stackName).toMatch(/^feature-add-memory-[0-9a-z]{16}$/)
    expect(run.outputs['stack-name']).toBe(plan.names.stackName)
  })

  it('up sets every output and masks the connection string and the key before any output', async () => {
    const engine = new FakeEngine()
    const run = await runAction({ command: 'up', environment: 'pr-42' }, deps(engine), AZURE_ENV)
    expect(run.exitCode).toBe(0)
    const plan = engine.calls[0]!.plan
    expect(run.outputs['connection-string']).toContain(`AccountKey=${FAKE_KEY}`)
    expect(run.outputs['table-name']).toBe('events')
    expect(JSON.parse(run.outputs['table-names']!)).toEqual(['events'])
    expect(run.outputs['storage-account-name']).toBe(plan.names.storageAccountName)
    expect(run.outputs['resource-group-name']).toBe(plan.names.resourceGroupName)
    expect(run.outputs['table-endpoint']).toMatch(/^https:\/\/.+\.table\.core\.windows\.net\/$/)
    expect(run.stdout).toContain(`::add-mask::${run.outputs['connection-string']}`)
    expect(run.stdout).toContain(`::add-mask::${FAKE_KEY}`)
    // Secrets from the engine are masked before the first output is written.
    expect(run.outputSizeAtMask.every((size) => size === 0)).toBe(true)
    // The secret appears nowhere else in what was printed or summarised.
    const printedElsewhere = run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')
    expect(printedElsewhere).not.toContain(FAKE_KEY)
    expect(run.summary).not.toContain(FAKE_KEY)
    expect(run.summary).toContain('pr-42')
    expect(run.summary).toContain(plan.names.storageAccountName)
    // isolation is not tables: the table-scoped output does not apply and is empty, not '{}'.
    expect(run.outputs['table-connection-strings']).toBe('')
  })

  it("the verify log group logs each check's result, so a run without a step summary shows it", async () => {
    const verifyEventStore = async (): Promise<VerifyReport> => ({
      ok: true,
      checks: [
        { name: 'transactional append', ok: true, detail: 'two events in one transaction' },
        { name: 'ordered read', ok: true, detail: 'versions [1, 2]' }
      ]
    })
    const run = await runAction({ command: 'up', environment: 'pr-42' }, deps(new FakeEngine(), { verifyEventStore }), AZURE_ENV)
    expect(run.exitCode).toBe(0)
    const group = /::group::verify the event store\n([\s\S]*?)::endgroup::/.exec(run.stdout)?.[1] ?? ''
    expect(group).toContain('passed: transactional append: two events in one transaction')
    expect(group).toContain('passed: ordered read: versions [1, 2]')
    expect(group).toMatch(/Event-store check: passed on table events\./)
  })

  it('destroy sets empty outputs and says the environment is gone', async () => {
    const run = await runAction({ command: 'destroy', environment: 'pr-42' }, deps(new FakeEngine()), AZURE_ENV)
    expect(run.exitCode).toBe(0)
    expect(run.outputs['connection-string']).toBe('')
    expect(run.outputs['table-names']).toBe('[]')
    expect(run.outputs['table-connection-strings']).toBe('')
    expect(run.summary).toMatch(/environment is gone/i)
  })

  it('a failing event-store check fails the action naming the property', async () => {
    const verify = async (): Promise<VerifyReport> => ({
      ok: false,
      checks: [
        { name: 'transactional append', ok: true, detail: 'two events appended in one transaction' },
        { name: 'optimistic concurrency', ok: false, detail: 'an append with a stale expected version was accepted' }
      ]
    })
    const run = await runAction({ command: 'up', environment: 'pr-1' }, deps(new FakeEngine(), { verifyEventStore: verify }), AZURE_ENV)
    expect(run.exitCode).toBe(1)
    expect(errorLines(run.stdout)).toHaveLength(1)
    expect(errorLines(run.stdout)[0]).toContain('optimistic concurrency')
    expect(run.summary).toContain('FAILED')
  })

  it('verify: false skips the check', async () => {
    let called = false
    const verify = async (): Promise<VerifyReport> => {
      called = true
      return { ok: true, checks: [] }
    }
    const run = await runAction({ command: 'up', environment: 'pr-1', verify: 'false' }, deps(new FakeEngine(), { verifyEventStore: verify }), AZURE_ENV)
    expect(run.exitCode).toBe(0)
    expect(called).toBe(false)
  })

  it('an engine error is reported once, redacted, without a stack trace', async () => {
    const leaky = new Error(`deployment failed: DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${FAKE_KEY};EndpointSuffix=core.windows.net\n    at Object.<anonymous> (engine.js:1:1)`)
    const run = await runAction({ command: 'up', environment: 'pr-1' }, deps(new FakeEngine({ failWith: leaky })), AZURE_ENV)
    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.stdout)
    expect(errors).toHaveLength(1)
    expect(run.stdout).not.toContain(FAKE_KEY)
    expect(errors[0]).toContain('AccountKey=***')
  })

  it('a user error from the engine is reported as it is', async () => {
    const run = await runAction({ command: 'up', environment: 'pr-1' }, deps(new FakeEngine({ failWith: new UserError('Stack is locked; add a concurrency group.') })), AZURE_ENV)
    expect(errorLines(run.stdout)).toEqual(['::error::Stack is locked; add a concurrency group.'])
  })

  it('secrets from the environment are masked first and never printed', async () => {
    const run = await runAction({ command: 'up', environment: 'pr-1' }, deps(new FakeEngine({ failWith: new Error(`token ${AZURE_ENV.PULUMI_ACCESS_TOKEN} rejected`) })), AZURE_ENV)
    // The masks come first (the runner's github-token default among them), before any other line.
    const lines = run.stdout.split('\n')
    const firstOther = lines.findIndex((l) => !l.startsWith('::add-mask::'))
    expect(lines.slice(0, firstOther)).toContain(`::add-mask::${AZURE_ENV.PULUMI_ACCESS_TOKEN}`)
    const rest = run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n')
    expect(rest).not.toContain(AZURE_ENV.PULUMI_ACCESS_TOKEN)
  })
})

describe('bad input never reaches the engine', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['unknown command', { command: 'apply', environment: 'x1' }, /Input 'command'.*apply.*up, preview, refresh, destroy/],
    ['unknown region', { location: 'mars-north', environment: 'x1' }, /Input 'location'/],
    ['bad table', { tables: '1events', environment: 'x1' }, /Input 'tables'/],
    ['reserved table', { tables: 'Tables', environment: 'x1' }, /reserved/],
    ['duplicate table', { tables: 'events,Events', environment: 'x1' }, /twice/],
    ['bad sku', { sku: 'Premium_LRS', environment: 'x1' }, /Input 'sku'/],
    ['bad boolean', { protect: 'yes', environment: 'x1' }, /Input 'protect'.*true or false/],
    ['bad tag', { tags: 'no-equals-sign', environment: 'x1' }, /Input 'tags'/],
    ['missing environment', {}, /Input 'environment'/],
    ['environment without letters', { environment: '日本' }, /Input 'environment'/],
    ['bad target', { target: 'aws', environment: 'x1' }, /Input 'target'/],
    ['bad version', { 'pulumi-version': 'latest-ish', environment: 'x1' }, /Input 'pulumi-version'/]
  ]
  it.each(cases)('%s', async (_name, inputs, message) => {
    const engine = new FakeEngine()
    let loaded = false
    const run = await runAction(inputs, deps(engine, { loadEngine: async () => ((loaded = true), engine) }), AZURE_ENV)
    expect(run.exitCode).toBe(1)
    const errors = errorLines(run.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(message)
    expect(run.stdout).not.toMatch(/\n\s+at /)
    expect(loaded).toBe(false)
    expect(engine.calls).toHaveLength(0)
  })

  it('missing backend and credentials are named before the engine loads', async () => {
    const engine = new FakeEngine()
    const noBackend = await runAction({ environment: 'x1' }, deps(engine), { ...AZURE_ENV, PULUMI_ACCESS_TOKEN: '' })
    expect(errorLines(noBackend.stdout)[0]).toMatch(/backend-url|PULUMI_ACCESS_TOKEN/)
    const noCreds = await runAction({ environment: 'x1' }, deps(engine), { PULUMI_ACCESS_TOKEN: 'pul-abcdefgh' })
    expect(errorLines(noCreds.stdout)[0]).toMatch(/ARM_USE_OIDC/)
    expect(engine.calls).toHaveLength(0)
  })
})
