import type { Form } from './redactor-forms.js'

/** Characters per hashed window. Shorter patterns cannot be indexed. */
export const Q = 4
/**
 * A bucket holding this many links is crowded: windows that many patterns share (`%2F` with a
 * neighbour, a JWT header) are left out of an anchor when the pattern has other windows.
 */
const CROWDED = 64
const TABLE_BITS = 20
const TABLE_SHIFT = 32 - TABLE_BITS
/** Longest stride: more would index more windows per pattern than it saves in the scan. */
const MAX_STEP = 16
/** Fields per chain link: pattern id, offset of its window in the pattern, next link. */
const LINK = 3
/** Links are kept in pages of 2^15, so growing never copies what is there (no long pause). */
const PAGE_BITS = 15
const PAGE_MASK = (1 << PAGE_BITS) - 1

function strideFor(length: number): number {
  return Math.min(MAX_STEP, length - Q + 1)
}

function hashAt(text: string, at: number): number {
  const key =
    (text.charCodeAt(at) << 24) ^
    (text.charCodeAt(at + 1) << 16) ^
    (text.charCodeAt(at + 2) << 8) ^
    text.charCodeAt(at + 3)
  return Math.imul(key, 0x9e3779b1) >>> TABLE_SHIFT
}

/**
 * A q-gram index of patterns with incremental insert and remove (no rebuilds). A pattern of length
 * `L` gets a stride `s = min(16, L − 3)` and is indexed by the `s` consecutive windows starting at
 * an anchor. A scan hashes one window in every `S` characters, where `S` is the smallest stride in
 * use; any `s ≥ S` consecutive positions hold a checked one, so every occurrence is found. The anchor is placed where the windows are least shared with other
 * patterns, so values with a common prefix (JWTs, `sk_live_…` keys) do not pile into one bucket.
 */
export class PatternIndex {
  /** Pattern text by id; `undefined` for a free id. */
  readonly #patterns: Array<string | undefined> = []
  /** `keepStart | keepEnd << 4` per pattern. */
  readonly #keep: number[] = []
  readonly #anchor: number[] = []
  readonly #stride: number[] = []
  /** Next pattern id of the same owner (a value's forms form a list), or -1. */
  readonly #next: number[] = []
  readonly #freeIds: number[] = []
  /** Patterns per stride (index 1–16): the scan uses the smallest stride in use. */
  readonly #strides = new Array<number>(MAX_STEP + 1).fill(0)
  #scanStep = MAX_STEP
  #live = 0
  #heads: Int32Array | undefined
  /**
   * One bit per bucket, set while it holds a link: small enough to stay in the CPU cache, so a scan
   * of clean text rarely touches `#heads`, and the anchor choice can afford to look at every window.
   */
  #used: Int32Array | undefined
  /**
   * Links per bucket (saturating at 255): the anchor goes where buckets are least crowded, away
   * from what many patterns share (a JWT header, `%2B` in URL-encoded base64).
   */
  #crowd: Uint8Array | undefined
  #hashes = new Int32Array(64)
  readonly #pages: Int32Array[] = []
  #linkTop = 0
  #freeLink = -1

  /** Number of patterns indexed. */
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

  /** Clears everything. */
  clear(): void {
    this.#patterns.length = 0
    this.#keep.length = 0
    this.#anchor.length = 0
    this.#stride.length = 0
    this.#next.length = 0
    this.#freeIds.length = 0
    this.#strides.fill(0)
    this.#scanStep = MAX_STEP
    this.#live = 0
    this.#heads = undefined
    this.#used = undefined
    this.#crowd = undefined
    this.#pages.length = 0
    this.#linkTop = 0
    this.#freeLink = -1
  }

  /**
   * Every match in `text` as `[start, end)` pairs of the part to replace (context kept out), in
   * no particular order and possibly repeated; only the first one when `first` is set.
   */
  scan(text: string, first: boolean): Array<[number, number]> | undefined {
    const heads = this.#heads
    const used = this.#used
    if (heads === undefined || used === undefined || this.#live === 0) return undefined
    const pages = this.#pages
    const patterns = this.#patterns
    const step = this.#scanStep
    const last = text.length - Q
    let matches: Array<[number, number]> | undefined
    for (let j = 0; j <= last; j += step) {
      const key =
        (text.charCodeAt(j) << 24) ^
        (text.charCodeAt(j + 1) << 16) ^
        (text.charCodeAt(j + 2) << 8) ^
        text.charCodeAt(j + 3)
      const h = Math.imul(key, 0x9e3779b1) >>> TABLE_SHIFT
      if (((used[h >>> 5] as number) & (1 << (h & 31))) === 0) continue
      let link = heads[h] as number
      while (link !== -1) {
        const links = pages[link >>> PAGE_BITS] as Int32Array
        const at = (link & PAGE_MASK) * LINK
        const id = links[at] as number
        const start = j - (links[at + 1] as number)
        link = links[at + 2] as number
        if (start < 0) continue
        const pattern = patterns[id] as string
        // the last character first: cheap, and it rules out most values that share a prefix
        const end = start + pattern.length - 1
        if (text.charCodeAt(end) !== pattern.charCodeAt(pattern.length - 1)) continue
        if (!text.startsWith(pattern, start)) continue
        const keep = this.#keep[id] as number
        const match: [number, number] = [start + (keep & 15), start + pattern.length - (keep >> 4)]
        if (first) return [match]
        if (matches === undefined) matches = [match]
        else matches.push(match)
      }
    }
    return matches
  }

  #insert(form: Form): number {
    const { pattern } = form
    const heads = this.#table()
    const used = this.#used as Int32Array
    const crowd = this.#crowd as Uint8Array
    const windows = pattern.length - Q + 1
    if (this.#hashes.length < windows) this.#hashes = new Int32Array(windows * 2)
    const hashes = this.#hashes
    for (let i = 0; i < windows; i++) hashes[i] = hashAt(pattern, i)
    const { anchor, stride } = this.#anchorOf(hashes, windows, strideFor(pattern.length))
    const id = this.#freeIds.pop() ?? this.#patterns.length
    this.#patterns[id] = pattern
    this.#keep[id] = form.keepStart | (form.keepEnd << 4)
    this.#anchor[id] = anchor
    this.#stride[id] = stride
    this.#next[id] = -1
    for (let k = 0; k < stride; k++) {
      const h = hashes[anchor + k] as number
      const link = this.#newLink()
      const links = this.#pages[link >>> PAGE_BITS] as Int32Array
      const at = (link & PAGE_MASK) * LINK
      links[at] = id
      links[at + 1] = anchor + k
      links[at + 2] = heads[h] as number
      heads[h] = link
      used[h >>> 5] = (used[h >>> 5] as number) | (1 << (h & 31))
      if ((crowd[h] as number) < 255) crowd[h] = (crowd[h] as number) + 1
    }
    this.#live++
    this.#strides[stride] = (this.#strides[stride] as number) + 1
    this.#updateScanStep()
    return id
  }

  /**
   * Where to index a pattern: the run of `stride` windows whose buckets are least crowded, none of
   * them {@link CROWDED}. When no such run exists, the longest run of uncrowded windows with a
   * stride to match (the scan then steps more finely); when every window is crowded, the least
   * crowded run.
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
    for (let i = 0; i < windows; i++) {
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
        longestStart = i - run + 1
      }
      if (run > stride) {
        sum -= at(i - stride)
        run = stride
      }
      if (run === stride && sum < bestSum) {
        bestSum = sum
        best = i - stride + 1
        if (sum === 0) break
      }
    }
    if (best !== -1) return { anchor: best, stride }
    if (longest > 0) return { anchor: longestStart, stride: longest }
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
    for (let k = 0; k < stride; k++) {
      const h = hashAt(pattern, anchor + k)
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
        if (heads[h] === -1) used[h >>> 5] = (used[h >>> 5] as number) & ~(1 << (h & 31))
        // a saturated count stays put: it no longer says how many links there are
        if ((crowd[h] as number) < 255 && (crowd[h] as number) > 0) crowd[h] = (crowd[h] as number) - 1
        break
      }
    }
    this.#patterns[id] = undefined
    this.#freeIds.push(id)
    this.#live--
    this.#strides[stride] = (this.#strides[stride] as number) - 1
    this.#updateScanStep()
  }

  #updateScanStep(): void {
    let stride = 1
    while (stride < MAX_STEP && this.#strides[stride] === 0) stride++
    this.#scanStep = stride
  }

  #table(): Int32Array {
    if (this.#heads === undefined) {
      this.#heads = new Int32Array(1 << TABLE_BITS).fill(-1)
      this.#used = new Int32Array(1 << (TABLE_BITS - 5))
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
