// The owner record: programs add it to their outputs; every command refuses a stack recorded for another environment.
import { describe, expect, it } from '@jest/globals'
import { UserError } from '../../src/errors.js'
import { assertStackOwner, checkOwner, withOwnerRecord } from '../../src/engine/ownership.js'

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

  it('assertStackOwner reads the outputs first', async () => {
    await expect(assertStackOwner(async () => outputs('production'), owner, 's')).rejects.toThrow(UserError)
  })
})

describe('withOwnerRecord', () => {
  it('adds environment and project to the program\'s outputs, last', async () => {
    const program = withOwnerRecord(async () => ({ tableNames: ['t'], environment: 'spoof' }), owner)
    expect(await program()).toEqual({ tableNames: ['t'], environment: 'pr-1', project: 'event-store' })
  })
})
