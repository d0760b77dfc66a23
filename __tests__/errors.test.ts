import { describe, expect, it } from '@jest/globals'
import { InputError, UserError } from '../src/errors.js'

describe('errors', () => {
  it('InputError names the input and is a UserError', () => {
    const e = new InputError('sku', 'must be one of Standard_LRS')
    expect(e).toBeInstanceOf(UserError)
    expect(e.message).toBe("Input 'sku': must be one of Standard_LRS")
    expect(e.input).toBe('sku')
  })
})
