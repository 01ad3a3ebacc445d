import { describe, expect, it } from 'vitest'
import { IntStack, PagedDoubles, PagedInts, PagedQueue, PagedValues, ShardedMap } from './redactor-pages.js'

describe('redactor pages', () => {
  it('PagedInts, PagedDoubles and PagedValues keep every id across many pages', () => {
    const ints = new PagedInts(3)
    const doubles = new PagedDoubles()
    const values = new PagedValues<string>()
    const count = 20_000
    for (let id = count - 1; id >= 0; id--) {
      ints.set(id, 0, id)
      ints.set(id, 2, -id - 1)
      doubles.set(id, id === 7 ? Number.POSITIVE_INFINITY : id * 1.5)
      values.set(id, `v${id}`)
    }
    for (let id = 0; id < count; id++) {
      expect(ints.get(id, 0)).toBe(id)
      expect(ints.get(id, 1)).toBe(0)
      expect(ints.get(id, 2)).toBe(-id - 1)
      expect(doubles.get(id)).toBe(id === 7 ? Number.POSITIVE_INFINITY : id * 1.5)
      expect(values.get(id)).toBe(`v${id}`)
    }
    expect(values.get(count + 5_000)).toBeUndefined()
    values.set(3, undefined)
    expect(values.get(3)).toBeUndefined()
    ints.clear()
    doubles.clear()
    values.clear()
    expect(values.get(0)).toBeUndefined()
  })

  it('the first page starts small and doubles: ids set in rising order read back at every size, into later pages', () => {
    const ints = new PagedInts(2)
    const doubles = new PagedDoubles()
    const values = new PagedValues<number>()
    for (let id = 0; id < 9_000; id++) {
      ints.set(id, 1, id + 1)
      doubles.set(id, id / 4)
      values.set(id, id)
      // each doubling copies what the smaller page held
      if ((id & (id - 1)) === 0 || id === 4_095 || id === 4_096) {
        for (let back = 0; back <= id; back++) {
          expect(ints.get(back, 0)).toBe(0)
          expect(ints.get(back, 1)).toBe(back + 1)
          expect(doubles.get(back)).toBe(back / 4)
          expect(values.get(back)).toBe(back)
        }
      }
    }
    expect(ints.pageOf(8_999)[ints.offsetOf(8_999) + 1]).toBe(9_000)
  })

  it('IntStack pops what was pushed, last first, and -1 when empty', () => {
    const stack = new IntStack()
    expect(stack.pop()).toBe(-1)
    for (let i = 0; i < 10_000; i++) stack.push(i * 3)
    expect(stack.length).toBe(10_000)
    for (let i = 9_999; i >= 0; i--) expect(stack.pop()).toBe(i * 3)
    expect(stack.pop()).toBe(-1)
    stack.push(5)
    stack.clear()
    expect(stack.length).toBe(0)
    expect(stack.pop()).toBe(-1)
  })

  it('PagedQueue is first in, first out across pages, interleaved, and empties cleanly', () => {
    const queue = new PagedQueue<number>()
    expect(queue.peek()).toBeUndefined()
    queue.shift()
    let pushed = 0
    let shifted = 0
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 700 + round * 37; i++) queue.push(pushed++)
      for (let i = 0; i < 500 + round * 29 && queue.length > 0; i++) {
        expect(queue.peek()).toBe(shifted++)
        queue.shift()
      }
      expect(queue.length).toBe(pushed - shifted)
    }
    while (queue.length > 0) {
      expect(queue.peek()).toBe(shifted++)
      queue.shift()
    }
    expect(shifted).toBe(pushed)
    expect(queue.peek()).toBeUndefined()
    queue.push(42)
    expect(queue.peek()).toBe(42)
    queue.clear()
    expect(queue.length).toBe(0)
  })

  it('ShardedMap counts, replaces and deletes like a Map', () => {
    const map = new ShardedMap<number>()
    const oracle = new Map<string, number>()
    for (let i = 0; i < 30_000; i++) {
      const key = `k${(i * 7919) % 12_000}`
      map.set(key, i)
      oracle.set(key, i)
      if (i % 3 === 0) {
        const gone = `k${(i * 31) % 12_000}`
        map.delete(gone)
        oracle.delete(gone)
      }
    }
    expect(map.size).toBe(oracle.size)
    for (let i = 0; i < 12_000; i++) expect(map.get(`k${i}`)).toBe(oracle.get(`k${i}`))
    map.delete('never there')
    expect(map.size).toBe(oracle.size)
    map.clear()
    expect(map.size).toBe(0)
    expect(map.get('k1')).toBeUndefined()
  })
})
