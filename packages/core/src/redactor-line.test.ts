import { assertNoCanary, canary, seededRandom } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { SecretRedactor } from './redactor.js'
import { createLineScrubber, editJsonLine, type LineKeyPolicy } from './redactor-line.js'

const R = '[REDACTED]'
const WORDS = ['token', 'secret', 'session', 'signature', 'password']

/** The policy `@latchkey/pino` uses, reduced: credential words anywhere in a key, `"pwd":` exactly. */
const policy: LineKeyPolicy = {
  watch: [...WORDS, '"pwd":'],
  censor: R,
  isSensitiveKey: (key) =>
    key.toLowerCase() === 'pwd' || WORDS.some((word) => key.toLowerCase().includes(word)),
}

function scrubberWith(...values: string[]): (line: string) => string {
  const redactor = new SecretRedactor()
  for (const value of values) redactor.add(value)
  return createLineScrubber({ redactors: [redactor], keys: policy })
}

/**
 * The fastest of `rounds` runs of `run`, in ms: on a shared machine other work only ever adds
 * time, so the minimum is the figure least disturbed by it.
 */
function timeOf(run: () => unknown, rounds = 7): number {
  const samples: number[] = []
  for (let i = 0; i < rounds; i++) {
    const start = performance.now()
    run()
    samples.push(performance.now() - start)
  }
  return Math.min(...samples)
}

describe('JSON stays JSON', () => {
  it('censors a value inside a longer number as the whole number, in quotes', () => {
    const scrub = scrubberWith('482913')
    const line = '{"amount":9148291377,"list":[1,482913,2],"n":482913}\n'
    expect(JSON.parse(scrub(line))).toEqual({ amount: R, list: [1, R, 2], n: R })
  })

  it('replaces a value inside a string where it stands, widened so no escape sequence is cut', () => {
    const secret = canary('esc')
    const scrub = scrubberWith(`${secret}\\`, `n${secret}`)
    for (const text of [`a ${secret}\\ b`, `x\n${secret} y`, `"${secret}\\"`]) {
      const line = `${JSON.stringify({ msg: text, level: 30 })}\n`
      const out = scrub(line)
      expect(() => JSON.parse(out)).not.toThrow()
      assertNoCanary(out, 'the scrubbed line')
      expect(JSON.parse(out).level).toBe(30)
    }
    const out = scrub(`${JSON.stringify({ msg: `plain ${secret}\\ end` })}\n`)
    expect(JSON.parse(out)).toEqual({ msg: `plain ${R} end` })
  })

  it('censors every token a match crosses, so a raw value spanning tokens cannot survive', () => {
    const scrub = scrubberWith('ab","c":"de')
    const out = scrub('{"x":"ab","c":"de","y":1}\n')
    expect(JSON.parse(out)).toEqual({ x: R, [R]: R, y: 1 })
  })

  it('replaces matches where they stand in a line that is not JSON', () => {
    const secret = canary('plain')
    expect(scrubberWith(secret)(`note ${secret} and ${secret}\n`)).toBe(`note ${R} and ${R}\n`)
  })
})

describe('sensitive keys, in the same pass', () => {
  it('censors a string, and every string inside an object or array, keeping keys, numbers, booleans and null', () => {
    const scrub = scrubberWith()
    const line = `${JSON.stringify({
      level: 30,
      userToken: 'abc',
      pwd: 'p',
      clientSecret: { a: 'x', b: [1, 'y', true, null, { c: 'z' }] },
      msg: 'token password secret',
      secretName: 'not censored? (the policy decides)',
    })}\n`
    expect(JSON.parse(scrub(line))).toEqual({
      level: 30,
      userToken: R,
      pwd: R,
      clientSecret: { a: R, b: [1, R, true, null, { c: R }] },
      msg: 'token password secret',
      secretName: R,
    })
  })

  it('leaves words in values and in escaped keys alone', () => {
    const scrub = scrubberWith()
    const line = `${JSON.stringify({ msg: '{"password":"x"}', note: 'token' })}\n`
    expect(scrub(line)).toBe(line)
  })

  it('censors a registered value in a number inside a censored container', () => {
    const scrub = scrubberWith('777123')
    const out = scrub('{"secrets":{"pin":777123,"n":5,"s":"v"}}\n')
    expect(JSON.parse(out)).toEqual({ secrets: { pin: R, n: 5, s: R } })
  })

  it('still finds a sensitive key after a string full of key words and escaped quotes', () => {
    const scrub = scrubberWith()
    for (const soup of ['token '.repeat(5_000), 'token\\"'.repeat(5_000), '\\\\"token'.repeat(3_000)]) {
      const line = `${JSON.stringify({ msg: soup, 'a"token': 'x', userPassword: 'y', n: 1 })}\n`
      expect(JSON.parse(scrub(line)), soup.slice(0, 12)).toEqual({
        msg: soup,
        'a"token': R,
        userPassword: R,
        n: 1,
      })
    }
  })

  it('censors key words and values found in the same line, at every offset and in any letter case', () => {
    const secret = canary('both')
    const scrub = scrubberWith(secret)
    for (const word of ['token', 'password', 'pwd']) {
      for (const spelling of [word, word.toUpperCase(), word.charAt(0).toUpperCase() + word.slice(1)]) {
        for (let pad = 0; pad < 10; pad++) {
          const key = word === 'pwd' ? spelling : `${'a'.repeat(pad)}${spelling}`
          const line = `{"${'n'.repeat(pad)}":"${secret}","${key}":"plain","m":"${'.'.repeat(pad)}"}\n`
          const out = scrub(line)
          assertNoCanary(out)
          expect(JSON.parse(out), `${key} after ${pad}`).toEqual({
            ['n'.repeat(pad)]: R,
            [key]: R,
            m: '.'.repeat(pad),
          })
        }
      }
    }
  })

  it('returns a clean line itself, and still censors keys after every value is cleared', () => {
    const redactor = new SecretRedactor()
    const secret = canary('cleared')
    redactor.add(secret)
    const scrub = createLineScrubber({ redactors: [redactor], keys: policy })
    const clean = '{"level":30,"msg":"hello world"}\n'
    expect(scrub(clean)).toBe(clean)
    redactor.clear()
    expect(JSON.parse(scrub(`{"clientSecret":"x","v":"${secret}"}`))).toEqual({ clientSecret: R, v: secret })
  })

  it('with no redactor censors keys only, and with neither redactor nor keys returns every line as it is', () => {
    const keysOnly = createLineScrubber({ redactors: [], keys: policy })
    expect(JSON.parse(keysOnly('{"Token":"a","b":"token","c":{"pwd":["x",1]}}'))).toEqual({
      Token: R,
      b: 'token',
      c: { pwd: [R, 1] },
    })
    const nothing = createLineScrubber({ redactors: [] })
    const line = '{"token":"a"}\n'
    expect(nothing(line)).toBe(line)
  })

  it('finds watched texts outside ASCII too (an exact key such as straße), in any letter case', () => {
    const own: LineKeyPolicy = {
      watch: ['"straße":'],
      censor: '***',
      isSensitiveKey: (key) => key.toLowerCase() === 'straße',
    }
    const scrub = createLineScrubber({ redactors: [new SecretRedactor()], keys: own })
    expect(JSON.parse(scrub('{"STRAßE":"a","b":"straße"}\n'))).toEqual({ STRAßE: '***', b: 'straße' })
  })
})

/** Hostile pieces of log text: each may hold a registered value in some form, or only look like one. */
function hostile(g: ReturnType<typeof seededRandom>, values: readonly string[]): string {
  const value = g.pick(values)
  switch (g.int(10)) {
    case 0:
      return value
    case 1:
      return `before ${value} after`
    case 2:
      return encodeURIComponent(value)
    case 3:
      return 'token '.repeat(g.int(50))
    case 4:
      return '"\\'.repeat(g.int(40))
    case 5:
      return '%'.repeat(g.int(60)) + value
    case 6:
      // near misses: the value without its first character (its prefixes hold the canary mark)
      return value.slice(1).repeat(g.int(8))
    case 7:
      return JSON.stringify({ password: value, inner: `x${value}` })
    case 8:
      return `\\u00e9\\n${value}\\`
    default:
      return `${value}${value}`
  }
}

describe('an adversarial property test (seeded)', () => {
  it('scrubs every registered value from 1,500 hostile lines, keeps each JSON, and stays linear', () => {
    const values = Array.from({ length: 40 }, (_, i) => canary(`adv${i}`, i % 3 === 0 ? ' "/+=%\\' : ''))
    const scrub = scrubberWith(...values, '91827364')
    for (let seed = 1; seed <= 1_500; seed++) {
      const g = seededRandom(seed)
      const object: Record<string, unknown> = { level: 30, time: 1_764_390_000_000 }
      for (let i = g.int(10); i >= 0; i--) {
        const key = g.pick(['msg', 'url', 'apiToken', 'data', 'pwd', 'note', 'list', 'n'])
        object[key] =
          key === 'list'
            ? [hostile(g, values), g.int(2) === 0 ? 91827364 : 5, { secret: hostile(g, values) }]
            : key === 'n'
              ? Number(`1${g.int(10)}91827364${g.int(10)}`)
              : hostile(g, values)
      }
      const line = `${JSON.stringify(object)}\n`
      const out = scrub(line)
      let parsed: unknown
      expect(() => {
        parsed = JSON.parse(out)
      }, `seed ${seed}`).not.toThrow()
      expect(parsed).toBeTypeOf('object')
      assertNoCanary(out, `the scrubbed line of seed ${seed}`)
      expect(out.includes('91827364'), `seed ${seed}`).toBe(false)
    }
  })

  it('costs time linear in the line: ten times the line costs at most 25× (quadratic would be 100×)', () => {
    const values = Array.from({ length: 1_000 }, (_, i) => canary(`lin${i}`))
    const nearMiss = 'Zq9-near-miss-value-7f3a'
    const scrub = scrubberWith(...values, nearMiss, '91827364')
    const soups: Array<(n: number) => string> = [
      (n) => 'token '.repeat(n / 6),
      (n) => 'password'.repeat(n / 8),
      (n) => '%'.repeat(n),
      (n) => '\\"'.repeat(n / 2),
      (n) => (values[0] as string).slice(1).repeat(n / 20),
      (n) => nearMiss.slice(0, -1).repeat(n / 20),
      (n) =>
        values
          .join(' ')
          .repeat(1 + n / 20_000)
          .slice(0, n),
    ]
    const lines: Array<(n: number) => string> = [
      ...soups.map((soup) => (n: number) => `${JSON.stringify({ level: 30, msg: soup(n) })}\n`),
      // registered numbers, no quote after them: each hit outside strings
      (n) => `{"level":30,"list":[${Array.from({ length: n / 9 }, () => '91827364').join(',')}]}\n`,
    ]
    for (const soup of lines) {
      const small = soup(10_000)
      const large = soup(100_000)
      scrub(small)
      scrub(large)
      const ratio = timeOf(() => scrub(large), 9) / timeOf(() => scrub(small), 9)
      expect(ratio, soup(40).slice(0, 60)).toBeLessThan(25)
      const out = scrub(large)
      expect(() => JSON.parse(out)).not.toThrow()
      assertNoCanary(out, 'the scrubbed soup')
      expect(out.includes(nearMiss)).toBe(false)
      expect(out.includes('91827364')).toBe(false)
    }
  })

  it('costs less than 8 JSON.stringify of the same object on a 100 KB line of key words', () => {
    const scrub = scrubberWith(canary('cost'))
    const object = { level: 30, msg: 'token '.repeat(17_000), password: 'x' }
    const line = `${JSON.stringify(object)}\n`
    scrub(line)
    const ratio = timeOf(() => scrub(line)) / timeOf(() => JSON.stringify(object))
    expect(ratio).toBeLessThan(8)
  })
})

describe('editJsonLine', () => {
  it('returns the line itself when nothing needs an edit', () => {
    const line = '{"a":"token","b":1}\n'
    expect(editJsonLine(line, [6, 11], [], policy, R)).toBe(line)
  })
})
