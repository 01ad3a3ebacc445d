import { randomBytes } from 'node:crypto'
import { canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { SecretRedactor } from './redactor.js'
import { formsOf } from './redactor-forms.js'
import { PatternIndex } from './redactor-index.js'

describe('PatternIndex at scale', () => {
  it('finds each of 1,000,000 prefix-sharing values after the fill, none it does not hold, and keeps its scan step', () => {
    const count = 1_000_000
    const index = new PatternIndex()
    const values: string[] = []
    for (let i = 0; i < count; i++) {
      // every canary starts with the same mark: the anchors must spread them over the table
      const value = canary(`m${i}`)
      values.push(value)
      index.insertAll(formsOf(value))
    }
    expect(index.size).toBe(count)
    // a crowded prefix must not lower the step every scan pays
    expect(index.shape.valueStep).toBe(8)
    for (let i = 0; i < count; i += 97) {
      const value = values[i] as string
      const line = `{"msg":"before ${value} after"}`
      const found = index.scanValues(line, false)
      const start = line.indexOf(value)
      expect(found?.values).toContainEqual([start, start + value.length])
    }
    // a value of the same shape that was never added, and one cut short by a character
    const stranger = canary('m-stranger')
    expect(index.scanValues(`{"msg":"${stranger}"}`, false)).toBeUndefined()
    expect(index.scanValues(`{"msg":"${(values[5] as string).slice(0, -1)}|"}`, false)).toBeUndefined()
  }, 300_000)

  it('finds every value of a line that holds 1,000 of them, each once', () => {
    const index = new PatternIndex()
    const values = Array.from({ length: 1_000 }, (_, i) => canary(`one${i}`))
    for (const value of values) index.insertAll(formsOf(value))
    const line = values.join(' ')
    const found = index.scanValues(line, false)?.values ?? []
    const starts = new Set(found.map(([start]) => start))
    let at = 0
    for (const value of values) {
      expect(starts.has(at)).toBe(true)
      at += value.length + 1
    }
    expect(found).toHaveLength(values.length)
  })

  it('finds values from 4 to 11 characters (shorter than a window of 8) at every offset', () => {
    const index = new PatternIndex()
    const values = Array.from({ length: 8 }, (_, i) =>
      randomBytes(8)
        .toString('hex')
        .slice(0, 4 + i),
    )
    for (const value of values) index.insertAll([{ pattern: value, keepStart: 0, keepEnd: 0 }])
    for (const value of values) {
      for (let pad = 0; pad < 9; pad++) {
        const line = `${'.'.repeat(pad)}${value}${'.'.repeat(9 - pad)}`
        expect(index.scanValues(line, false)?.values).toContainEqual([pad, pad + value.length])
      }
    }
  })

  it('tells apart values that share all but their last characters, while they are added and removed', () => {
    const index = new PatternIndex()
    const stem = canary('stem')
    const values = Array.from({ length: 300 }, (_, i) => `${stem}${i.toString(36).padStart(2, '0')}`)
    const ids = values.map((value) => index.insertAll(formsOf(value)))
    // remove every third one: the others are still found, the removed ones not
    values.forEach((_, i) => {
      if (i % 3 === 0) index.removeAll(ids[i] as number)
    })
    values.forEach((value, i) => {
      const found = index.scanValues(`<${value}>`, false)?.values ?? []
      if (i % 3 === 0) expect(found).not.toContainEqual([1, 1 + value.length])
      else expect(found).toContainEqual([1, 1 + value.length])
    })
  })
})

describe('PatternIndex byte checks before the text compare', () => {
  it('finds the uppercase and the lowercase hex form of a value, and neither when one hex letter changes case alone', () => {
    const index = new PatternIndex()
    const value = `${canary('hex')}+/=x`
    index.insertAll(formsOf(value))
    const upper = encodeURIComponent(value)
    const lower = upper.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())
    expect(upper).not.toBe(lower)
    for (const form of [upper, lower]) {
      const line = `{"q":"${form}"}`
      expect(index.scanValues(line, false)?.values).toContainEqual([6, 6 + form.length])
    }
    // the first escape upper, the rest lower: neither twin, though length and last character match
    const mixed = upper.replace(/%2F/, '%2f')
    expect(mixed).not.toBe(upper)
    expect(index.scanValues(`{"q":"${mixed}"}`, false)?.values ?? []).not.toContainEqual([
      6,
      6 + mixed.length,
    ])
  })

  it('does not take a character outside Latin-1 for the one whose low byte it shares', () => {
    const index = new PatternIndex()
    const value = canary('low-byte')
    index.insertAll(formsOf(value))
    // U+0100 + code: the same low byte as each character of the value, at its last, middle and first place
    const lift = (at: number) =>
      value.slice(0, at) + String.fromCharCode(0x100 + value.charCodeAt(at)) + value.slice(at + 1)
    for (const at of [value.length - 1, value.length >> 1, 0, 9]) {
      const line = `{"msg":"${lift(at)}"}`
      expect(index.scanValues(line, false)).toBeUndefined()
    }
    expect(index.scanValues(`{"msg":"${value}"}`, false)?.values).toContainEqual([8, 8 + value.length])
  })

  it('finds a value of characters outside Latin-1 in a line that has others', () => {
    const index = new PatternIndex()
    const value = `ключ-${canary('cyr')}-значение`
    index.insertAll(formsOf(value))
    const line = `{"msg":"€ ${value} ✓"}`
    expect(index.scanValues(line, false)?.values).toContainEqual([10, 10 + value.length])
  })
})

describe('SecretRedactor growth', () => {
  it('adds, releases and forgets 200,000 values across many doublings and pages, interleaved', () => {
    let now = 0
    const redactor = new SecretRedactor({ clock: () => now, retention: 5, maxRetired: 1_000_000 })
    const values = Array.from({ length: 200_000 }, (_, i) => canary(`g${i}`, i % 5 === 0 ? '+/=' : ''))
    const forgotten = new Set<string>()
    for (let i = 0; i < values.length; i++) {
      redactor.add(values[i] as string)
      if (i % 4 === 3) redactor.release(values[i - 1] as string)
      if (i % 10_000 === 9_999) {
        // everything released so far expires; prune forgets it in bounded steps
        now += 10
        let calls = 0
        while (redactor.retired > 0 && calls++ < 100_000) redactor.prune()
        for (let k = 2; k <= i; k += 4) forgotten.add(values[k] as string)
      }
    }
    expect(redactor.size).toBe(values.length - forgotten.size - redactor.retired)
    for (let i = 0; i < values.length; i += 37) {
      const value = values[i] as string
      const line = `{"a":"${value}","b":"${encodeURIComponent(value)}"}`
      if (forgotten.has(value)) expect(redactor.redact(line)).toBe(line)
      else expect(redactor.redact(line)).toBe('{"a":"[REDACTED]","b":"[REDACTED]"}')
    }
  }, 120_000)
})
