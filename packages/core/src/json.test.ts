import { describe, expect, it } from 'vitest'
import { ErrorCode } from './errors.js'
import { parseSecretJson, selectField } from './json.js'
import { jsonErrorPosition } from './json-position.js'

describe('jsonErrorPosition', () => {
  it('returns undefined for valid JSON, agreeing with JSON.parse', () => {
    for (const ok of [
      '{}',
      '[]',
      ' {"a":[1,-2.5e3,true,false,null,"x\\n\\u00e9"]} ',
      '"s"',
      '0',
      '{"a":{"b":{}}}',
    ]) {
      expect(JSON.parse(ok)).toBeDefined()
      expect(jsonErrorPosition(ok)).toBeUndefined()
    }
  })

  it('points at the first bad character', () => {
    expect(jsonErrorPosition('abc')).toBe(0)
    expect(jsonErrorPosition('nul')).toBe(3)
    expect(jsonErrorPosition('tru e')).toBe(3)
    expect(jsonErrorPosition('{"a": 1,}')).toBe(8)
    expect(jsonErrorPosition('{"a" 1}')).toBe(5)
    expect(jsonErrorPosition('[1, 2')).toBe(5)
    expect(jsonErrorPosition('{"a": "unterminated')).toBe(19)
    expect(jsonErrorPosition('{} x')).toBe(3)
    expect(jsonErrorPosition('')).toBe(0)
  })
})

describe('parseSecretJson', () => {
  it('reports the real position and never the text or its length', () => {
    const text = 'not-json-but-a-long-password-value'
    const error = (() => {
      try {
        parseSecretJson(text, { secretName: 'x' })
      } catch (e) {
        return e as Error & { code: string; position: number }
      }
    })()
    expect(error?.code).toBe(ErrorCode.INVALID_JSON)
    expect(error?.position).toBe(1)
    expect(error?.message).not.toContain(text)
    expect(error?.message).not.toContain(String(text.length))
  })

  it('selectField rejects non-objects and missing fields by name', () => {
    expect(() => selectField([1], 'a', {})).toThrow(/not a JSON object/)
    expect(() => selectField({ b: 1 }, 'a', {})).toThrow(expect.objectContaining({ field: 'a' }))
    expect(selectField({ a: { n: 1 } }, 'a', {})).toBe('{"n":1}')
  })
})
