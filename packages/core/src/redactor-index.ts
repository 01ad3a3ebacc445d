import { ByteScratch } from './redactor-bytes.js'
import type { Form } from './redactor-forms.js'
import { caseVariants, sameLetters, WordTable } from './redactor-words.js'

/** Characters per hashed window. Shorter patterns cannot be indexed. */
const Q = 4
/**
 * A bucket holding this many links is crowded: windows that many patterns share (`%2F` with a
 * neighbour, a JWT header) are left out of an anchor when the pattern has other windows.
 */
const CROWDED = 64
const TABLE_BITS = 20
const TABLE_SHIFT = 32 - TABLE_BITS
/** Shortest stride a crowded pattern may fall back to (see `#anchorOf`). */
const MIN_FALLBACK_STRIDE = 8
/** Longest stride: more would index more windows per pattern than it saves in the scan. */
const MAX_STEP = 16
/**
 * Windows indexed per word, so a scan that looks for words steps by at most this. Words are short
 * (`token` has two windows of its own): one with fewer windows also gets the window made of any
 * byte and its first three characters, then the one made of its last three and any byte. (Four
 * is what `token` allows; a wider step would need windows of two unknown bytes, 65,536 each.)
 */
const WORD_STEP = 4
/** Fields per chain link: pattern id, offset of its window in the pattern, next link. */
const LINK = 3
/** Links are kept in pages of 2^15, so growing never copies what is there (no long pause). */
const PAGE_BITS = 15
const PAGE_MASK = (1 << PAGE_BITS) - 1

/** What a scan found: `[start, end)` of the part to replace of each value, and of each word. */
export interface Findings {
  values: Array<[number, number]>
  words: Array<[number, number]>
}

function strideFor(length: number): number {
  return Math.min(MAX_STEP, length - Q + 1)
}

/** The window key at `at`: four bytes (the low byte of each UTF-16 unit), as the scan reads them. */
function windowKey(text: string, at: number): number {
  return (
    ((text.charCodeAt(at) & 255) << 24) |
    ((text.charCodeAt(at + 1) & 255) << 16) |
    ((text.charCodeAt(at + 2) & 255) << 8) |
    (text.charCodeAt(at + 3) & 255)
  )
}

function bucketOf(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> TABLE_SHIFT
}

/** A second, independent hash of a window key: the scan visits a bucket only when both bits are set. */
function checkOf(key: number): number {
  return Math.imul(key, 0x85ebca6b) >>> TABLE_SHIFT
}

/**
 * A q-gram index of patterns with incremental insert and remove (no rebuilds). A pattern of length
 * `L` gets a stride `s = min(16, L − 3)` and is indexed by the `s` consecutive windows starting at
 * an anchor. A scan hashes one window in every `S` characters, where `S` is the smallest stride in
 * use; any `s ≥ S` consecutive positions hold a checked one, so every occurrence is found. The
 * anchor is placed where the windows are least shared with other patterns, so values with a common
 * prefix (JWTs, `sk_live_…` keys) do not pile into one bucket.
 *
 * Words (matched in any letter case, never removed) set bits in the same bit tables, so the scan
 * still probes one table per window; their windows, every spelling of each, are kept in a small
 * table of their own. A scan for values and words steps by at most {@link WORD_STEP}; a scan for
 * values alone ignores words.
 */
export class PatternIndex {
  /** Value pattern text by id; `undefined` for a free id. */
  readonly #patterns: Array<string | undefined> = []
  /** `keepStart | keepEnd << 4` per pattern. */
  readonly #keep: number[] = []
  readonly #anchor: number[] = []
  readonly #stride: number[] = []
  /** Next pattern id of the same owner (a value's forms form a list), or -1. */
  readonly #next: number[] = []
  readonly #freeIds: number[] = []
  /** Value patterns per stride (index 1–16): a scan for values uses the smallest in use. */
  readonly #strides = new Array<number>(MAX_STEP + 1).fill(0)
  #valueStep = MAX_STEP
  #wordStep = WORD_STEP
  #live = 0
  /** Words by index, lowercase. */
  readonly #wordList: string[] = []
  /** Every spelling of every word window, by its exact key. */
  readonly #words = new WordTable()
  /** Buckets of `#used` that word windows need: removing a value never clears them. */
  readonly #wordBuckets = new Set<number>()
  /** The second-hash bits of word windows (never cleared; words are never removed). */
  #wordChecks: Int32Array | undefined
  #heads: Int32Array | undefined
  /**
   * One bit per bucket, set while it holds a link: small enough to stay in the CPU cache, so a scan
   * of clean text rarely touches `#heads`, and the anchor choice can afford to look at every window.
   */
  #used: Int32Array | undefined
  /**
   * A second bit per window under {@link checkOf}, with the number of links behind it (saturating
   * at 255; a saturated bit stays set). A window of clean text that lands on a used bucket by chance
   * rarely lands on a used check bit too, so the scan seldom reads `#heads` (4 MB, out of cache)
   * for nothing.
   */
  #checks: Int32Array | undefined
  #checkCounts: Uint8Array | undefined
  /**
   * Links per bucket (saturating at 255): the anchor goes where buckets are least crowded, away
   * from what many patterns share (a JWT header, `%2B` in URL-encoded base64).
   */
  #crowd: Uint8Array | undefined
  /** Bucket and window key of each window of the pattern being inserted. */
  #hashes = new Int32Array(64)
  readonly #scratch = new ByteScratch()
  #keys = new Int32Array(64)
  readonly #pages: Int32Array[] = []
  #linkTop = 0
  #freeLink = -1

  /** Number of value patterns indexed. */
  get size(): number {
    return this.#live
  }

  /** Indexes `forms` as one list; returns the id of its first pattern (-1 for none). */
  insertAll(forms: readonly Form[]): number {
    let first = -1
    for (let i = forms.length - 1; i >= 0; i--) {
      const form = forms[i] as Form
      if (form.pattern.length < Q) continue
      const id = this.#insert(form)
      this.#next[id] = first
      first = id
    }
    return first
  }

  /** Removes the list of patterns that starts at `first`. */
  removeAll(first: number): void {
    for (let id = first; id !== -1; ) {
      const next = this.#next[id] as number
      this.#remove(id)
      id = next
    }
  }

  /**
   * Indexes a word (at least {@link Q} characters), found by {@link scanAll} in any
   * ASCII letter case. A word of fewer than seven characters is found only where a character
   * precedes and follows it (in a JSON line a key always stands between quotes). Words are never
   * removed.
   */
  insertWord(word: string): void {
    const pattern = word.toLowerCase()
    this.#table()
    const windows = pattern.length - Q + 1
    const index = this.#wordList.length
    this.#wordList.push(pattern)
    const seen = new Set<number>()
    /** Indexes the word at `offset` (-1: the window starts one byte before it) under every spelling of each key. */
    const linkAll = (keys: readonly number[], offset: number) => {
      seen.clear()
      for (const key of keys) {
        for (const variant of caseVariants(key)) {
          if (seen.has(variant)) continue
          seen.add(variant)
          this.#linkWord(variant, index, offset)
        }
      }
    }
    const anyByte = (key: (byte: number) => number) => Array.from({ length: 256 }, (_, byte) => key(byte))
    let stride = Math.min(windows, WORD_STEP)
    for (let k = 0; k < stride; k++) linkAll([windowKey(pattern, k)], k)
    // the window before the word first: `"key":` patterns end in `":`, and `d":` + any byte is in
    // every line that has a key ending in `d`
    if (stride < WORD_STEP) {
      const head = windowKey(`\0${pattern.slice(0, 3)}`, 0)
      linkAll(
        anyByte((byte) => head | (byte << 24)),
        -1,
      )
      stride++
    }
    if (stride < WORD_STEP) {
      const tail = windowKey(`${pattern.slice(-3)}\0`, 0)
      linkAll(
        anyByte((byte) => tail | byte),
        windows,
      )
      stride++
    }
    this.#wordStep = Math.min(this.#wordStep, stride)
  }

  /** Clears everything, words included. */
  clear(): void {
    this.#patterns.length = 0
    this.#keep.length = 0
    this.#anchor.length = 0
    this.#stride.length = 0
    this.#next.length = 0
    this.#freeIds.length = 0
    this.#strides.fill(0)
    this.#valueStep = MAX_STEP
    this.#wordStep = WORD_STEP
    this.#live = 0
    this.#wordList.length = 0
    this.#words.clear()
    this.#wordBuckets.clear()
    this.#heads = undefined
    this.#used = undefined
    this.#checks = undefined
    this.#checkCounts = undefined
    this.#wordChecks = undefined
    this.#crowd = undefined
    this.#pages.length = 0
    this.#linkTop = 0
    this.#freeLink = -1
  }

  /**
   * Every value match in `text` as the `[start, end)` of the part to replace (context kept out), in
   * no particular order and possibly repeated; with `first`, only the first one found.
   */
  scanValues(text: string, first: boolean): Findings | undefined {
    const heads = this.#heads
    const used = this.#used
    if (heads === undefined || used === undefined || this.#live === 0) return undefined
    const last = text.length - Q
    if (last < 0) return undefined
    const view = this.#scratch.bytesOf(text)
    const checks = this.#checks as Int32Array
    const step = this.#valueStep
    let found: Findings | undefined
    for (
      let j = nextHit(view, used, checks, checks, 0, last, step);
      j !== -1;
      j = nextHit(view, used, checks, checks, j + step, last, step)
    ) {
      found = this.#visitValues(view.getInt32(j), j, text, found)
      if (first && found !== undefined) return found
    }
    return found
  }

  /**
   * {@link scanValues} and every word in the same pass, as `[start, end)`. A separate method from
   * `scanValues`, so that each keeps its own optimized code.
   */
  scanAll(text: string): Findings | undefined {
    if (this.#wordList.length === 0) return this.scanValues(text, false)
    const used = this.#used as Int32Array
    const last = text.length - Q
    if (last < 0) return undefined
    const view = this.#scratch.bytesOf(text)
    const checks = this.#checks as Int32Array
    const wordChecks = this.#wordChecks as Int32Array
    const step = this.#live === 0 ? this.#wordStep : Math.min(this.#valueStep, this.#wordStep)
    let found: Findings | undefined
    /**
     * Windows before this find no word worth reporting: a word was found in the stretch without a
     * quote that runs up to here, and a log scrubber needs one hit per key, not one per word (a
     * 100 KB string of `token token …` reports one). Bounded: each stretch is searched once.
     */
    let wordsUntil = -1
    for (
      let j = nextHit(view, used, checks, wordChecks, 0, last, step);
      j !== -1;
      j = nextHit(view, used, checks, wordChecks, j + step, last, step)
    ) {
      const key = view.getInt32(j)
      const g = checkOf(key)
      if (j >= wordsUntil && ((wordChecks[g >>> 5] as number) & (1 << (g & 31))) !== 0) {
        const before = found?.words.length ?? 0
        found = this.#visitWords(key, j, text, found)
        const words = found?.words
        if (words !== undefined && words.length > before) {
          let end = 0
          for (let k = before; k < words.length; k++) end = Math.max(end, (words[k] as [number, number])[1])
          const quote = text.indexOf('"', end)
          // a `"key":` word starts at that quote, and its window may start one byte before it
          wordsUntil = quote === -1 ? text.length : quote - 1
        }
      }
      if (((checks[g >>> 5] as number) & (1 << (g & 31))) !== 0)
        found = this.#visitValues(key, j, text, found)
    }
    return found
  }

  /** Checks every value pattern linked under window `key` against `text` at window `j`. */
  #visitValues(key: number, j: number, text: string, found: Findings | undefined): Findings | undefined {
    const pages = this.#pages
    let link = (this.#heads as Int32Array)[bucketOf(key)] as number
    while (link !== -1) {
      const links = pages[link >>> PAGE_BITS] as Int32Array
      const at = (link & PAGE_MASK) * LINK
      const id = links[at] as number
      const start = j - (links[at + 1] as number)
      link = links[at + 2] as number
      if (start < 0) continue
      const pattern = this.#patterns[id] as string
      const end = start + pattern.length
      // the last character first: cheap, and it rules out most values that share a prefix
      if (text.charCodeAt(end - 1) !== pattern.charCodeAt(pattern.length - 1)) continue
      if (!text.startsWith(pattern, start)) continue
      const keep = this.#keep[id] as number
      found ??= { values: [], words: [] }
      found.values.push([start + (keep & 15), end - (keep >> 4)])
    }
    return found
  }

  /** Checks every word indexed under window `key` against `text` at window `j`. */
  #visitWords(key: number, j: number, text: string, found: Findings | undefined): Findings | undefined {
    const words = this.#words
    for (let slot = words.first(key); slot !== -1; slot = words.next(key, slot)) {
      const entry = words.entry(slot)
      const word = this.#wordList[entry >>> 8] as string
      const start = j - ((entry & 255) - 2)
      const end = start + word.length
      if (start < 0 || end > text.length || !sameLetters(text, start, word)) continue
      found ??= { values: [], words: [] }
      found.words.push([start, end])
    }
    return found
  }

  #insert(form: Form): number {
    const { pattern } = form
    const heads = this.#table()
    const windows = pattern.length - Q + 1
    this.#fillHashes(pattern, windows)
    const { anchor, stride } = this.#anchorOf(this.#hashes, windows, strideFor(pattern.length))
    const id = this.#newId(pattern)
    this.#keep[id] = form.keepStart | (form.keepEnd << 4)
    this.#anchor[id] = anchor
    this.#stride[id] = stride
    for (let k = 0; k < stride; k++) this.#link(heads, this.#keys[anchor + k] as number, id, anchor + k)
    this.#live++
    this.#strides[stride] = (this.#strides[stride] as number) + 1
    this.#updateValueStep()
    return id
  }

  #linkWord(key: number, index: number, offset: number): void {
    const h = bucketOf(key)
    const used = this.#used as Int32Array
    used[h >>> 5] = (used[h >>> 5] as number) | (1 << (h & 31))
    this.#wordBuckets.add(h)
    const g = checkOf(key)
    const checks = this.#wordChecks as Int32Array
    checks[g >>> 5] = (checks[g >>> 5] as number) | (1 << (g & 31))
    this.#words.add(key, (index << 8) | (offset + 2))
  }

  #fillHashes(pattern: string, windows: number): void {
    if (this.#hashes.length < windows) {
      this.#hashes = new Int32Array(windows * 2)
      this.#keys = new Int32Array(windows * 2)
    }
    for (let i = 0; i < windows; i++) {
      const key = windowKey(pattern, i)
      this.#keys[i] = key
      this.#hashes[i] = bucketOf(key)
    }
  }

  #newId(pattern: string): number {
    const id = this.#freeIds.pop() ?? this.#patterns.length
    this.#patterns[id] = pattern
    this.#keep[id] = 0
    this.#next[id] = -1
    return id
  }

  #link(heads: Int32Array, key: number, id: number, offset: number): void {
    const h = bucketOf(key)
    const used = this.#used as Int32Array
    const crowd = this.#crowd as Uint8Array
    const g = checkOf(key)
    const counts = this.#checkCounts as Uint8Array
    if ((counts[g] as number) < 255) counts[g] = (counts[g] as number) + 1
    const checks = this.#checks as Int32Array
    checks[g >>> 5] = (checks[g >>> 5] as number) | (1 << (g & 31))
    const link = this.#newLink()
    const links = this.#pages[link >>> PAGE_BITS] as Int32Array
    const at = (link & PAGE_MASK) * LINK
    links[at] = id
    links[at + 1] = offset
    links[at + 2] = heads[h] as number
    heads[h] = link
    used[h >>> 5] = (used[h >>> 5] as number) | (1 << (h & 31))
    if ((crowd[h] as number) < 255) crowd[h] = (crowd[h] as number) + 1
  }
  /**
   * Where to index a pattern: the run of `stride` windows whose buckets are least crowded, none of
   * them {@link CROWDED}. When no such run exists, the longest run of uncrowded windows with a
   * stride to match (the scan then steps more finely) if it is {@link MIN_FALLBACK_STRIDE} or more;
   * otherwise the least crowded run of the full stride.
   */
  #anchorOf(hashes: Int32Array, windows: number, stride: number): { anchor: number; stride: number } {
    const crowd = this.#crowd as Uint8Array
    const at = (i: number) => crowd[hashes[i] as number] as number
    let best = -1
    let bestSum = Number.POSITIVE_INFINITY
    let run = 0
    let sum = 0
    let longest = 0
    let longestStart = -1
    // from the end: values that share a beginning (a JWT header, `sk_live_`) differ at their end,
    // so the first values of a kind are not anchored where all later ones would crowd them
    for (let i = windows - 1; i >= 0; i--) {
      const c = at(i)
      if (c >= CROWDED) {
        run = 0
        sum = 0
        continue
      }
      run++
      sum += c
      if (run > longest) {
        longest = run
        longestStart = i
      }
      if (run > stride) {
        sum -= at(i + stride)
        run = stride
      }
      if (run === stride && sum < bestSum) {
        bestSum = sum
        best = i
        if (sum === 0) break
      }
    }
    if (best !== -1) return { anchor: best, stride }
    // A shorter stride lowers the step of every scan (the smallest stride in use): allowed down to
    // MIN_FALLBACK_STRIDE only. Past that, when many values crowd the table, the stride stays and
    // the least crowded run is taken (a longer chain there costs only the windows that hit it).
    if (longest >= Math.min(stride, MIN_FALLBACK_STRIDE)) return { anchor: longestStart, stride: longest }
    let anchor = 0
    sum = 0
    for (let i = 0; i < stride; i++) sum += at(i)
    bestSum = sum
    for (let a = 1; a + stride <= windows; a++) {
      sum += at(a + stride - 1) - at(a - 1)
      if (sum < bestSum) {
        bestSum = sum
        anchor = a
      }
    }
    return { anchor, stride }
  }

  #remove(id: number): void {
    const pattern = this.#patterns[id]
    const heads = this.#heads
    if (pattern === undefined || heads === undefined) return
    const used = this.#used as Int32Array
    const crowd = this.#crowd as Uint8Array
    const anchor = this.#anchor[id] as number
    const stride = this.#stride[id] as number
    const checks = this.#checks as Int32Array
    const counts = this.#checkCounts as Uint8Array
    for (let k = 0; k < stride; k++) {
      const key = windowKey(pattern, anchor + k)
      const h = bucketOf(key)
      let previous = -1
      for (let link = heads[h] as number; link !== -1; link = this.#field(link, 2)) {
        if (this.#field(link, 0) !== id || this.#field(link, 1) !== anchor + k) {
          previous = link
          continue
        }
        const next = this.#field(link, 2)
        if (previous === -1) heads[h] = next
        else this.#setField(previous, 2, next)
        this.#setField(link, 2, this.#freeLink)
        this.#freeLink = link
        if (heads[h] === -1 && !this.#wordBuckets.has(h))
          used[h >>> 5] = (used[h >>> 5] as number) & ~(1 << (h & 31))
        // a saturated count stays put: it no longer says how many links there are
        if ((crowd[h] as number) < 255 && (crowd[h] as number) > 0) crowd[h] = (crowd[h] as number) - 1
        const g = checkOf(key)
        const count = counts[g] as number
        if (count < 255 && count > 0) {
          counts[g] = count - 1
          if (count === 1) checks[g >>> 5] = (checks[g >>> 5] as number) & ~(1 << (g & 31))
        }
        break
      }
    }
    this.#patterns[id] = undefined
    this.#freeIds.push(id)
    this.#live--
    this.#strides[stride] = (this.#strides[stride] as number) - 1
    this.#updateValueStep()
  }

  #updateValueStep(): void {
    let stride = 1
    while (stride < MAX_STEP && this.#strides[stride] === 0) stride++
    this.#valueStep = stride
  }

  #table(): Int32Array {
    if (this.#heads === undefined) {
      this.#heads = new Int32Array(1 << TABLE_BITS).fill(-1)
      this.#used = new Int32Array(1 << (TABLE_BITS - 5))
      this.#checks = new Int32Array(1 << (TABLE_BITS - 5))
      this.#checkCounts = new Uint8Array(1 << TABLE_BITS)
      this.#wordChecks = new Int32Array(1 << (TABLE_BITS - 5))
      this.#crowd = new Uint8Array(1 << TABLE_BITS)
    }
    return this.#heads
  }

  #field(link: number, field: number): number {
    return (this.#pages[link >>> PAGE_BITS] as Int32Array)[(link & PAGE_MASK) * LINK + field] as number
  }

  #setField(link: number, field: number, value: number): void {
    ;(this.#pages[link >>> PAGE_BITS] as Int32Array)[(link & PAGE_MASK) * LINK + field] = value
  }

  #newLink(): number {
    if (this.#freeLink !== -1) {
      const link = this.#freeLink
      this.#freeLink = this.#field(link, 2)
      return link
    }
    if (this.#linkTop >>> PAGE_BITS >= this.#pages.length) {
      this.#pages.push(new Int32Array((PAGE_MASK + 1) * LINK))
    }
    return this.#linkTop++
  }
}

/**
 * The first window at or after `from` (stepping by `step`, up to `last`) whose bucket holds a link
 * and whose second check passes in `checks` or `moreChecks` (a scan for values alone passes
 * `checks` twice), or -1. Most windows hit an empty bucket: this loop is all a scan of clean
 * text runs.
 */
function nextHit(
  view: DataView,
  used: Int32Array,
  checks: Int32Array,
  moreChecks: Int32Array,
  from: number,
  last: number,
  step: number,
): number {
  for (let j = from; j <= last; j += step) {
    const key = view.getInt32(j)
    const h = Math.imul(key, 0x9e3779b1) >>> TABLE_SHIFT
    // `>>> h` shifts by h mod 32: the bit of bucket h in its word
    if ((((used[h >>> 5] as number) >>> h) & 1) === 0) continue
    const g = Math.imul(key, 0x85ebca6b) >>> TABLE_SHIFT
    if (((((checks[g >>> 5] as number) | (moreChecks[g >>> 5] as number)) >>> g) & 1) !== 0) return j
  }
  return -1
}
