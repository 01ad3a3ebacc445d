import { ByteScratch } from './redactor-bytes.js'
import type { Form } from './redactor-forms.js'
import { IntStack, PagedInts, PagedValues } from './redactor-pages.js'
import {
  type FilterProbe,
  filterMask,
  LINK,
  LINK_GROUP,
  LINK_HASH,
  LINK_NEXT,
  LINK_OFFSET,
  LINK_PAGE_BITS,
  LINK_PAGE_MASK,
  passes,
  WindowTable,
} from './redactor-table.js'

/** Characters per window of a short text (4–11 characters): one 32-bit read. */
const SHORT_Q = 4
/**
 * Characters per window of a text of {@link LONG_FROM} or more: two 32-bit reads. Four characters
 * of base64 take 2^24 values, which a million registered secrets fill: every window of ordinary
 * text would match one. Eight take 2^48, so a window of clean text matches none by content.
 */
const LONG_Q = 8
const LONG_FROM = 12
/**
 * Longest stride: a text of `L` characters gets `s = min(8, L − q + 1)` consecutive windows in the
 * table, and a scan hashes one window every `S` characters (`S` the smallest stride in use).
 * Sixteen would halve the scan's probes and double the table.
 */
const MAX_STRIDE = 8
/** Shortest stride a crowded text may fall back to (see `#anchorOf`). */
const MIN_FALLBACK_STRIDE = 4
/**
 * A chain holding this many links is crowded: windows that many values share (a JWT header, `%2B`
 * with a neighbour) are left out of an anchor when the text has other windows.
 */
const CROWDED = 32
/**
 * Characters every form of a value keeps as they are (letters, digits, `-`, `_`, `.`): a run of
 * them in the raw value stands unchanged in each form, so one set of windows over it finds them all.
 */
const SHARED = /[A-Za-z0-9_.-]+/g
/** Shortest run worth sharing: the full stride of eight-character windows. */
const SHARED_MIN = LONG_Q + MAX_STRIDE - 1
/**
 * Fields per pattern id in {@link PatternIndex}'s records (kept in typed arrays, and every form
 * of a value in one string, so that a million values are a million strings for the garbage
 * collector to mark, not seven million): the pattern's {@link keepWord}; the next
 * pattern of the same value (a value's forms form a list) or -1; the next pattern of the same group
 * or -1 (the group's id is its first pattern's); where the group's text starts in the pattern; and
 * per group id the length of its text (-1 for a pattern that is not a group's first), its anchor
 * window and its stride.
 */
const KEEP = 0
const NEXT = 1
const MEMBER = 2
const RUN_AT = 3
const RUN_LENGTH = 4
const ANCHOR = 5
const STRIDE = 6
/** Where the pattern starts in its value's text (every form of a value in one string), and its length. */
const START = 7
const LENGTH = 8
const FIELDS = 9

/** Bits of a {@link keepWord}: see there. */
const KEEP_START_MASK = 15
const KEEP_END_SHIFT = 4
const LAST_BYTE_SHIFT = 8
const PROBE_BYTE_SHIFT = 16
const PROBE_AT_SHIFT = 24
/** Farthest a probe character stands from the pattern's start (7 bits). */
const PROBE_AT_MAX = 127

/**
 * The KEEP word of a pattern, read before its text so that a pattern that does not match where a
 * window put it is mostly rejected from the line's bytes alone, without reading the pattern:
 *
 *     bits  0–3   keepStart: characters of a match kept as context at its start (0–2)
 *     bits  4–7   keepEnd: the same at its end
 *     bits  8–15  the low byte of the pattern's last character
 *     bits 16–23  the low byte of its probe character
 *     bits 24–30  where the probe character stands in the pattern (0–127)
 *     bit  31     0
 *
 * The scan's copy of the line holds the low byte of each UTF-16 unit, so a byte that differs
 * proves the character differs; equal bytes prove nothing, and the text is compared next. The
 * probe is the first hex letter of a percent escape, which tells a form with uppercase hex from
 * its lowercase twin (the same length and last character), else the middle character.
 */
function keepWord(form: Form): number {
  const pattern = form.pattern
  let probe = -1
  for (
    let at = pattern.indexOf('%');
    at !== -1 && at + 2 < pattern.length;
    at = pattern.indexOf('%', at + 1)
  ) {
    const hex = /[A-Fa-f]/.exec(pattern.slice(at + 1, at + 3))
    if (hex !== null) {
      probe = at + 1 + hex.index
      break
    }
  }
  if (probe === -1 || probe > PROBE_AT_MAX) probe = Math.min(pattern.length >> 1, PROBE_AT_MAX)
  return (
    form.keepStart |
    (form.keepEnd << KEEP_END_SHIFT) |
    ((pattern.charCodeAt(pattern.length - 1) & 255) << LAST_BYTE_SHIFT) |
    ((pattern.charCodeAt(probe) & 255) << PROBE_BYTE_SHIFT) |
    (probe << PROBE_AT_SHIFT)
  )
}

/** What a scan found: `[start, end)` of the part to replace of each value. */
export interface Findings {
  values: Array<[number, number]>
}

/** Hash of the four-character window `key` (text of 4–11 characters). */
function shortHash(key: number): number {
  return Math.imul(key ^ 0x5bd1e995, 0x9e3779b1)
}

/** Hash of the eight-character window made of `key` and `key2` (text of 12 or more characters). */
function longHash(key: number, key2: number): number {
  return Math.imul(Math.imul(key, 0x9e3779b1) ^ key2, 0x85ebca6b)
}

/** The four bytes at `at` (the low byte of each UTF-16 unit), as the scan reads them. */
function windowKey(text: string, at: number): number {
  return (
    ((text.charCodeAt(at) & 255) << 24) |
    ((text.charCodeAt(at + 1) & 255) << 16) |
    ((text.charCodeAt(at + 2) & 255) << 8) |
    (text.charCodeAt(at + 3) & 255)
  )
}

function windowHash(text: string, at: number, long: boolean): number {
  return long ? longHash(windowKey(text, at), windowKey(text, at + 4)) : shortHash(windowKey(text, at))
}

/**
 * The longest run of {@link SHARED} characters of `forms[0]` (the raw value) that every form holds,
 * with where each holds it; `undefined` when shorter than {@link SHARED_MIN} or there is one form.
 */
function sharedRun(forms: readonly Form[]): { run: string; at: number[] } | undefined {
  if (forms.length < 2) return undefined
  let run = ''
  for (const [part] of (forms[0] as Form).pattern.matchAll(SHARED)) if (part.length > run.length) run = part
  if (run.length < SHARED_MIN) return undefined
  const at: number[] = []
  for (const form of forms) {
    const where = form.pattern.indexOf(run)
    if (where === -1) return undefined
    at.push(where)
  }
  return { run, at }
}

/**
 * A sampled q-gram index of patterns with incremental insert and remove, whose cost per scanned
 * window does not grow with the number of patterns.
 *
 * **Groups.** A value's forms (raw, JSON-escaped, URL-encoded…) are indexed as one group when they
 * share a run of 15+ characters no encoding changes (most secrets: letters and digits): one set of
 * windows over the run, and a hit checks each form where the run stands in it. Otherwise each form
 * is a group of its own.
 *
 * **Windows.** A group's text of `L` characters (the run, or the form) is hashed in windows of
 * `q` = 8 characters (4 below 12), and `s = min(8, L − q + 1)` consecutive windows starting at an
 * anchor are linked in a {@link WindowTable}. A scan hashes one window every `S` characters, `S` the
 * smallest stride in use: any `s ≥ S` consecutive positions hold a hashed one, so every occurrence
 * is found. The anchor is placed where the table's chains are least crowded, so values with a
 * common prefix (JWTs, `sk_live_…` keys) do not pile into one chain.
 *
 * **Cost.** A scan of an `n`-character line does `n / S` window hashes and filter tests, plus one
 * chain walk per filter hit; the table keeps about one link per chain (1.5 at most, while it
 * grows) and 16 filter bits per chain, two set per link, so a window of clean text hits with odds
 * near 1/50 (below 1/30) however many patterns there are, and a chain holds about one link. Each link that matches a window's hash costs one check per form
 * of its group (at most a few dozen). Hence O(n) per line, with a constant independent of the
 * number of values, for every input.
 */
export class PatternIndex {
  /** By pattern id, the text of every form of its value (the pattern at its `START`); `undefined` for a free id. */
  readonly #patterns = new PagedValues<string>()
  /** The integer fields of each pattern id (see {@link FIELDS}), in pages: growing never copies them. */
  readonly #records = new PagedInts(FIELDS)
  #nextId = 0
  readonly #freeIds = new IntStack()
  /** Groups per stride (index 1–8): a scan for values uses the smallest in use. */
  readonly #strides = new Array<number>(MAX_STRIDE + 1).fill(0)
  #valueStep = MAX_STRIDE
  #patternCount = 0
  #longGroups = 0
  #shortGroups = 0
  readonly #table = new WindowTable()
  /** Scratch: window hashes of the text being inserted. */
  #hashes = new Int32Array(64)
  readonly #scratch = new ByteScratch()

  /** Number of patterns indexed. */
  get size(): number {
    return this.#patternCount
  }

  /** Bytes the window table holds in typed arrays. */
  get tableBytes(): number {
    return this.#table.bytes
  }

  /** What a scan costs now: characters between the windows it hashes, links held. */
  get shape(): { valueStep: number; links: number } {
    return { valueStep: this.#valueStep, links: this.#table.size }
  }

  /** Indexes `forms` (one value's) as one list; returns the id of its first pattern (-1 for none). */
  insertAll(forms: readonly Form[]): number {
    const kept = forms.filter((form) => form.pattern.length >= SHORT_Q)
    const joined = kept.length === 1 ? (kept[0] as Form).pattern : kept.map((form) => form.pattern).join('')
    let first = -1
    let end = joined.length
    for (let i = kept.length - 1; i >= 0; i--) {
      const form = kept[i] as Form
      const free = this.#freeIds.pop()
      const id = free === -1 ? this.#nextId++ : free
      const records = this.#records
      end -= form.pattern.length
      this.#patterns.set(id, joined)
      records.set(id, START, end)
      records.set(id, LENGTH, form.pattern.length)
      records.set(id, KEEP, keepWord(form))
      records.set(id, NEXT, first)
      records.set(id, MEMBER, -1)
      records.set(id, RUN_AT, 0)
      records.set(id, RUN_LENGTH, -1)
      first = id
    }
    this.#patternCount += kept.length
    const shared = sharedRun(kept)
    if (shared !== undefined) {
      const records = this.#records
      for (let id = first, i = 0; id !== -1; id = records.get(id, NEXT), i++) {
        records.set(id, MEMBER, records.get(id, NEXT))
        records.set(id, RUN_AT, shared.at[i] as number)
      }
      this.#indexGroup(first, shared.run.length)
    } else {
      for (let id = first; id !== -1; id = this.#records.get(id, NEXT))
        this.#indexGroup(id, this.#records.get(id, LENGTH))
    }
    return first
  }

  /** Removes the list of patterns that starts at `first`; returns how many window links that unlinked. */
  removeAll(first: number): number {
    let links = 0
    for (let id = first; id !== -1; ) {
      const next = this.#records.get(id, NEXT)
      // a group's id is its first member, and its members follow it in the list
      if (this.#records.get(id, RUN_LENGTH) >= 0) links += this.#unindexGroup(id)
      this.#patterns.set(id, undefined)
      this.#freeIds.push(id)
      this.#patternCount--
      id = next
    }
    return links
  }

  /** Clears everything. */
  clear(): void {
    this.#patterns.clear()
    this.#records.clear()
    this.#nextId = 0
    this.#freeIds.clear()
    this.#strides.fill(0)
    this.#valueStep = MAX_STRIDE
    this.#patternCount = 0
    this.#longGroups = 0
    this.#shortGroups = 0
    this.#table.clear()
  }

  /**
   * Every value match in `text` as the `[start, end)` of the part to replace (context kept out), in
   * no particular order and possibly repeated; with `first`, only the first one found. `bytes`:
   * `text` already copied by a {@link ByteScratch} (the line scrubber copies each line once for
   * every scan); without it the index copies `text` into its own.
   */
  scanValues(text: string, first: boolean, bytes?: DataView): Findings | undefined {
    const long = this.#longGroups > 0
    const short = this.#shortGroups > 0
    if ((!long && !short) || text.length < SHORT_Q) return undefined
    const view = bytes ?? this.#scratch.bytesOf(text)
    const probe = this.#table.probe
    const step = this.#valueStep
    const lastLong = text.length - LONG_Q
    const last = text.length - SHORT_Q
    let found: Findings | undefined
    if (!short && probe.nextFilter === undefined) {
      // the common case (no value under 12 characters, the table not growing): the tightest loop
      const filter = probe.filter
      const shift = probe.filterShift
      for (let j = nextLongHit(view, filter, shift, 0, lastLong, step); j !== -1; ) {
        // the filter passed: straight to the chain
        found = this.#visitValues(longHash(view.getInt32(j), view.getInt32(j + 4)), j, text, view, found)
        if (first && found !== undefined) return found
        j = nextLongHit(view, filter, shift, j + step, lastLong, step)
      }
      return found
    }
    for (
      let j = nextHit(view, probe, 0, last, lastLong, step, long, short);
      j !== -1;
      j = nextHit(view, probe, j + step, last, lastLong, step, long, short)
    ) {
      found = this.#valuesAt(view, j, text, found, lastLong, long, short)
      if (first && found !== undefined) return found
    }
    return found
  }

  /** The value matches of the window at `j`, of either length. */
  #valuesAt(
    view: DataView,
    j: number,
    text: string,
    found: Findings | undefined,
    lastLong: number,
    long: boolean,
    short: boolean,
  ): Findings | undefined {
    const table = this.#table
    const key = view.getInt32(j)
    let out = found
    if (long && j <= lastLong) {
      const hash = longHash(key, view.getInt32(j + 4))
      if (table.mayHold(hash)) out = this.#visitValues(hash, j, text, view, out)
    }
    if (short) {
      const hash = shortHash(key)
      if (table.mayHold(hash)) out = this.#visitValues(hash, j, text, view, out)
    }
    return out
  }

  /**
   * Checks every group linked under `hash` against `text` at window `j` (`view`: its bytes). Reads
   * links and records in place (one page lookup each), rejects a pattern by its last and probe
   * bytes ({@link keepWord}) before reading its text, and compares the rest as one string compare.
   */
  #visitValues(
    hash: number,
    j: number,
    text: string,
    view: DataView,
    found: Findings | undefined,
  ): Findings | undefined {
    const linkPages = this.#table.linkPages
    const records = this.#records
    const length = text.length
    for (let link = this.#table.head(hash); link !== 0; ) {
      const page = linkPages[(link - 1) >>> LINK_PAGE_BITS] as Int32Array
      const at = ((link - 1) & LINK_PAGE_MASK) * LINK
      link = page[at + LINK_NEXT] as number
      if (page[at + LINK_HASH] !== hash) continue
      const runStart = j - (page[at + LINK_OFFSET] as number)
      for (let id = page[at + LINK_GROUP] as number; id !== -1; ) {
        const fields = records.pageOf(id)
        const base = records.offsetOf(id)
        const pattern = id
        id = fields[base + MEMBER] as number
        const start = runStart - (fields[base + RUN_AT] as number)
        const size = fields[base + LENGTH] as number
        const end = start + size
        if (start < 0 || end > length) continue
        const keep = fields[base + KEEP] as number
        if (view.getUint8(end - 1) !== ((keep >>> LAST_BYTE_SHIFT) & 255)) continue
        if (view.getUint8(start + (keep >>> PROBE_AT_SHIFT)) !== ((keep >>> PROBE_BYTE_SHIFT) & 255)) continue
        const joined = this.#patterns.get(pattern) as string
        const from = fields[base + START] as number
        const whole = from === 0 && size === joined.length
        // one string compare (V8 compares flat strings a block at a time): about twice as fast
        // as comparing character by character, for a cut of the line that costs no copy
        if (text.slice(start, end) !== (whole ? joined : joined.slice(from, from + size))) continue
        found ??= { values: [] }
        found.values.push([start + (keep & KEEP_START_MASK), end - ((keep >>> KEEP_END_SHIFT) & 15)])
      }
    }
    return found
  }

  /** Links the windows of group `id`, whose text is `length` characters of its first pattern from its `runAt`. */
  #indexGroup(id: number, length: number): void {
    const long = length >= LONG_FROM
    const windows = length - (long ? LONG_Q : SHORT_Q) + 1
    const text = this.#patterns.get(id) as string
    const from = this.#records.get(id, START) + this.#records.get(id, RUN_AT)
    if (this.#hashes.length < windows) this.#hashes = new Int32Array(windows * 2)
    for (let k = 0; k < windows; k++) this.#hashes[k] = windowHash(text, from + k, long)
    const { anchor, stride } = this.#anchorOf(windows, Math.min(MAX_STRIDE, windows))
    for (let k = anchor; k < anchor + stride; k++) this.#table.add(this.#hashes[k] as number, id, k)
    this.#records.set(id, RUN_LENGTH, length)
    this.#records.set(id, ANCHOR, anchor)
    this.#records.set(id, STRIDE, stride)
    if (long) this.#longGroups++
    else this.#shortGroups++
    this.#strides[stride] = (this.#strides[stride] as number) + 1
    this.#updateValueStep()
  }

  /** Unlinks group `id`'s windows; returns how many (its stride). */
  #unindexGroup(id: number): number {
    const records = this.#records
    const length = records.get(id, RUN_LENGTH)
    const long = length >= LONG_FROM
    const text = this.#patterns.get(id) as string
    const from = records.get(id, START) + records.get(id, RUN_AT)
    const anchor = records.get(id, ANCHOR)
    const stride = records.get(id, STRIDE)
    for (let k = anchor; k < anchor + stride; k++) this.#table.remove(windowHash(text, from + k, long), id, k)
    records.set(id, RUN_LENGTH, -1)
    if (long) this.#longGroups--
    else this.#shortGroups--
    this.#strides[stride] = (this.#strides[stride] as number) - 1
    this.#updateValueStep()
    return stride
  }

  /**
   * Where to index a group's text: the run of `stride` windows whose chains are least crowded, none
   * of them {@link CROWDED}. When no such run exists, the longest run of uncrowded windows with a
   * stride to match (the scan then steps more finely) if it is {@link MIN_FALLBACK_STRIDE} or more;
   * otherwise the least crowded run of the full stride.
   */
  #anchorOf(windows: number, stride: number): { anchor: number; stride: number } {
    const table = this.#table
    const hashes = this.#hashes
    const at = (i: number) => table.crowd(hashes[i] as number)
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
    // MIN_FALLBACK_STRIDE only. Past that the stride stays and the least crowded run is taken (a
    // longer chain there costs only the windows that hit it).
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

  #updateValueStep(): void {
    let stride = 1
    while (stride < MAX_STRIDE && this.#strides[stride] === 0) stride++
    this.#valueStep = stride
  }
}

/**
 * {@link nextHit} for a table of eight-character windows only that is not growing: the first
 * window at or after `from` (stepping by `step`, up to `lastLong`) whose hash passes `filter`; -1
 * for none.
 */
function nextLongHit(
  view: DataView,
  filter: Int32Array,
  shift: number,
  from: number,
  lastLong: number,
  step: number,
): number {
  for (let j = from; j <= lastLong; j += step) {
    const hash = longHash(view.getInt32(j), view.getInt32(j + 4))
    const bit = hash >>> shift
    const mask = filterMask(bit, hash)
    if (((filter[bit >>> 5] as number) & mask) === mask) return j
  }
  return -1
}

/**
 * The first window at or after `from` (stepping by `step`, up to `last`) that may hold a value
 * (`long`: its eight-character hash, `short`: its four-character one, passes the table's filter);
 * -1 for none. Most windows pass neither: this loop is all a scan of clean text runs.
 */
function nextHit(
  view: DataView,
  probe: FilterProbe,
  from: number,
  last: number,
  lastLong: number,
  step: number,
  long: boolean,
  short: boolean,
): number {
  const filter = probe.filter
  const shift = probe.filterShift
  const growing = probe.nextFilter !== undefined
  for (let j = from; j <= last; j += step) {
    const key = view.getInt32(j)
    if (long && j <= lastLong) {
      const hash = longHash(key, view.getInt32(j + 4))
      const bit = hash >>> shift
      if (
        growing
          ? passes(probe, hash)
          : ((filter[bit >>> 5] as number) & filterMask(bit, hash)) === filterMask(bit, hash)
      )
        return j
    }
    if (short) {
      const hash = shortHash(key)
      const bit = hash >>> shift
      if (
        growing
          ? passes(probe, hash)
          : ((filter[bit >>> 5] as number) & filterMask(bit, hash)) === filterMask(bit, hash)
      )
        return j
    }
  }
  return -1
}
