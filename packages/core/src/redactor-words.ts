/**
 * What the redactor needs to find words (key names a log scrubber censors) in the same pass as
 * values: every letter case of a window, a table of word windows by their exact key, and the check
 * of a word against the text.
 */

/** `key` with every ASCII letter byte in both cases: each spelling a word's window can take. */
export function caseVariants(key: number): number[] {
  let variants = [key]
  for (let shift = 0; shift < 32; shift += 8) {
    const byte = (key >>> shift) & 255
    const lower = byte | 0x20
    if (lower < 97 || lower > 122) continue
    variants = variants.flatMap((variant) => [variant | (0x20 << shift), variant & ~(0x20 << shift)])
  }
  return variants
}

/**
 * Word windows by their exact key: open addressing with linear probing, a few thousand entries
 * (every letter case of every window, and the windows that take any byte). Small, so a lookup
 * stays in cache; entries are only ever added.
 */
export class WordTable {
  #bits = 12
  #keys = new Int32Array(1 << 12)
  /** `wordIndex << 8 | (offset + 2)` (offsets start at -1); 0 marks an empty slot. */
  #entries = new Int32Array(1 << 12)
  #count = 0

  add(key: number, entry: number): void {
    if ((this.#count + 1) * 2 > this.#keys.length) this.#grow()
    this.#put(key, entry)
  }

  /** The first slot holding `key`, or -1. */
  first(key: number): number {
    return this.#scan(key, this.#home(key))
  }

  /** The next slot after `slot` holding `key`, or -1. */
  next(key: number, slot: number): number {
    return this.#scan(key, (slot + 1) & (this.#keys.length - 1))
  }

  entry(slot: number): number {
    return this.#entries[slot] as number
  }

  clear(): void {
    this.#bits = 12
    this.#keys = new Int32Array(1 << 12)
    this.#entries = new Int32Array(1 << 12)
    this.#count = 0
  }

  #scan(key: number, from: number): number {
    const mask = this.#keys.length - 1
    for (let slot = from; this.#entries[slot] !== 0; slot = (slot + 1) & mask) {
      if (this.#keys[slot] === key) return slot
    }
    return -1
  }

  #put(key: number, entry: number): void {
    const mask = this.#keys.length - 1
    let slot = this.#home(key)
    while (this.#entries[slot] !== 0) slot = (slot + 1) & mask
    this.#keys[slot] = key
    this.#entries[slot] = entry
    this.#count++
  }

  /** Where `key` would sit: the top bits of a multiplicative hash (its low bits only see the last byte). */
  #home(key: number): number {
    return Math.imul(key, 0x27d4eb2d) >>> (32 - this.#bits)
  }

  #grow(): void {
    this.#bits++
    const keys = this.#keys
    const entries = this.#entries
    this.#keys = new Int32Array(keys.length * 2)
    this.#entries = new Int32Array(keys.length * 2)
    this.#count = 0
    for (let slot = 0; slot < keys.length; slot++) {
      if (entries[slot] !== 0) this.#put(keys[slot] as number, entries[slot] as number)
    }
  }
}

/** True when `text` holds `lower` (lowercase) at `start`, ASCII letters compared in any case. */
export function sameLetters(text: string, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    let code = text.charCodeAt(start + i)
    if (code >= 65 && code <= 90) code += 32
    if (code !== lower.charCodeAt(i)) return false
  }
  return true
}

/** Characters per window of {@link WordFinder}: one 32-bit read. */
const WORD_Q = 4
/** Longest step of {@link WordFinder}: one window in every four characters. */
const MAX_WORD_STEP = 4
/** Bits of {@link WordFinder}'s filter: about a thousand windows set, so a window of clean text passes with odds near 1/60. */
const FINDER_FILTER_BITS = 16
/** Longest text copied into a finder's own buffer; a longer one gets a buffer of its own. */
const FINDER_SCRATCH_MAX = 1 << 17
/** ASCII letters folded to lowercase in one OR (other bytes may fold onto each other: only ever a false candidate). */
const FOLD = 0x20202020

function finderBit(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> (32 - FINDER_FILTER_BITS)
}

/**
 * The folded windows of `pattern` that start `offset` characters into it (`-1`: one before it),
 * as the finder reads them (little-endian, the low byte of each character): one window, or 256
 * (folded onto fewer) when it reaches one character outside the pattern.
 */
function windowsAt(pattern: string, offset: number): Set<number> {
  const keys = new Set<number>()
  for (let byte = 0; byte < 256; byte++) {
    let key = 0
    let outside = false
    for (let k = 0; k < WORD_Q; k++) {
      const at = offset + k
      const inside = at >= 0 && at < pattern.length
      outside ||= !inside
      key |= (inside ? pattern.charCodeAt(at) & 255 : byte) << (8 * k)
    }
    keys.add(key | FOLD | 0)
    if (!outside) break
  }
  return keys
}

/**
 * The first window at or after `from` (stepping by `step`, below `length`) whose folded key passes
 * `filter`, or -1. Most windows pass nothing: this loop is all a scan of clean text runs.
 */
function nextCandidate(
  view: DataView,
  filter: Int32Array,
  from: number,
  length: number,
  step: number,
): number {
  for (let j = from; j < length; j += step) {
    const bit = finderBit(view.getInt32(j, true) | FOLD)
    if ((((filter[bit >>> 5] as number) >>> bit) & 1) === 1) return j
  }
  return -1
}

/**
 * The first unescaped `"` at or after `from` (-1: none). Backslashes are counted back from each
 * quote no further than `from` (a find ends there, and holds none), so each run is counted once.
 */
function nextQuote(text: string, from: number): number {
  for (let quote = text.indexOf('"', from); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    let before = quote - 1
    while (before >= from && text.charCodeAt(before) === 92) before--
    if ((quote - 1 - before) % 2 === 0) return quote
  }
  return -1
}

/** Finds as `[start0, end0, start1, end1, …]`: flat, so a text with many finds allocates one array. */
export type WordHits = readonly number[]

const NO_WORDS: WordHits = Object.freeze([])

/** `hits` (flat pairs) ordered by start, in place; nearly always already in order. */
function orderPairs(hits: number[]): void {
  for (let i = 2; i < hits.length; i += 2) {
    const start = hits[i] as number
    const end = hits[i + 1] as number
    let j = i - 2
    while (j >= 0 && (hits[j] as number) > start) {
      hits[j + 2] = hits[j] as number
      hits[j + 3] = hits[j + 1] as number
      j -= 2
    }
    hits[j + 2] = start
    hits[j + 3] = end
  }
}

/**
 * Finds a fixed set of short ASCII patterns (credential words, `"key":` texts) in any ASCII letter
 * case, for the line scrubber.
 *
 * The text is copied to bytes once (the low byte of each UTF-16 unit) and one four-character
 * window is read every `S` characters (`S = min(4, L − 1)` for the shortest pattern of `L`
 * characters: 4 for the credential words), its letters folded to lowercase with one OR, and tested
 * against a 64 Kbit filter. Each pattern is indexed under `S` consecutive windows, so every
 * occurrence covers one window the scan reads: its own windows when it is long enough, otherwise
 * also the window that starts one character before it or ends one after (256 spellings, folded).
 * A window that passes is looked up in a small table and each pattern it names is compared with
 * the text.
 *
 * After a find, windows up to the next unescaped `"` are skipped: a log scrubber needs one hit per
 * JSON string (a key is a whole string), and a 100 KB string of `token token …` or `token\"token\"…`
 * then costs one find and a few `indexOf`. **Bound**: each window is read at most once, each
 * stretch between quotes is searched by `indexOf` once and each run of backslashes before a quote
 * is counted once, so a scan is O(text length) for every input; the patterns compared per passing
 * window are at most those indexed under its four letters.
 */
export class WordFinder {
  readonly #patterns: readonly string[]
  readonly #step: number
  readonly #shortest: number
  readonly #filter = new Int32Array(1 << (FINDER_FILTER_BITS - 5))
  /** Folded window → `patternIndex << 3 | (offset + 1)` of every pattern indexed under it. */
  readonly #table = new Map<number, number[]>()
  #bytes = Buffer.allocUnsafeSlow(1024)
  #view = new DataView(this.#bytes.buffer, this.#bytes.byteOffset, this.#bytes.byteLength)

  /**
   * @param patterns lowercase ASCII texts of at least 3 characters.
   * @throws {TypeError} for a pattern that is shorter or not lowercase ASCII (a programming error of the caller).
   */
  constructor(patterns: readonly string[]) {
    const unique = [...new Set(patterns)]
    for (const pattern of unique) {
      const ascii = [...pattern].every((char) => char.charCodeAt(0) < 128)
      if (pattern.length < 3 || !ascii || pattern !== pattern.toLowerCase())
        throw new TypeError('WordFinder patterns are lowercase ASCII texts of 3 or more characters')
    }
    this.#patterns = unique
    this.#shortest = unique.length === 0 ? 0 : Math.min(...unique.map((pattern) => pattern.length))
    this.#step = Math.min(MAX_WORD_STEP, this.#shortest - 1)
    unique.forEach((pattern, index) => {
      // S consecutive window starts: inside the pattern when it has that many windows, else from one before it
      const from = pattern.length - WORD_Q + 1 >= this.#step ? 0 : -1
      for (let offset = from; offset < from + this.#step; offset++) {
        for (const key of windowsAt(pattern, offset)) {
          const bit = finderBit(key)
          this.#filter[bit >>> 5] = (this.#filter[bit >>> 5] as number) | (1 << (bit & 31))
          const entry = (index << 3) | (offset + 1)
          const entries = this.#table.get(key)
          if (entries === undefined) this.#table.set(key, [entry])
          else if (!entries.includes(entry)) entries.push(entry)
        }
      }
    })
  }

  /**
   * Every pattern found in `text` as flat `[start, end)` pairs ordered by start, at most one per
   * stretch without an unescaped `"` (see the class comment).
   */
  find(text: string): WordHits {
    const length = text.length
    if (this.#patterns.length === 0 || length < this.#shortest) return NO_WORDS
    const view = this.#bytesOf(text)
    const filter = this.#filter
    const step = this.#step
    let found: number[] | undefined
    for (let j = nextCandidate(view, filter, 0, length, step); j !== -1; ) {
      found ??= []
      const end = this.#verify(view.getInt32(j, true) | FOLD, j, text, found)
      let from = j + step
      if (end !== -1) {
        const quote = nextQuote(text, end)
        if (quote === -1) break
        // on to the first window that may hold a pattern starting at the quote (one before it, at most)
        from = Math.max(from, Math.ceil((quote - 1) / step) * step)
      }
      j = nextCandidate(view, filter, from, length, step)
    }
    if (found === undefined || found.length === 0) return NO_WORDS
    orderPairs(found)
    return found
  }

  /** Compares each pattern indexed under `key` with `text` at window `j`; pushes the finds, returns the furthest end (-1: none). */
  #verify(key: number, j: number, text: string, found: number[]): number {
    const entries = this.#table.get(key)
    if (entries === undefined) return -1
    let furthest = -1
    for (const entry of entries) {
      const pattern = this.#patterns[entry >>> 3] as string
      const start = j - ((entry & 7) - 1)
      const end = start + pattern.length
      if (start < 0 || end > text.length || !sameLetters(text, start, pattern)) continue
      found.push(start, end)
      if (end > furthest) furthest = end
    }
    return furthest
  }

  /**
   * `text` as bytes, one per UTF-16 unit, with four zero bytes after it (the last window reads past
   * the end). A text longer than {@link FINDER_SCRATCH_MAX} gets a buffer of its own, so one huge
   * line does not keep a huge buffer alive.
   */
  #bytesOf(text: string): DataView {
    const need = text.length + 4
    if (need > this.#bytes.length) {
      if (need > FINDER_SCRATCH_MAX) {
        const bytes = Buffer.allocUnsafeSlow(need)
        bytes.write(text, 0, 'latin1')
        bytes.fill(0, text.length)
        return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      }
      let size = this.#bytes.length
      while (size < need) size *= 2
      this.#bytes = Buffer.allocUnsafeSlow(size)
      this.#view = new DataView(this.#bytes.buffer, this.#bytes.byteOffset, this.#bytes.byteLength)
    }
    const bytes = this.#bytes
    bytes.write(text, 0, 'latin1')
    bytes[text.length] = 0
    bytes[text.length + 1] = 0
    bytes[text.length + 2] = 0
    bytes[text.length + 3] = 0
    return this.#view
  }
}
