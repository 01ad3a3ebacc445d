import { describe, expect, it } from 'vitest'
import { quoteBareReplacements } from './json-repair.js'

const R = '[REDACTED]'

describe('quoteBareReplacements', () => {
  it('quotes a replacement that stands where a JSON value goes', () => {
    const line = `{"pin":${R},"list":[1,${R}],"n":{"x":${R}}}\n`
    expect(JSON.parse(quoteBareReplacements(line, R))).toEqual({ pin: R, list: [1, R], n: { x: R } })
  })

  it('leaves replacements inside strings alone, escaped quotes included', () => {
    const line = `{"msg":"a:${R},b \\"${R}\\" ${R}}","dsn":"postgres://app:${R}@db"}\n`
    expect(quoteBareReplacements(line, R)).toBe(line)
  })

  it('returns lines that are not JSON objects as they are', () => {
    expect(quoteBareReplacements(`pin ${R}\n`, R)).toBe(`pin ${R}\n`)
  })
})
