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
})
