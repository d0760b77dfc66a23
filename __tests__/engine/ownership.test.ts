// The owner record: programs add it to their outputs; every command refuses a stack recorded for another environment.
import { describe, expect, it } from '@jest/globals'
import { UserError } from '../../src/errors.js'
import { assertStackOwner, checkOwner, stackRecord, withOwnerRecord } from '../../src/engine/ownership.js'

const owner = { environment: 'pr-1', project: 'event-store' }
const outputs = (environment?: string, project?: string): Record<string, { value: unknown }> => ({
  ...(environment !== undefined ? { environment: { value: environment } } : {}),
  ...(project !== undefined ? { project: { value: project } } : {})
})

describe('checkOwner', () => {
  it('passes the same owner and a stack with no record', () => {
    expect(() => checkOwner(outputs('pr-1', 'event-store'), owner, 's')).not.toThrow()
    expect(() => checkOwner({}, owner, 's')).not.toThrow()
  })

  it.each([
    ['another environment', outputs('production', 'event-store')],
    ['another case', outputs('PR-1', 'event-store')],
    ['another project', outputs('pr-1', 'other')],
    ['only another environment recorded', outputs('production')]
  ])('refuses %s, without echoing the record', (_name, recorded) => {
    let error: unknown
    try {
      checkOwner(recorded, owner, 'stack-x')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UserError)
    expect((error as Error).message).toMatch(/stack-x.*another environment.*nothing was changed/)
    expect((error as Error).message).not.toContain('production')
  })

  it('assertStackOwner reads the record from the exported state', () => {
    const exported = { deployment: { resources: [{ type: 'pulumi:pulumi:Stack', outputs: { environment: 'production' } }] } }
    expect(() => assertStackOwner(exported, owner, 's')).toThrow(UserError)
  })
})

describe('withOwnerRecord', () => {
  it('adds environment and project to the program\'s outputs, last', async () => {
    const program = withOwnerRecord(async () => ({ tableNames: ['t'], environment: 'spoof' }), owner)
    expect(await program()).toEqual({ tableNames: ['t'], environment: 'pr-1', project: 'event-store' })
  })
})

describe('the owner record read from one stack export', () => {
  it('takes the root stack resource outputs; encrypted secrets stay objects', async () => {
    const exportedOutputs = async (stack: { exportStack(): Promise<{ deployment?: unknown }> }) => stackRecord(await stack.exportStack())
    const secret = { '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', ciphertext: 'v1:abc' }
    const stack = {
      exportStack: async () => ({
        version: 3,
        deployment: {
          resources: [
            { type: 'pulumi:providers:azure-native', outputs: { environment: 'other' } },
            { type: 'pulumi:pulumi:Stack', outputs: { environment: 'pr-1', project: 'event-store', connectionString: secret } }
          ]
        }
      })
    }
    const outputs = await exportedOutputs(stack as never)
    expect(outputs.environment).toEqual({ value: 'pr-1', secret: false })
    expect(outputs.project).toEqual({ value: 'event-store', secret: false })
    expect(outputs.connectionString).toEqual({ value: secret, secret: true })
    expect(await exportedOutputs({ exportStack: async () => ({ version: 3, deployment: {} }) } as never)).toEqual({})
  })
})
