import { closeSync, openSync, readSync } from 'node:fs'
import type { Readable } from 'node:stream'
import type { MultiMatcher, Pattern } from './matcher.js'

/** What a pattern stands for: a secret's value in one form. Never holds the value. */
export interface PatternTag {
  secret: string
  form: string
  /** `current`, or `previous` for the version before it. */
  version: 'current' | 'previous'
}

/** One place a value was found. `line` and `column` are 1-based; the column counts bytes (as ripgrep's). */
export interface Finding {
  file: string
  line: number
  column: number
  secret: string
  form: string
  version: 'current' | 'previous'
}

/** Bytes read per call (the read buffer's size); also how far the binary check looks (as git and grep do, for a NUL byte). */
export const CHUNK = 1 << 20
const BINARY_PROBE = 8000
/** Newlines remembered for a match that spans lines (values with line breaks). */
const RING = 64

/**
 * Scans a byte stream fed in chunks. Lines are counted lazily: newlines are counted (with the
 * native `indexOf`) only up to a match, and to the end of each chunk, never per byte in the loop.
 */
export class StreamScan {
  readonly #matcher: MultiMatcher<PatternTag>
  readonly #file: string
  readonly findings: Finding[] = []
  /** Bytes scanned so far. */
  bytes = 0
  #state = 0
  /** Stream offset of the current chunk. */
  #offset = 0
  #chunk: Uint8Array = new Uint8Array(0)
  /** Newlines before this stream offset are counted in #line. */
  #countedTo = 0
  #line = 1
  #lineStart = 0
  /** The last {@link RING} newline offsets, for a match that started on an earlier line. */
  readonly #ring = new Float64Array(RING)
  #newlines = 0

  constructor(matcher: MultiMatcher<PatternTag>, file: string) {
    this.#matcher = matcher
    this.#file = file
  }

  /**
   * Scans the next chunk. `last`: nothing follows it, so the newlines after its last match are
   * never counted (most files hold no value at all: their lines are not counted).
   */
  feed(chunk: Uint8Array, last = false): void {
    this.#chunk = chunk
    this.#state = this.#matcher.feed(
      chunk,
      this.#state,
      this.#offset,
      (end, pattern: Pattern<PatternTag>) => {
        const start = end - pattern.bytes.length
        this.#countTo(Math.max(start, this.#offset))
        // a value holding "\n", or one that began in the previous chunk: find the line it starts on
        const { line, lineStart } =
          start >= this.#lineStart ? { line: this.#line, lineStart: this.#lineStart } : this.#lineAt(start)
        this.findings.push({ file: this.#file, line, column: start - lineStart + 1, ...pattern.tag })
      },
    )
    if (!last) this.#countTo(this.#offset + chunk.length)
    this.#offset += chunk.length
    this.bytes += chunk.length
  }

  /** Counts the newlines of the current chunk before stream offset `to`. */
  #countTo(to: number): void {
    const chunk = this.#chunk
    const base = this.#offset
    let from = this.#countedTo - base
    const until = to - base
    while (from < until) {
      const at = chunk.indexOf(10, from)
      if (at === -1 || at >= until) break
      this.#line++
      this.#lineStart = base + at + 1
      this.#ring[this.#newlines++ % RING] = base + at
      from = at + 1
    }
    if (to > this.#countedTo) this.#countedTo = to
  }

  #lineAt(start: number): { line: number; lineStart: number } {
    let line = this.#line
    let lineStart = this.#lineStart
    for (let back = 1; start < lineStart && back <= Math.min(this.#newlines, RING - 1); back++) {
      line--
      const before = this.#newlines - back - 1
      lineStart = before >= 0 ? (this.#ring[before % RING] as number) + 1 : 0
    }
    return { line, lineStart }
  }
}

/** Two read buffers of {@link CHUNK} bytes: one scanned while the next read fills the other. */
export function readBuffers(): [Buffer, Buffer] {
  return [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)]
}

/**
 * Scans one file; `binary` when a NUL byte is in its first 8,000 bytes (then nothing is reported).
 * Each chunk is read before the one before it is scanned, so the scan knows which chunk is last.
 */
export function scanFile(
  matcher: MultiMatcher<PatternTag>,
  path: string,
  shown: string,
  buffers: [Buffer, Buffer] = readBuffers(),
): { findings: Finding[]; bytes: number; binary: boolean } {
  const fd = openSync(path, 'r')
  try {
    let [current, spare] = buffers
    let read = readSync(fd, current, 0, current.length, null)
    if (read > 0 && current.subarray(0, Math.min(read, BINARY_PROBE)).includes(0))
      return { findings: [], bytes: 0, binary: true }
    const scan = new StreamScan(matcher, shown)
    while (read > 0) {
      const following = readSync(fd, spare, 0, spare.length, null)
      scan.feed(current.subarray(0, read), following === 0)
      ;[current, spare] = [spare, current]
      read = following
    }
    return { findings: scan.findings, bytes: scan.bytes, binary: false }
  } finally {
    closeSync(fd)
  }
}

/** Scans a readable stream (stdin); binary content is scanned too (a log may hold anything). */
export async function scanStream(
  matcher: MultiMatcher<PatternTag>,
  stream: Readable,
  shown: string,
): Promise<{ findings: Finding[]; bytes: number }> {
  const scan = new StreamScan(matcher, shown)
  for await (const chunk of stream)
    scan.feed(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array))
  return { findings: scan.findings, bytes: scan.bytes }
}
