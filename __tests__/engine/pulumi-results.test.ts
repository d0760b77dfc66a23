import { describe, expect, it } from '@jest/globals'
import type { EngineEvent } from '@pulumi/pulumi/automation/index.js'
import { changesFrom, cliFailure, environmentOutputsFrom, resourceCollector, summarizeCliFailure } from '../../src/engine/pulumi-results.js'

describe('pulumi results', () => {
  it('maps op counts', () => {
    expect(changesFrom({ create: 3, same: 1, import: 1, delete: 2 })).toEqual({ create: 4, update: 0, delete: 2, replace: 0, same: 1 })
    expect(changesFrom(undefined)).toEqual({ create: 0, update: 0, delete: 0, replace: 0, same: 0 })
  })
  it('collects real resources from events, not the stack or providers', () => {
    const c = resourceCollector()
    const ev = (op: string, type: string, name: string): EngineEvent =>
      ({ sequence: 1, timestamp: 1, resourcePreEvent: { metadata: { op, type, urn: `urn:pulumi:s::p::${type}::${name}` } } }) as unknown as EngineEvent
    c.onEvent(ev('create', 'pulumi:pulumi:Stack', 'p-s'))
    c.onEvent(ev('create', 'pulumi:providers:azure-native', 'default'))
    c.onEvent(ev('create', 'azure-native:storage:Table', 'events'))
    c.onEvent(ev('same', 'azure-native:resources:ResourceGroup', 'rg'))
    expect(c.resources).toEqual([
      { op: 'create', type: 'azure-native:storage:Table', name: 'events' },
      { op: 'same', type: 'azure-native:resources:ResourceGroup', name: 'rg' }
    ])
    // Kept apart: the engine's counts include the stack, ours do not (withoutStack).
    expect(c.stackOp).toBe('create')
  })
  it('reads our outputs from the stack outputs', () => {
    const out = environmentOutputsFrom(
      {
        connectionString: { value: 'cs', secret: true },
        accountKey: { value: 'k', secret: true },
        tableNames: { value: ['events'], secret: false },
        storageAccountName: { value: 'acct', secret: false },
        resourceGroupName: { value: 'rg', secret: false },
        tableEndpoint: { value: 'https://acct.table.core.windows.net/', secret: false }
      },
      'pr-1'
    )
    expect(out).toEqual({ connectionString: 'cs', accountKey: 'k', tableNames: ['events'], storageAccountName: 'acct', resourceGroupName: 'rg', tableEndpoint: 'https://acct.table.core.windows.net/', stackName: 'pr-1' })
    expect(environmentOutputsFrom({}, 'pr-1')).toBeNull()
  })
  it('keeps the error lines of a CLI failure and adds a hint', () => {
    const text = 'code: 255\n stdout: Updating (pr-1)\n  +  azure-native:storage:StorageAccount acct creating\n stderr: error: resource urn:x cannot be deleted because it is protected.\n'
    expect(summarizeCliFailure(text)).toBe('resource urn:x cannot be deleted because it is protected.')
    expect(cliFailure('destroy', 'pr-1', new Error(text)).message).toMatch(/protect: false/)
  })
})

describe('secret outputs and throttling', () => {
  it('finds every string inside secret outputs, nested too', async () => {
    const { secretValues } = await import('../../src/engine/pulumi-results.js')
    expect(
      secretValues({
        connectionString: { value: 'cs-1', secret: true },
        tableConnectionStrings: { value: { events: 'cs-events', snapshots: 'cs-snap' }, secret: true },
        tableNames: { value: ['events'], secret: false },
        empty: { value: '', secret: true }
      })
    ).toEqual(['cs-1', 'cs-events', 'cs-snap'])
  })
  it('recognises throttling', async () => {
    const { isThrottled } = await import('../../src/engine/pulumi-results.js')
    expect(isThrottled(new Error('autorest: StatusCode=429 TooManyRequests'))).toBe(true)
    expect(isThrottled(new Error('StatusCode=409 Conflict'))).toBe(false)
  })
})

describe('withoutStack', () => {
  it("takes the stack's own root resource out of the engine's counts", async () => {
    const { withoutStack } = await import('../../src/engine/pulumi-results.js')
    const counts = { create: 4, update: 0, delete: 0, replace: 0, same: 0 }
    expect(withoutStack(counts, 'create')).toEqual({ ...counts, create: 3 })
    expect(withoutStack({ ...counts, create: 0, same: 5 }, 'same')).toEqual({ ...counts, create: 0, same: 4 })
    expect(withoutStack(counts, undefined)).toEqual(counts)
  })
})
