import { randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { describe, expect, it, vi } from 'vitest'
import { SecretRedactor, sharedRedactor } from './redactor.js'
import { formsOf } from './redactor-forms.js'
import { PatternIndex } from './redactor-index.js'
import { lineScanOf } from './redactor-scan.js'

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

  it('finds every form of every value while its index grows through many sizes, and none it forgot', () => {
    let now = 0
    const r = new SecretRedactor({ retention: 10, clock: () => now })
    const values = Array.from({ length: 40_000 }, (_, i) =>
      i % 4 === 0
        ? `${randomBytes(6).toString('hex')}`
        : randomBytes(24)
            .toString('base64')
            .slice(0, 14 + (i % 19)),
    )
    const gone: string[] = []
    for (let i = 0; i < values.length; i++) {
      r.add(values[i] as string)
      if (i % 5 === 4) {
        const value = values[i - 2] as string
        r.release(value)
        gone.push(value)
      }
    }
    now = 100
    while (r.retired > 0) r.prune()
    const forgotten = new Set(gone)
    for (const value of values.slice(0, 4_000)) {
      const line = `{"msg":"a ${value} b","url":"https://x.test/?k=${encodeURIComponent(value)}&z=1"}`
      if (forgotten.has(value)) expect(r.redact(line)).toBe(line)
      else expect(r.redact(line)).toBe('{"msg":"a [REDACTED] b","url":"https://x.test/?k=[REDACTED]&z=1"}')
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
    r.release(old)
    now = 999
    expect(r.contains(old)).toBe(true)
    now = 1_000
    r.prune()
    expect(r.contains(old)).toBe(false)
    expect(r.size).toBe(1)
  })

  it('scrubs values shorter than minLength only where they stand whole, reporting each label once without the value', () => {
    const warn = vi.fn()
    const r = new SecretRedactor({ minLength: 6, logger: { warn } })
    r.add('q7Z!k', 'short/one')
    r.add('q7Z!k', 'short/one')
    expect(r.redact('aq7Z!kb q7Z!k')).toBe('aq7Z!kb q7Z!k')
    expect(r.redact('{"pin":"q7Z!k","x-h":"q7Z!k"}')).toBe('{"pin":"[REDACTED]","x-h":"[REDACTED]"}')
    expect(r.redact(JSON.stringify(JSON.stringify({ pin: 'q7Z!k' })))).toBe('"{\\"pin\\":\\"[REDACTED]\\"}"')
    expect(r.redact('postgres://app:q7Z!k@db/app')).toBe('postgres://app:[REDACTED]@db/app')
    expect(r.redact(`postgres://app:${encodeURIComponent('q7Z!k')}@db/app`)).toBe(
      'postgres://app:[REDACTED]@db/app',
    )
    expect(r.redact('postgres://app:q7Z%21k@db/app')).toBe('postgres://app:[REDACTED]@db/app')
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]?.[0]).toContain('short/one')
    expect(JSON.stringify(warn.mock.calls)).not.toContain('q7Z')
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

  it('finds every URL and form encoding real clients write', () => {
    const value = canary('forms', " !'()*~ é+&=/")
    const r = new SecretRedactor()
    r.add(value)
    const strict = encodeURIComponent(value).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    )
    const query = new URL('http://h/')
    query.search = `p=${value}`
    const forms = {
      encodeURIComponent: encodeURIComponent(value),
      urlSearchParams: new URLSearchParams({ p: value }).toString().slice(2),
      urlQuery: query.search.slice(3),
      rfc3986: strict,
      rfc3986Lower: strict.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
      quotePlus: strict.replace(/%20/g, '+'),
    }
    const twice = r.redact(JSON.stringify({ line: JSON.stringify({ password: value }) }))
    expect(twice).toBe('{"line":"{\\"password\\":\\"[REDACTED]\\"}"}')
    for (const [name, form] of Object.entries(forms)) {
      const out = r.redact(`GET /login?user=app&password=${form}&next=1 HTTP/1.1`)
      expect(out, name).toBe('GET /login?user=app&password=[REDACTED]&next=1 HTTP/1.1')
      assertNoCanary(out, name)
    }
  })

  it('keeps a value scrubbed while any holder has it; retention starts when the last one lets go', () => {
    let now = 0
    const r = new SecretRedactor({ retention: 1_000, clock: () => now })
    const shared = canary('shared')
    r.add(shared, 'a')
    r.add(shared, 'b')
    r.release(shared)
    now = 5_000
    r.prune()
    expect(r.contains(`x ${shared} y`)).toBe(true)
    r.release(shared)
    expect(r.retired).toBe(1)
    now = 5_999
    r.prune()
    expect(r.contains(shared)).toBe(true)
    now = 6_000
    r.prune()
    expect(r.contains(shared)).toBe(false)
    expect(r.size).toBe(0)
    r.release(shared)
    expect(r.size).toBe(0)
  })

  it('takes a value back from retention when a holder adds it again', () => {
    let now = 0
    const r = new SecretRedactor({ retention: 10, clock: () => now })
    const value = canary('back')
    r.add(value)
    r.release(value)
    r.add(value)
    now = 1_000
    r.prune()
    expect(r.contains(value)).toBe(true)
    expect(r.retired).toBe(0)
  })

  it('bounds retained values: beyond maxRetired the oldest are forgotten first', () => {
    const r = new SecretRedactor({ maxRetired: 3 })
    const values = Array.from({ length: 5 }, (_, i) => canary(`old${i}`))
    for (const v of values) {
      r.add(v)
      r.release(v)
    }
    r.prune()
    expect(r.retired).toBe(3)
    expect(values.map((v) => r.contains(v))).toEqual([false, false, true, true, true])
  })

  it('a prune unlinks about 512 window links at most: values of many forms are forgotten a few per call', () => {
    let now = 0
    const r = new SecretRedactor({ retention: 10, clock: () => now })
    // short runs between `+/= "\\`: a dozen forms (URL encodings, both hex cases, JSON escapes)
    // that share no run of 15 characters, so each form is linked on its own
    const values = Array.from({ length: 200 }, () =>
      ['+', '/', '=', ' ', '"', '\\'].map((special) => randomBytes(3).toString('hex') + special).join(''),
    )
    const probe = new PatternIndex()
    probe.insertAll(formsOf(values[0] as string))
    const linksPerValue = probe.shape.links
    expect(linksPerValue).toBeGreaterThan(64)
    for (const v of values) r.add(v)
    for (const v of values) r.release(v)
    now = 11
    r.prune()
    const forgotten = values.length - r.size
    expect(forgotten).toBeGreaterThan(0)
    // stops once 512 links are unlinked: the value that crossed it is the last of the call
    expect(forgotten).toBeLessThanOrEqual(Math.ceil(512 / linksPerValue) + 1)
    let calls = 1
    while (r.size > 0 && calls < 1_000) {
      r.prune()
      calls++
    }
    expect(r.size).toBe(0)
    expect(calls).toBeGreaterThan(values.length / 64)
    for (const v of values) expect(r.contains(v)).toBe(false)
  })

  it('removes forgotten values from the index and reuses its room correctly', () => {
    let now = 0
    const r = new SecretRedactor({ retention: 0, clock: () => now })
    const values = Array.from({ length: 2_000 }, () => randomBytes(15).toString('base64url'))
    for (const v of values) r.add(v)
    for (const v of values.slice(0, 1_000)) r.release(v)
    now = 1
    for (let i = 0; i < 10; i++) r.prune()
    expect(r.size).toBe(1_000)
    for (const v of values.slice(0, 1_000)) expect(r.contains(`<${v}>`)).toBe(false)
    for (const v of values.slice(1_000)) expect(r.redact(`<${v}>`)).toBe('<[REDACTED]>')
    const fresh = Array.from({ length: 1_000 }, () => randomBytes(15).toString('base64url'))
    for (const v of fresh) r.add(v)
    for (const v of [...values.slice(1_000), ...fresh]) expect(r.redact(`..${v}`)).toBe('..[REDACTED]')
  })

  it('tells prefix-sharing values apart and leaves a foreign token of the same shape alone', () => {
    const r = new SecretRedactor()
    const header = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')
    const jwt = () =>
      `${header}.${Buffer.from(JSON.stringify({ sub: randomBytes(8).toString('hex') })).toString('base64url')}.${randomBytes(32).toString('base64url')}`
    const known = Array.from({ length: 1_000 }, jwt)
    for (const v of known) r.add(v)
    const foreign = jwt()
    const line = `{"msg":"call","auth":"Bearer ${foreign}"}`
    expect(r.redact(line)).toBe(line)
    for (const v of known.slice(0, 100)) expect(r.redact(`Bearer ${v}"`)).toBe('Bearer [REDACTED]"')
  })

  it('finds values whose encoded forms share escapes (%2F, %2B) with thousands of others', () => {
    const r = new SecretRedactor()
    const values = Array.from({ length: 3_000 }, () =>
      randomBytes(18).toString('base64').replace(/[A-F]/g, '/').replace(/[G-K]/g, '+'),
    )
    for (const v of values) r.add(v)
    for (const v of values.slice(0, 300)) {
      expect(r.redact(`?p=${encodeURIComponent(v)}&x=1`)).toBe('?p=[REDACTED]&x=1')
      expect(r.redact(`?p=${new URLSearchParams({ v }).toString().slice(2)}&x=1`)).toBe('?p=[REDACTED]&x=1')
    }
    const clean = `/a%2Fb%2Fc%2B%2F%2F%2B/${'%2F'.repeat(50)}`
    expect(r.redact(clean)).toBe(clean)
  })

  it('never shows its values when printed', () => {
    const r = new SecretRedactor()
    const value = canary('print')
    r.add(value)
    assertNoCanary(inspect(r, { depth: 10, showHidden: true }))
    assertNoCanary(JSON.stringify(r))
  })
})

describe('the line scan (lineScanOf: findValues)', () => {
  it('is reached only on a real SecretRedactor, and is not part of its public API', () => {
    for (const bad of [{}, null, { redact: () => '' }, 'redactor']) {
      expect(() => lineScanOf(bad)).toThrow(expect.objectContaining({ code: 'ERR_SECRET_INVALID_OPTIONS' }))
    }
    const r = new SecretRedactor() as unknown as Record<string, unknown>
    for (const name of ['find', 'findValues', 'watch', 'watchWords']) expect(r[name]).toBeUndefined()
    expect(Object.keys(lineScanOf(r))).toEqual(['findValues'])
  })

  it('finds values at every offset, after characters outside Latin-1 and in text longer than its scratch buffer', () => {
    const r = new SecretRedactor()
    const secret = canary('wide')
    r.add(secret)
    for (let pad = 0; pad < 10; pad++) {
      const text = `${'.'.repeat(pad)}"${secret}"`
      expect(lineScanOf(r).findValues(text)?.values).toContainEqual([pad + 1, pad + 1 + secret.length])
    }
    const wide = `{"note":"日本語 😀 ✓ ${secret}","PASSWORD":"x"}`
    expect(r.redact(wide)).toBe('{"note":"日本語 😀 ✓ [REDACTED]","PASSWORD":"x"}')
    const long = `${'x'.repeat(2_000_000)} ${secret} password"`
    expect(r.redact(long)).toBe(`${'x'.repeat(2_000_000)} [REDACTED] password"`)
    expect(lineScanOf(r).findValues('{"level":30,"msg":"hello world"}')).toBeUndefined()
    r.clear()
    expect(lineScanOf(r).findValues(long)).toBeUndefined()
  })
})

describe('SecretRedactor against a plain search', () => {
  /** A seeded generator, so a failing case can be replayed. */
  function generator(seed: number): (n: number) => number {
    let state = seed >>> 0
    return (n) => {
      state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0
      state = (state ^ (state >>> 12)) >>> 0
      return state % n
    }
  }
  const ALPHABET = [
    'a',
    'Z',
    '0',
    '-',
    '_',
    '"',
    '\\',
    '%',
    '+',
    '/',
    ' ',
    'é',
    'ÿ',
    'Ā',
    '✓',
    '日',
    '😀',
    'ā',
    'Ĭ',
  ]

  it('scrubs every raw occurrence of every value from text in any script (1,000 random texts)', () => {
    for (let seed = 1; seed <= 1_000; seed++) {
      const int = generator(seed)
      const text = (length: number) => Array.from({ length }, () => ALPHABET[int(ALPHABET.length)]).join('')
      const values = Array.from({ length: 1 + int(5) }, () => text(6 + int(20)))
      const r = new SecretRedactor()
      for (const value of values) r.add(value)
      let line = text(int(40))
      for (let i = int(4); i >= 0; i--) line += (values[int(values.length)] as string) + text(int(30))
      const out = r.redact(line)
      for (const value of values) {
        if (out.includes(value))
          expect({ seed, value, line, out }).toEqual({ seed, value, line, out: 'scrubbed' })
      }
    }
  })
})

describe('sharedRedactor', () => {
  it('is one instance per process, kept under a global symbol', () => {
    expect(sharedRedactor()).toBe(sharedRedactor())
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('@latchkey/core.sharedRedactor.v1')]).toBe(
      sharedRedactor(),
    )
  })
})
