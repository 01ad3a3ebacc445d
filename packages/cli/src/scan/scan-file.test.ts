import { describe, expect, it } from 'vitest'
import { MultiMatcher } from './matcher.js'
import { type PatternTag, StreamScan } from './scan-file.js'

const tag = (secret: string): PatternTag => ({ secret, form: 'raw', version: 'current' })

function scanChunks(text: string, patterns: string[], size: number) {
  const matcher = new MultiMatcher(patterns.map((p) => ({ bytes: Buffer.from(p), tag: tag(p) })))
  const scan = new StreamScan(matcher, 'f')
  const bytes = Buffer.from(text)
  for (let at = 0; at < bytes.length; at += size) scan.feed(bytes.subarray(at, at + size))
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
