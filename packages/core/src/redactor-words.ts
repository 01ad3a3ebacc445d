import { ByteScratch } from './redactor-bytes.js'

/**
 * Finding the texts a log scrubber watches (credential key words, `"key":` of exact keys) in any
 * ASCII letter case, in one linear pass: {@link WordFinder}.
 */

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
 * The text is copied to bytes once (the low byte of each UTF-16 unit; the line scrubber passes the
 * copy it made for the values' scan) and one four-character window is read every `S` characters (`S = min(4, L − 1)` for the shortest pattern of `L`
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
  readonly #scratch = new ByteScratch()

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
   * stretch without an unescaped `"` (see the class comment). `bytes`: `text` as a
   * {@link ByteScratch} copied it (the line scrubber copies each line once, for this and every
   * redactor's scan); without it the finder copies `text` into its own.
   */
  find(text: string, bytes?: DataView): WordHits {
    const length = text.length
    if (this.#patterns.length === 0 || length < this.#shortest) return NO_WORDS
    const view = bytes ?? this.#scratch.bytesOf(text)
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
}
