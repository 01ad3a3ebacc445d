import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MultiMatcher } from './matcher.js'
import { CHUNK, type PatternTag, StreamScan, scanFile } from './scan-file.js'

const tag = (secret: string): PatternTag => ({ secret, form: 'raw', version: 'current' })

function scanChunks(text: string, patterns: string[], size: number) {
  const matcher = new MultiMatcher(patterns.map((p) => ({ bytes: Buffer.from(p), tag: tag(p) })))
  const scan = new StreamScan(matcher, 'f')
  const bytes = Buffer.from(text)
  for (let at = 0; at < bytes.length; at += size)
    scan.feed(bytes.subarray(at, at + size), at + size >= bytes.length)
  return scan.findings.map((f) => `${f.line}:${f.column} ${f.secret}`)
}

describe('StreamScan line and column', () => {
  const text = 'one\ntwo needle\n\nthree needle needle\nmulti-\nline\nend'
  const expected = ['2:5 needle', '4:7 needle', '4:14 needle', '5:1 multi-\nline']

  it.each([1, 2, 3, 5, 8, 64])('is the same whatever the chunk size (%i bytes)', (size) => {
    expect(scanChunks(text, ['needle', 'multi-\nline'], size)).toEqual(expected)
  })

  it('counts columns in bytes after multi-byte characters', () => {
    expect(scanChunks('ü€ needle', ['needle'], 4)).toEqual(['1:7 needle'])
  })
})

describe('scanFile over a file of several read chunks', () => {
  it('reports the right line and column before, across and after chunk boundaries, and in the last chunk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-scan-file-'))
    try {
      const line = `${'x'.repeat(99)}\n` // 100 bytes
      const lines = Math.ceil((CHUNK * 2.5) / line.length)
      const text = Array.from({ length: lines }, () => line)
      const at = (n: number, column: number) => {
        text[n - 1] = `${'x'.repeat(column - 1)}needle${'x'.repeat(100 - column - 6)}\n`
      }
      at(1, 1)
      const across = Math.floor(CHUNK / line.length) + 1 // the line holding byte CHUNK
      at(across, CHUNK - (across - 1) * line.length - 2) // starts 3 bytes before the boundary
      at(lines, 90)
      writeFileSync(join(dir, 'big.log'), text.join(''))
      const matcher = new MultiMatcher([{ bytes: Buffer.from('needle'), tag: tag('needle') }])
      const result = scanFile(matcher, join(dir, 'big.log'), 'big.log')
      expect(result.bytes).toBe(lines * line.length)
      expect(result.findings.map((f) => `${f.line}:${f.column}`)).toEqual([
        '1:1',
        `${across}:${CHUNK - (across - 1) * line.length - 2}`,
        `${lines}:90`,
      ])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
