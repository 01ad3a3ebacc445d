import { canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { partsOf, patternsFor } from './patterns.js'

/** What real encoders write: scan must look for each (the contract with the scrubber's encodedForms). */
function realEncodings(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1)
  const component = encodeURIComponent(value)
  const strict = component.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  const lower = (s: string) => s.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())
  const form = new URLSearchParams({ v: value }).toString().slice(2)
  return [
    value,
    json,
    JSON.stringify(json).slice(1, -1),
    component,
    strict,
    component.replace(/%20/g, '+'),
    form,
    lower(component),
    lower(form),
  ]
}

describe('scan patterns', () => {
  it('cover every encoding a real client writes, each text once', () => {
    const value = canary('forms', ` "q" \\ &=+/?#%ü€😀'()*!~`)
    const { patterns } = patternsFor('s', value, 'current', new Set())
    const texts = patterns.map((p) => Buffer.from(p.bytes).toString('utf8'))
    for (const encoded of realEncodings(value)) expect(texts).toContain(encoded)
    expect(new Set(texts).size).toBe(texts.length)
  })

  it('include the string and number fields of a JSON value, and skip values under 6 characters', () => {
    const password = canary('pw')
    expect(partsOf(JSON.stringify({ username: 'app', password, port: 5432123, nested: { x: 1 } }))).toEqual([
      JSON.stringify({ username: 'app', password, port: 5432123, nested: { x: 1 } }),
      'app',
      password,
      '5432123',
    ])
    expect(patternsFor('short', 'abc', 'current', new Set())).toEqual({ patterns: [], tooShort: true })
  })
})
