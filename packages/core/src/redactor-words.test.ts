import { describe, expect, it } from 'vitest'
import { WordFinder } from './redactor-words.js'

/** The finder's flat pairs as `[start, end]` tuples. */
function spans(hits: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (let i = 0; i < hits.length; i += 2) out.push([hits[i] as number, hits[i + 1] as number])
  return out
}

const WORDS = ['token', 'secret', 'session', 'signature', 'password', '"pwd":', '"authorization":']

/** Every occurrence of each pattern, the slow and obvious way (case-insensitive, ASCII). */
function everyOccurrence(text: string, patterns: readonly string[]): Array<[number, number]> {
  const lower = text.replace(/[A-Z]/g, (c) => c.toLowerCase())
  const out: Array<[number, number]> = []
  for (const pattern of patterns) {
    for (let at = lower.indexOf(pattern); at !== -1; at = lower.indexOf(pattern, at + 1))
      out.push([at, at + pattern.length])
  }
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1])
}

describe('WordFinder', () => {
  it('finds each pattern at every alignment and in every letter case', () => {
    const finder = new WordFinder(WORDS)
    for (const word of WORDS) {
      const spellings = [word, word.toUpperCase(), word.replace(/^(.)/, (c) => c.toUpperCase())]
      for (const spelling of spellings) {
        for (let pad = 0; pad < 9; pad++) {
          const text = `${'x'.repeat(pad)}${spelling}${'y'.repeat(pad % 3)}`
          expect(spans(finder.find(text)), `${spelling} after ${pad}`).toEqual([[pad, pad + word.length]])
        }
      }
    }
  })

  it('finds short patterns too: the step shrinks to fit the shortest', () => {
    for (const pattern of ['"a":', 'abc', 'abcd']) {
      const finder = new WordFinder([pattern])
      for (let pad = 0; pad < 6; pad++) {
        const text = `${'-'.repeat(pad)}${pattern.toUpperCase()}-`
        expect(spans(finder.find(text)), `${pattern} after ${pad}`).toEqual([[pad, pad + pattern.length]])
      }
    }
  })

  it('reports one find per stretch without a quote, and finds again after each quote', () => {
    const finder = new WordFinder(WORDS)
    const soup = 'token '.repeat(10_000)
    expect(spans(finder.find(`{"msg":"${soup}"}`))).toEqual([[8, 13]])
    // an escaped quote does not end the string
    expect(spans(finder.find(`{"msg":"${'token\\"'.repeat(1_000)}"}`))).toEqual([[8, 13]])
    // …but one after an escaped backslash does
    expect(spans(finder.find('{"a":"token\\\\","token":1}'))).toEqual([
      [6, 11],
      [16, 21],
    ])
    const text = '{"a":"token x token","passwordHash":"y","b":"SECRET"}'
    expect(spans(finder.find(text))).toEqual([
      [6, 11],
      [22, 30],
      [45, 51],
    ])
  })

  it('finds exactly what the slow search finds in lines with one pattern per string (seeded)', () => {
    const finder = new WordFinder(WORDS)
    let state = 7
    const next = (n: number) => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0
      return state % n
    }
    const pieces = ['ab', 'Token', 'x-', 'PASSWORD', '9', 'sess', 'ion', 'é', '\u0174', '"pwd":', 'sig']
    for (let round = 0; round < 500; round++) {
      const strings = Array.from({ length: 1 + next(6) }, () =>
        Array.from({ length: next(5) }, () => pieces[next(pieces.length)]).join(''),
      )
      // one string per stretch between quotes, each holding at most its first find
      const text = strings.map((part) => `"${part}"`).join(',')
      const expected = everyOccurrence(text, WORDS)
      const firstPerStretch = expected.filter(
        ([start], i) => i === 0 || text.lastIndexOf('"', start) >= (expected[i - 1] as [number, number])[1],
      )
      expect(spans(finder.find(text)), text).toEqual(firstPerStretch)
    }
  })

  it('takes a character outside latin1 for what it is, never for its low byte', () => {
    // U+0174 has the low byte 0x74 ('t'): `\u0174oken` is not `token`
    expect(new WordFinder(['token']).find('\u0174oken \u0154OKEN')).toEqual([])
  })

  it('costs time linear in the text, on soups of every pattern', () => {
    const finder = new WordFinder(WORDS)
    /** The fastest of 15 samples of `runs` calls, per call, in ms (other work on the machine only adds time). */
    const time = (text: string, runs: number) => {
      let best = Number.POSITIVE_INFINITY
      for (let i = 0; i < 15; i++) {
        const start = performance.now()
        for (let k = 0; k < runs; k++) finder.find(text)
        best = Math.min(best, (performance.now() - start) / runs)
      }
      return best
    }
    for (const unit of [
      'token',
      'token"',
      'token\\"',
      '\\\\"token',
      'tok',
      '"pwd":',
      'pass',
      '\\"',
      'Sig"',
    ]) {
      const small = unit.repeat(Math.ceil(10_000 / unit.length))
      const large = unit.repeat(Math.ceil(100_000 / unit.length))
      time(small, 10)
      time(large, 3)
      expect(time(large, 3) / time(small, 10), unit).toBeLessThan(25)
    }
  })

  it('finds patterns after characters outside Latin-1, and in text longer than its own buffer', () => {
    const finder = new WordFinder(WORDS)
    const wide = '{"note":"日本語 😀 ✓ x","PASSWORD":"x"}'
    expect(spans(finder.find(wide))).toEqual([[wide.indexOf('PASSWORD'), wide.indexOf('PASSWORD') + 8]])
    // past the 1 MB buffer the finder keeps (a buffer of its own), then back in its own buffer
    const long = `${'x'.repeat(1_100_000)} password"`
    expect(spans(finder.find(long))).toEqual([[long.length - 9, long.length - 1]])
    expect(spans(finder.find('{"token":1}'))).toEqual([[2, 7]])
    expect(finder.find('{"level":30,"msg":"hello world"}')).toEqual([])
  })

  it('refuses patterns it cannot find (a programming error)', () => {
    expect(() => new WordFinder(['ab'])).toThrow(TypeError)
    expect(() => new WordFinder(['Token'])).toThrow(TypeError)
    expect(() => new WordFinder(['straße'])).toThrow(TypeError)
    expect(new WordFinder([]).find('token')).toEqual([])
  })
})
