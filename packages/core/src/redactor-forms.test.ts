import { describe, expect, it } from 'vitest'
import { formsOf, wholeFormsOf } from './redactor-forms.js'

/** Every printable ASCII character, controls, Latin-1, BMP and astral characters, and a lone surrogate. */
const SAMPLES = [
  Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join(''),
  '\t\n\r\u0000\u007f',
  'päss wörd é✓€😀',
  'x\ud83dy',
]

function userinfo(value: string): string {
  const url = new URL('http://host')
  url.password = value
  return url.password
}

function query(value: string): string {
  const url = new URL('http://host/')
  url.search = `v=${value}`
  return url.search.slice(3)
}

/** `encodeURIComponent(value)`, or `undefined` for a value it rejects (a lone surrogate). */
function wellFormedUri(value: string): string | undefined {
  try {
    return encodeURIComponent(value)
  } catch {
    return undefined
  }
}

const lower = (text: string) => text.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())
const strict = (text: string) =>
  text.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

describe('formsOf', () => {
  it.each(SAMPLES)('matches what the real encoders write (sample %#)', (value) => {
    const patterns = new Set(formsOf(value).map((form) => form.pattern))
    const expected = [
      value,
      JSON.stringify(value).slice(1, -1),
      JSON.stringify(JSON.stringify(value).slice(1, -1)).slice(1, -1),
      new URLSearchParams({ v: value }).toString().slice(2),
      userinfo(value),
      query(value),
    ]
    const uri = wellFormedUri(value)
    if (uri !== undefined) {
      expected.push(uri, lower(uri), strict(uri), lower(strict(uri)), strict(uri).replace(/%20/g, '+'))
    }
    for (const form of expected) expect(patterns.has(form), JSON.stringify(form)).toBe(true)
  })

  it('gives a value of unreserved characters one form', () => {
    expect(formsOf('Abc-123_x.y~z')).toEqual([{ pattern: 'Abc-123_x.y~z', keepStart: 0, keepEnd: 0 }])
  })
})

describe('wholeFormsOf', () => {
  it('frames a short value as a whole JSON string and as a URL password, keeping the frame', () => {
    const forms = wholeFormsOf("a'b")
    expect(forms).toContainEqual({ pattern: `"a'b"`, keepStart: 1, keepEnd: 1 })
    expect(forms).toContainEqual({ pattern: ":a'b@", keepStart: 1, keepEnd: 1 })
    expect(forms).toContainEqual({ pattern: ':a%27b@', keepStart: 1, keepEnd: 1 })
  })
})
