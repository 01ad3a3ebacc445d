import { describe, expect, it } from 'vitest'
import { describeOptionValue, describeType, describeValue } from './describe-type.js'

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

describe('describeOptionValue', () => {
  it('echoes a plain-text option quoted and cut, booleans and numbers with their value, the rest by type', () => {
    expect(describeOptionValue('localhost:4599', 60)).toBe('string "localhost:4599"')
    expect(describeOptionValue('x'.repeat(100), 40)).toBe(`string "${'x'.repeat(40)}"`)
    expect(describeOptionValue('a"b\n', 60)).toBe('string "a\\"b\\n"')
    expect(describeOptionValue(true, 60)).toBe('boolean true')
    expect(describeOptionValue(42, 60)).toBe('number 42')
    expect(describeOptionValue(null, 60)).toBe('null')
    expect(describeOptionValue([1], 60)).toBe('array')
    expect(describeOptionValue({ a: 1 }, 60)).toBe('object')
    expect(describeOptionValue(undefined, 60)).toBe('undefined')
  })
})
