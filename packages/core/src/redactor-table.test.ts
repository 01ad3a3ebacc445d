import { seededRandom } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { WindowTable } from './redactor-table.js'

/** Every `[group, offset]` the table links under `hash`, sorted. */
function linked(table: WindowTable, hash: number): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (let link = table.head(hash); link !== 0; link = table.next(link)) {
    if (table.hash(link) === hash) out.push([table.group(link), table.offset(link)])
  }
  return out.sort((a, b) => a[0] - b[0] || a[1] - b[1])
}

describe('WindowTable', () => {
  it('holds exactly what was added and not removed, while it grows through many sizes', () => {
    const next = seededRandom(20).int32
    const table = new WindowTable()
    /** hash → group*1000+offset entries, the oracle */
    const held = new Map<number, Set<number>>()
    const all: Array<[number, number, number]> = []
    const bytesAtStart = table.bytes
    for (let i = 0; i < 60_000; i++) {
      // some hashes repeat (windows values share), most do not
      const hash =
        i % 7 === 0 && all.length > 0
          ? (all[(next() >>> 0) % all.length] as [number, number, number])[0]
          : next()
      const group = i
      const offset = (next() >>> 0) % 16
      table.add(hash, group, offset)
      all.push([hash, group, offset])
      const set = held.get(hash) ?? new Set<number>()
      set.add(group * 1000 + offset)
      held.set(hash, set)
      // removals interleaved with the growth: one in three entries goes again
      if (i % 3 === 2) {
        const [h, g, o] = all.splice((next() >>> 0) % all.length, 1)[0] as [number, number, number]
        table.remove(h, g, o)
        held.get(h)?.delete(g * 1000 + o)
      }
      if (i % 5_000 === 0) {
        for (const [h, g, o] of all.slice(-200)) expect(linked(table, h)).toContainEqual([g, o])
      }
    }
    expect(table.size).toBe(all.length)
    expect(table.bytes).toBeGreaterThan(bytesAtStart)
    for (const [hash, entries] of held) {
      const expected = [...entries]
        .map((e) => [Math.floor(e / 1000), e % 1000])
        .sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number))
      expect(linked(table, hash)).toEqual(expected)
      if (expected.length > 0) expect(table.mayHold(hash)).toBe(true)
    }
  })

  it('filters most hashes it does not hold (at most 1 in 30 pass), at every size', () => {
    const next = seededRandom(7).int32
    for (const count of [1_000, 30_000, 200_000]) {
      const table = new WindowTable()
      for (let i = 0; i < count; i++) table.add(next(), i, 0)
      let passed = 0
      const tries = 50_000
      for (let i = 0; i < tries; i++) if (table.mayHold(next())) passed++
      // two of the chain's 16 bits per link: 0.017–0.024 measured between one and 1.5 links per chain
      expect(passed / tries).toBeLessThan(1 / 30)
    }
  })

  it('clears the filter bits of what it removes, and keeps those another link of the chain still sets', () => {
    const next = seededRandom(11).int32
    const table = new WindowTable()
    const hashes = Array.from({ length: 50_000 }, () => next())
    for (const [i, hash] of hashes.entries()) table.add(hash, i, 0)
    // remove every other one while the table is large: the rest stay found
    hashes.forEach((hash, i) => {
      if (i % 2 === 0) table.remove(hash, i, 0)
    })
    hashes.forEach((hash, i) => {
      if (i % 2 === 1) expect(table.mayHold(hash)).toBe(true)
    })
    hashes.forEach((hash, i) => {
      if (i % 2 === 1) table.remove(hash, i, 0)
    })
    expect(table.size).toBe(0)
    // nothing is held: no hash passes, those removed included
    for (const hash of hashes) expect(table.mayHold(hash)).toBe(false)
    for (let i = 0; i < 10_000; i++) expect(table.mayHold(next())).toBe(false)
  })

  it('a table of a few links holds kilobytes, and grows its first page of links without losing one', () => {
    const table = new WindowTable()
    table.add(7, 1, 0)
    // chains and filter of the first size (10 KB) and the first 256 links (4 KB)
    expect(table.bytes).toBeLessThan(16 * 1024)
    const next = seededRandom(3).int32
    const hashes = Array.from({ length: 40_000 }, () => next())
    hashes.forEach((hash, i) => {
      table.add(hash, i + 2, 1)
    })
    expect(linked(table, 7)).toEqual([[1, 0]])
    hashes.forEach((hash, i) => {
      expect(linked(table, hash)).toContainEqual([i + 2, 1])
    })
  })

  it('removing what is not there changes nothing; clear() forgets everything', () => {
    const table = new WindowTable()
    table.add(42, 1, 3)
    table.remove(42, 1, 4)
    table.remove(43, 1, 3)
    expect(linked(table, 42)).toEqual([[1, 3]])
    table.clear()
    expect(table.size).toBe(0)
    expect(table.head(42)).toBe(0)
    expect(table.mayHold(42)).toBe(false)
  })
})
