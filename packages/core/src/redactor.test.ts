import { randomBytes } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { assertNoCanary, canary } from '../../../test/canary/index.js'
import { SecretRedactor } from './redactor.js'

const ADVERSARIAL = `"q'\\b%+/=& é✓😀\n`

describe('SecretRedactor', () => {
  it('replaces raw, JSON-escaped and URL-encoded forms', () => {
    const value = canary('red', ADVERSARIAL)
    const r = new SecretRedactor()
    r.add(value, 'db/password')
    const lines = [
      `plain ${value} text`,
      JSON.stringify({ msg: `connecting with ${value}` }),
      JSON.stringify(JSON.stringify({ nested: value })),
      `postgres://app:${encodeURIComponent(value)}@db/app`,
      `a=1&password=${new URLSearchParams({ p: value }).toString().slice(2)}`,
    ]
    for (const line of lines) {
      const out = r.redact(line)
      assertNoCanary(out)
      expect(out).toContain('[REDACTED]')
      expect(r.contains(line)).toBe(true)
    }
  })

  it('returns the same string when nothing matches', () => {
    const r = new SecretRedactor()
    r.add(canary('none'))
    const line = '{"level":30,"msg":"hello world"}'
    expect(r.redact(line)).toBe(line)
    expect(r.contains(line)).toBe(false)
  })

  it('finds values at every offset, overlapping and adjacent', () => {
    const a = 'abcdef123'
    const b = 'def123xyz'
    const r = new SecretRedactor()
    r.add(a)
    r.add(b)
    for (let pad = 0; pad < 8; pad++) {
      const prefix = '.'.repeat(pad)
      expect(r.redact(`${prefix}${a}`)).toBe(`${prefix}[REDACTED]`)
      expect(r.redact(`${prefix}${a}${a}`)).toBe(`${prefix}[REDACTED][REDACTED]`)
    }
    expect(r.redact('abcdef123xyz')).toBe('[REDACTED]')
  })

  it('keeps scrubbing a rotated-out value for the retention window, then forgets it', () => {
    let now = 0
    const r = new SecretRedactor({ retention: 1_000, clock: () => now })
    const old = canary('old')
    r.add(old)
    r.add(canary('new'))
    r.retire(old)
    now = 999
    expect(r.contains(old)).toBe(true)
    now = 1_000
    r.prune()
    expect(r.contains(old)).toBe(false)
    expect(r.size).toBe(1)
  })

  it('does not scrub values shorter than minLength and reports each once without the value', () => {
    const warn = vi.fn()
    const r = new SecretRedactor({ minLength: 6, logger: { warn } })
    r.add('abc', 'short/one')
    r.add('abc', 'short/one')
    expect(r.redact('abc abc')).toBe('abc abc')
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]?.[0]).toContain('short/one')
    expect(JSON.stringify(warn.mock.calls)).not.toContain('"abc"')
  })

  it('handles 1,000 values and matches each of them', () => {
    const r = new SecretRedactor()
    const values = Array.from({ length: 1_000 }, () => randomBytes(12).toString('base64url'))
    for (const v of values) r.add(v)
    for (const v of values.slice(0, 50))
      expect(r.redact(`{"msg":"x ${v} y"}`)).toBe('{"msg":"x [REDACTED] y"}')
  })

  it('keeps scrubbing other values when one holds a lone surrogate', () => {
    const r = new SecretRedactor()
    const a = canary('alpha')
    r.add(a)
    expect(r.redact(a)).toBe('[REDACTED]')
    r.add(`bravo-\ud83d-${canary('b')}`)
    const c = canary('charlie')
    r.add(c)
    expect(r.redact(`x ${c} y`)).toBe('x [REDACTED] y')
    expect(r.contains(c)).toBe(true)
  })

  it('finds lowercase percent-encoding and the way new URL() writes a password', () => {
    const value = canary('url', ' &+$,/:;=?@')
    const r = new SecretRedactor()
    r.add(value)
    const url = new URL('postgres://db.internal/app')
    url.password = value
    url.username = 'app'
    assertNoCanary(r.redact(url.href))
    assertNoCanary(r.redact(encodeURIComponent(value).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())))
  })

  it('narrows its stride when a shorter value arrives later', () => {
    const r = new SecretRedactor()
    r.add('a-rather-long-secret-value-0123456789')
    expect(r.redact('..a-rather-long-secret-value-0123456789..')).toBe('..[REDACTED]..')
    r.add('short7x')
    for (let pad = 0; pad < 20; pad++)
      expect(r.redact(`${'.'.repeat(pad)}short7x`)).toBe(`${'.'.repeat(pad)}[REDACTED]`)
    expect(r.redact('..a-rather-long-secret-value-0123456789..')).toBe('..[REDACTED]..')
  })
})
