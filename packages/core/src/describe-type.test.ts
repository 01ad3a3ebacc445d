import { describe, expect, it } from 'vitest'
import { describeType, describeValue } from './describe-type.js'

describe('describeType', () => {
  it('names null, arrays and every typeof kind, never the value', () => {
    const cases: [unknown, string][] = [
      [null, 'null'],
      [[1, 2], 'array'],
      [{}, 'object'],
      ['hunter2-like text', 'string'],
      [42, 'number'],
      [undefined, 'undefined'],
      [() => 1, 'function'],
      [Symbol('s'), 'symbol'],
      [10n, 'bigint'],
    ]
    for (const [value, kind] of cases) expect(describeType(value)).toBe(kind)
  })
})

describe('describeValue', () => {
  it('echoes numbers only: strings, objects and arrays are named by type', () => {
    expect(describeValue(-1)).toBe('number -1')
    expect(describeValue(Number.NaN)).toBe('number NaN')
    expect(describeValue('some text')).toBe('string')
    expect(describeValue(null)).toBe('null')
    expect(describeValue([1])).toBe('array')
  })
})
