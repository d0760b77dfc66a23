// code(): user text as one inline code span that survives any backticks.
import { describe, expect, it } from '@jest/globals'
import { code, codeCell } from '../../src/publish/markdown.js'

describe('code', () => {
  it.each([
    ['pr-42', '`pr-42`'],
    ['a`b', '``a`b``'],
    ['x``<img>```y', '````x``<img>```y````'],
    ['`lead', '`` `lead ``'],
    ['trail`', '`` trail` ``'],
    [' spaced ', '`  spaced  `'],
    ['line\nbreak', '`line break`'],
    ['', '` `']
  ])('%j -> %j', (text, expected) => {
    expect(code(text)).toBe(expected)
  })

  it('escapes pipes in table cells, and a backslash before a pipe cannot end the cell', () => {
    expect(codeCell('a|b')).toBe('`a\\|b`')
    expect(codeCell('a\\|b')).toBe('`a\u2216\\|b`')
  })
})
