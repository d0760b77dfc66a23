// A failed or cancelled up: the error names the resource that failed and what to do, and the next up
// completes the environment from the state the failed one left.
import { describe, expect, it } from '@jest/globals'
import type { EngineEvent } from '@pulumi/pulumi/automation/index.js'
import { UserError } from '../../src/errors.js'
import { cliFailure, resourceCollector } from '../../src/engine/pulumi-results.js'
import { emptyChanges, type Engine, type EngineIO, type EngineResult, type Plan, type ResourceChange } from '../../src/types.js'
import { errorLines, runAction } from '../fixtures/action-run.js'

const urn = (type: string, name: string): string => `urn:pulumi:pr-9::event-store::${type}::${name}`
const diagnostic = (severity: string, message: string, resourceUrn?: string): EngineEvent =>
  ({ sequence: 1, timestamp: 1, diagnosticEvent: { severity, message, color: 'never', ...(resourceUrn ? { urn: resourceUrn } : {}) } }) as unknown as EngineEvent

const TABLE = 'azure-native:storage:Table'
const ACCOUNT = 'azure-native:storage:StorageAccount'
const CLI_ERROR = 'code: 255\n stdout: Updating (pr-9)\n stderr: error: update failed\n'

describe('resourceCollector.failures', () => {
  it('names each resource the engine reported an error on, with the first line of the error', () => {
    const c = resourceCollector()
    c.onEvent(diagnostic('error', 'Status=409 Code="TableBeingDeleted"\nMessage="The specified table is being deleted."', urn(TABLE, 'table-events')))
    c.onEvent(diagnostic('error', '  Code="StorageAccountAlreadyTaken" Message="The storage account named x is already taken."\n', urn(ACCOUNT, 'storage')))
    expect(c.failures).toEqual([
      `${TABLE} 'table-events': Status=409 Code="TableBeingDeleted"`,
      `${ACCOUNT} 'storage': Code="StorageAccountAlreadyTaken" Message="The storage account named x is already taken."`
    ])
  })

  it('ignores warnings, errors without a resource, and the stack itself', () => {
    const c = resourceCollector()
    c.onEvent(diagnostic('warning', 'deprecated', urn(TABLE, 'table-events')))
    c.onEvent(diagnostic('info#err', 'noise', urn(TABLE, 'table-events')))
    c.onEvent(diagnostic('error', 'update failed', urn('pulumi:pulumi:Stack', 'event-store-pr-9')))
    c.onEvent(diagnostic('error', 'provider crashed', urn('pulumi:providers:azure-native', 'default')))
    c.onEvent(diagnostic('error', 'no urn'))
    expect(c.failures).toEqual([])
  })
})

describe('cliFailure', () => {
  it('names the failed resources and tells the user to run up again', () => {
    const error = cliFailure('up', 'pr-9', new Error(CLI_ERROR), [`${TABLE} 'table-events': Code="TableBeingDeleted"`])
    expect(error).toBeInstanceOf(UserError)
    expect(error.message).toBe(
      `pulumi up failed on stack 'pr-9': failed resource(s): ${TABLE} 'table-events': Code="TableBeingDeleted". ` +
        'Run up again to finish: Pulumi records what was done, so the next run continues from there. The collapsed engine log above has the full output.'
    )
  })

  it('lists at most five failures', () => {
    const failures = Array.from({ length: 7 }, (_, i) => `${TABLE} 'table-t${i}': boom`)
    const message = cliFailure('up', 'pr-9', new Error(CLI_ERROR), failures).message
    expect(message).toContain("'table-t4'")
    expect(message).not.toContain("'table-t5'")
  })

  it("falls back to the CLI's error lines when no resource failed", () => {
    expect(cliFailure('up', 'pr-9', new Error(CLI_ERROR)).message).toMatch(/^pulumi up failed on stack 'pr-9': update failed\. Run up again to finish/)
  })

  it('says a cancelled up is finished by the next one', () => {
    const message = cliFailure('up', 'pr-9', new Error('code: 255\n stderr: error: update canceled\n')).message
    expect(message).toMatch(/update canceled\. Run up again to finish/)
  })

  it.each([
    ['error: Code="StorageAccountAlreadyTaken"', /change the project input/],
    ['error: AuthorizationFailed: the client does not have authorization', /Azure refused the credentials/],
    ['error: resource is protected', /protect: false/],
    ['error: incorrect passphrase', /PULUMI_CONFIG_PASSPHRASE/]
  ])('turns %s into what to do', (text, hint) => {
    expect(cliFailure('up', 'pr-9', new Error(text)).message).toMatch(hint)
  })
})

/**
 * Pulumi in miniature: state survives between runs; an up creates what is missing in order and
 * stops at the first resource that fails, leaving what it created in the state.
 */
class InterruptedEngine implements Engine {
  readonly state = new Set<string>()
  readonly runs: Plan[] = []
  constructor(private readonly failOnce: { resource: string; message: string } | { cancel: true }) {}

  async run(plan: Plan, io: EngineIO): Promise<EngineResult> {
    this.runs.push(plan)
    const collector = resourceCollector()
    const planned = [['azure-native:resources:ResourceGroup', 'resource-group'], [ACCOUNT, 'storage'], ...plan.tables.map((t) => [TABLE, `table-${t}`])] as const
    const resources: ResourceChange[] = []
    const changes = emptyChanges()
    for (const [type, name] of planned) {
      const id = urn(type, name)
      if (this.state.has(id)) {
        changes.same++
        resources.push({ op: 'same', type, name })
        continue
      }
      if (this.runs.length === 1 && 'cancel' in this.failOnce && this.state.size === 2) {
        throw cliFailure('up', plan.names.stackName, new Error('code: 255\n stderr: error: update canceled\n'), collector.failures)
      }
      if (this.runs.length === 1 && 'resource' in this.failOnce && this.failOnce.resource === name) {
        collector.onEvent(diagnostic('error', this.failOnce.message, id))
        throw cliFailure('up', plan.names.stackName, new Error(CLI_ERROR), collector.failures)
      }
      this.state.add(id)
      io.info(`+ ${type} ${name} created`)
      changes.create++
      resources.push({ op: 'create', type, name })
    }
    const account = plan.names.storageAccountName
    const connectionString = `DefaultEndpointsProtocol=https;AccountName=${account};AccountKey=a2V5LWZvci10ZXN0cw==;EndpointSuffix=core.windows.net`
    return {
      changes,
      outputs: {
        connectionString,
        accountKey: 'a2V5LWZvci10ZXN0cw==',
        tableNames: plan.tables,
        storageAccountName: account,
        resourceGroupName: plan.names.resourceGroupName,
        tableEndpoint: `https://${account}.table.core.windows.net/`,
        stackName: plan.names.stackName
      },
      resources,
      notes: []
    }
  }

  async listEnvironments(): Promise<string[]> {
    return []
  }
}

const AZURE_ENV = { PULUMI_ACCESS_TOKEN: 'pul-test-token', ARM_USE_OIDC: 'true', ARM_OIDC_TOKEN: 'oidc-token', ARM_CLIENT_ID: 'c', ARM_TENANT_ID: 't', ARM_SUBSCRIPTION_ID: 's' }

const up = (engine: Engine) =>
  runAction(
    { environment: 'pr-9', tables: 'events,snapshots' },
    { loadEngine: async () => engine, verifyEventStore: async () => ({ ok: true, checks: [] }) },
    AZURE_ENV
  )

describe('a failed up is completed by the next up', () => {
  it('a resource fails: the error names it, the second up creates only what is missing', async () => {
    const engine = new InterruptedEngine({ resource: 'table-snapshots', message: 'Status=409 Code="TableBeingDeleted" Message="The specified table is being deleted. Try again later."' })

    const first = await up(engine)
    expect(first.exitCode).toBe(1)
    const errors = errorLines(first.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(new RegExp(`^::error::pulumi up failed on stack 'pr-9-[0-9a-f]{16}': failed resource\\(s\\): ${TABLE} 'table-snapshots': Status=409 Code="TableBeingDeleted"`))
    expect(errors[0]).toMatch(/Run up again to finish/)
    expect(first.stdout).not.toMatch(/\n\s+at .+:\d+:\d+/)
    expect(first.outputs['connection-string']).toBeUndefined()
    expect(engine.state.size).toBe(3)

    const second = await up(engine)
    expect(errorLines(second.stdout)).toEqual([])
    expect(second.exitCode).toBe(0)
    const stack = engine.runs[0]!.names.stackName
    expect(stack).toMatch(/^pr-9-[0-9a-f]{16}$/)
    expect(engine.runs.map((p) => p.names.stackName)).toEqual([stack, stack])
    expect(engine.state.size).toBe(4)
    expect(second.outputs['table-names']).toBe('["events","snapshots"]')
    expect(second.outputs['connection-string']).toMatch(/^DefaultEndpointsProtocol=https;AccountName=/)
    expect(second.outputs['stack-name']).toBe(stack)
    // The summary counts one creation (the table that failed) and three unchanged.
    expect(second.summary).toMatch(/\| 1 \| 0 \| 0 \| 0 \| 3 \|/)
  })

  it('a cancelled up: the next up finishes the environment', async () => {
    const engine = new InterruptedEngine({ cancel: true })
    const first = await up(engine)
    expect(first.exitCode).toBe(1)
    expect(errorLines(first.stdout)).toEqual([expect.stringMatching(/update canceled\. Run up again to finish/)])
    expect(engine.state.size).toBe(2)

    const second = await up(engine)
    expect(second.exitCode).toBe(0)
    expect(engine.state.size).toBe(4)
    expect(second.summary).toMatch(/\| 2 \| 0 \| 0 \| 0 \| 2 \|/)
  })
})
