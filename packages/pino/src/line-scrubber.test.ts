import { SecretRedactor } from '@latchkey/core'
import { seededRandom } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { DEFAULT_REDACT_KEYS } from './key-censor.js'
import { createLineKeyRules } from './line-key-censor.js'
import { createLineScrubber } from './line-scrubber.js'

const R = '[REDACTED]'

const SECRETS = ['s3cr3t-Value-0001', 'another/secret+value=', 'pw with spaces & "quotes"', '482913']
const KEY_PARTS = ['', 'x', 'user', 'access', 'Client', 'my-', 'data_', 'id', 'Ref', 'count', 's']
const WORDS = [
  'token',
  'Token',
  'TOKEN',
  'secret',
  'Secret',
  'session',
  'SESSION',
  'signature',
  'password',
  'Password',
]
const EXACT = [
  'pwd',
  'PWD',
  'passwd',
  'apiKey',
  'API_KEY',
  'private_key',
  'authorization',
  'Cookie',
  'set-cookie',
  'x-api-key',
]
const PLAIN = ['level', 'msg', 'name', 'secretName', 'tokens2', 'url', 'host', 'version', 'tok', 'sess']

function key(g: ReturnType<typeof seededRandom>): string {
  switch (g.int(4)) {
    case 0:
      return g.pick(PLAIN)
    case 1:
      return g.pick(EXACT)
    default:
      return g.pick(KEY_PARTS) + g.pick(WORDS) + g.pick(KEY_PARTS)
  }
}

function value(g: ReturnType<typeof seededRandom>, depth: number): unknown {
  switch (g.int(depth > 2 ? 6 : 9)) {
    case 0:
      return g.pick(SECRETS)
    case 1:
      return `before ${g.pick(SECRETS)} after`
    case 2:
      return Number(SECRETS[3])
    case 3:
      return g.int(2) === 0
    case 4:
      return null
    case 5:
      return g.pick(['plain', 'a "quoted" \\ text', 'ünïcode ✓ 😀', '', 'token', '{"password":"x"}'])
    case 6:
      return Array.from({ length: g.int(4) }, () => value(g, depth + 1))
    default: {
      const object: Record<string, unknown> = {}
      for (let i = g.int(5); i >= 0; i--) object[key(g)] = value(g, depth + 1)
      return object
    }
  }
}

/**
 * The oracle, written the slow and obvious way: a replacement that stands where a JSON value goes
 * (a secret logged as a number) is put in quotes.
 */
function quoteBareReplacements(line: string, replacement: string): string {
  let out = ''
  let inString = false
  for (let i = 0; i < line.length; i++) {
    if (!inString && line.startsWith(replacement, i)) {
      out += JSON.stringify(replacement)
      i += replacement.length - 1
      continue
    }
    const code = line.charCodeAt(i)
    out += line[i]
    if (code === 92 && inString) out += line[++i] ?? ''
    else if (code === 34) inString = !inString
  }
  return out
}

/** What the scrubber did before it had one pass: censor keys in the line, then scrub values. */
function twoPasses(redactor: SecretRedactor, line: string): string {
  const censored = createLineKeyRules(DEFAULT_REDACT_KEYS, R).censorLine(line)
  const out = redactor.redact(censored)
  return out === censored ? out : quoteBareReplacements(out, R)
}

describe('createLineScrubber', () => {
  it('gives, in one pass, exactly what censoring keys and then scrubbing values gives (2,000 random lines)', () => {
    const redactor = new SecretRedactor()
    for (const secret of SECRETS) redactor.add(secret)
    const scrub = createLineScrubber([redactor], createLineKeyRules(DEFAULT_REDACT_KEYS, R))
    let changed = 0
    for (let seed = 1; seed <= 2_000; seed++) {
      const g = seededRandom(seed)
      const object: Record<string, unknown> = { level: 30, time: 1_764_390_000_000 }
      for (let i = g.int(8); i >= 0; i--) object[key(g)] = value(g, 0)
      const line = `${JSON.stringify(object)}\n`
      const expected = twoPasses(redactor, line)
      const actual = scrub(line)
      if (actual !== expected) expect({ seed, line, actual }).toEqual({ seed, line, actual: expected })
      if (actual !== line) changed++
    }
    // the generator is not degenerate: most lines have something to censor or scrub
    expect(changed).toBeGreaterThan(1_000)
  })

  it('censors a credential key in any letter case wherever its word stands in the key', () => {
    const scrub = createLineScrubber([new SecretRedactor()], createLineKeyRules([], R))
    for (const word of ['token', 'secret', 'session', 'signature', 'password']) {
      for (const spelling of [word, word.toUpperCase(), word[0]?.toUpperCase() + word.slice(1)]) {
        for (const [before, after] of [
          ['', ''],
          ['x', ''],
          ['', 'Id'],
          ['my-', '-2'],
          ['a', 'b'],
        ]) {
          const line = `{"level":30,"${before}${spelling}${after}":"v","n":1}\n`
          expect(scrub(line)).toBe(`{"level":30,"${before}${spelling}${after}":"${R}","n":1}\n`)
        }
      }
    }
  })

  it('censors an exact key outside ASCII in any letter case, as the key censor alone does', () => {
    const redactor = new SecretRedactor()
    const keys = ['Straße', 'ÄÖ']
    const scrub = createLineScrubber([redactor], createLineKeyRules(keys, R))
    const line = `${JSON.stringify({ Straße: 'a', straße: 'b', ÄÖ: 'c', äö: 'd', Strasse: 'e' })}\n`
    expect(scrub(line)).toBe(createLineKeyRules(keys, R).censorLine(line))
    expect(JSON.parse(scrub(line))).toEqual({ Straße: R, straße: R, ÄÖ: R, äö: R, Strasse: 'e' })
  })

  it('refuses a redactor that is not a SecretRedactor of this release (no fallback for older cores)', () => {
    const inner = new SecretRedactor()
    const legacy = { redact: (text: string) => inner.redact(text), replacement: inner.replacement }
    expect(() => createLineScrubber([legacy as never], createLineKeyRules(DEFAULT_REDACT_KEYS, R))).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_INVALID_OPTIONS' }),
    )
  })

  it('withholds the line, and every later one, when scrubbing throws', () => {
    const broken = new SecretRedactor()
    const scan = Symbol.for('@latchkey/core.redactor.lineScan.v1')
    Object.defineProperty(broken, scan, {
      value: () => ({
        findValues: () => {
          throw new Error('boom')
        },
      }),
    })
    const scrub = createLineScrubber([broken], createLineKeyRules([], R))
    for (const line of ['{"a":1}\n', '{"b":2}\n']) {
      const out = scrub(line)
      expect(JSON.parse(out).msg).toBe('latchkey: log line withheld because secret scrubbing failed')
    }
  })
})
