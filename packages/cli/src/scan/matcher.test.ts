import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { MultiMatcher } from './matcher.js'

/** Every (end, pattern index) a plain indexOf search finds: the reference the automaton must equal. */
function naive(text: Buffer, patterns: Buffer[]): string[] {
  const out: string[] = []
  patterns.forEach((p, id) => {
    for (let at = text.indexOf(p); at !== -1; at = text.indexOf(p, at + 1)) out.push(`${at + p.length}:${id}`)
  })
  return out.sort()
}

function matched(text: Buffer, patterns: Buffer[], chunk: number): string[] {
  const matcher = new MultiMatcher(patterns.map((bytes, id) => ({ bytes, tag: id })))
  const out: string[] = []
  let state = 0
  for (let at = 0; at < text.length; at += chunk) {
    state = matcher.feed(text.subarray(at, at + chunk), state, at, (end, p) => out.push(`${end}:${p.tag}`))
  }
  return out.sort()
}

describe('MultiMatcher (Aho–Corasick)', () => {
  it('finds overlapping, nested and repeated patterns exactly as indexOf does, across chunk boundaries', () => {
    const patterns = ['he', 'she', 'his', 'hers', 'aaa', 'a', 'ü€'].map((p) => Buffer.from(p))
    const text = Buffer.from('ushers aaaa his she hers ü€ü€ he')
    for (const chunk of [1, 2, 3, 7, 1000])
      expect(matched(text, patterns, chunk)).toEqual(naive(text, patterns))
  })

  it('agrees with indexOf on random text over a small alphabet (many partial matches)', () => {
    for (let round = 0; round < 30; round++) {
      const alphabet = (b: number) => 97 + (b % 3)
      const text = Buffer.from([...randomBytes(2000)].map(alphabet))
      const patterns = Array.from({ length: 20 }, () =>
        Buffer.from([...randomBytes(1 + (round % 6))].map(alphabet)),
      )
      expect(matched(text, patterns, 97)).toEqual(naive(text, patterns))
    }
  })

  it('reports two secrets with the same value each, and keeps the state across feeds', () => {
    const same = Buffer.from('duplicate-value')
    const text = Buffer.from('x duplicate-value y')
    expect(matched(text, [same, same], 5)).toEqual(['17:0', '17:1'])
  })

  it('with the skip (patterns of 4 bytes and more): agrees with indexOf on random text, every chunk size', () => {
    for (let round = 0; round < 40; round++) {
      const size = 2 + (round % 4) * 20 // alphabets of 2, 22, 42 and 62 letters
      const alphabet = (b: number) => 48 + (b % size)
      const text = Buffer.from([...randomBytes(3000)].map(alphabet))
      const patterns = Array.from({ length: 1 + (round % 25) }, (_, k) => {
        // half of them cut out of the text, so there are matches to find
        if (k % 2 === 0) {
          const at = randomBytes(2).readUInt16BE() % 2900
          return text.subarray(at, at + 4 + (k % 30))
        }
        return Buffer.from([...randomBytes(4 + (k % 12))].map(alphabet))
      })
      const matcher = new MultiMatcher(patterns.map((bytes, id) => ({ bytes, tag: id })))
      expect(matcher.size.skipWidth).toBeGreaterThanOrEqual(4)
      for (const chunk of [1, 3, 5, 64, 4096])
        expect(matched(text, patterns, chunk)).toEqual(naive(text, patterns))
    }
  })

  it('with the skip: matches at the very start and end of the text and of each chunk, and overlapping ones', () => {
    const patterns = ['abcd', 'bcde', 'cdefgh', 'abcdefgh', 'hhhh'].map((p) => Buffer.from(p))
    const text = Buffer.from('abcdefghhhhhxxabcdxxxxxabcdefgh')
    for (const chunk of [1, 2, 4, 7, 8, 31, 100])
      expect(matched(text, patterns, chunk)).toEqual(naive(text, patterns))
  })

  it('the adversarial text for the skip (every window a candidate, no match) finds nothing and agrees', () => {
    // every two-byte block of the text ends a pattern prefix, yet no pattern occurs
    const patterns = [Buffer.from('abababaX'), Buffer.from('babababY')]
    const text = Buffer.from('ab'.repeat(5000))
    expect(matched(text, patterns, 4096)).toEqual([])
    const planted = Buffer.concat([text, Buffer.from('abababaX'), text])
    expect(matched(planted, patterns, 333)).toEqual(naive(planted, patterns))
  })
})
