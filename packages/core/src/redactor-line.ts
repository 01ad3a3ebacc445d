/**
 * Scrubbing one finished JSON log line, top to bottom:
 *
 * 1. Each redactor's index finds the values it knows in the line ({@link findValues}), and a
 *    key policy's `findWords` finds the texts it watches (credential words, `"key":` of exact keys;
 *    a {@link WordFinder}: one four-character window every four characters, skipping to the next
 *    quote after a find, see `redactor-words.ts`).
 * 2. A clean line (no hit) is returned as it is: that is the common case, and all it cost was the scan.
 * 3. Otherwise {@link editJsonLine} walks the line forward once, from hit to hit, skipping whole
 *    JSON strings with `indexOf('"')`. It knows at each hit whether it stands in a key, a string
 *    value or a number, and which key owns the value that follows:
 *    - a sensitive key (the policy decides, once per key that holds a watched word) gets its value
 *      censored: a string whole, every string inside an object or array (keys, numbers, booleans
 *      and `null` stay);
 *    - a value match inside a string is replaced there, widened to whole escape sequences so the
 *      string stays valid JSON; one in a number (or crossing a token boundary) censors the whole
 *      JSON value it sits in, as a string: `"amount":91482913 77` never becomes broken JSON.
 *
 * **Bound**: every step moves the cursor forward and never reads a character twice except the
 * backslashes before a quote (each run once) and a literal's characters (once back, once forward):
 * the pass is O(line length) for every input, whatever the number of hits. Sorting the hits is
 * O(h log h) for h hits (h ≤ line length; a clean line has none).
 *
 * A line that is not a JSON object or array (a caller's `streamWrite` made it so) has its value
 * matches replaced where they stand, and no key censoring.
 */
import type { SecretRedactor } from './redactor.js'
import { ByteScratch } from './redactor-bytes.js'
import { type LineScan, lineScanOf, type Span } from './redactor-scan.js'
import { WordFinder, type WordHits } from './redactor-words.js'

/** Which keys of a line are sensitive; see {@link createLineScrubber}. */
export interface LineKeyPolicy {
  /**
   * Texts that may start a sensitive key, found in any letter case, each 4+ characters (shorter ones
   * are left out): credential words found anywhere in a key, and `"key":` for each exact key that
   * holds none of them. Found by a {@link WordFinder} when all are ASCII, else by one regular
   * expression of literal alternatives (the finder folds ASCII letters only).
   */
  readonly watch: readonly string[]
  /** True when a key (its raw JSON text, between the quotes) is sensitive. Called once per key that holds a watched text. */
  isSensitiveKey(key: string): boolean
  /** What a sensitive key's string values become (written as a JSON string). */
  readonly censor: string
}

const QUOTE = 34
const NONE: readonly Span[] = Object.freeze([])
const NO_WORDS: WordHits = Object.freeze([])
const BACKSLASH = 92
const COLON = 58

function byStart(a: Span, b: Span): number {
  return a[0] - b[0] || b[1] - a[1]
}

/**
 * `spans` ordered by start. The scan reports them nearly in order (each window's hits together),
 * so an insertion sort does O(n · d) work for n hits displaced by at most d places, d small: less
 * than a general sort, and no copy when they are already in order.
 */
function sortedByStart(spans: readonly Span[]): readonly Span[] {
  let ordered = true
  for (let i = 1; i < spans.length && ordered; i++)
    ordered = byStart(spans[i - 1] as Span, spans[i] as Span) <= 0
  if (ordered) return spans
  const out = [...spans]
  for (let i = 1; i < out.length; i++) {
    const item = out[i] as Span
    let j = i - 1
    // a hit far out of place (more than 64 back) means no near order: fall back to a general sort
    const floor = i - 64
    while (j >= 0 && byStart(out[j] as Span, item) > 0) {
      if (j < floor) return out.sort(byStart)
      out[j + 1] = out[j] as Span
      j--
    }
    out[j + 1] = item
  }
  return out
}

/** Index of the quote closing the JSON string that opens at `open`, or -1 when unterminated. */
export function stringEnd(line: string, open: number): number {
  let from = open + 1
  for (;;) {
    const quote = line.indexOf('"', from)
    if (quote === -1) return -1
    let before = quote - 1
    while (before > open && line.charCodeAt(before) === BACKSLASH) before--
    if ((quote - 1 - before) % 2 === 0) return quote
    from = quote + 1
  }
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13
}

/** A character of a bare JSON literal (number, `true`, `false`, `null`). */
function isLiteral(code: number): boolean {
  return (
    (code >= 48 && code <= 57) ||
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    code === 45 ||
    code === 43 ||
    code === 46
  )
}

/** First index at or after `at` that is not JSON whitespace. */
function skipSpace(line: string, at: number): number {
  let i = at
  while (i < line.length && isSpace(line.charCodeAt(i))) i++
  return i
}

/**
 * Edits collected in order, applied at the end. Each starts at or after the end of the previous
 * one (the walk only moves forward).
 */
class Edits {
  out = ''
  cursor = 0
  constructor(readonly line: string) {}
  add(start: number, end: number, text: string): void {
    this.out += this.line.slice(this.cursor, start) + text
    this.cursor = end
  }
  result(): string {
    return this.cursor === 0 ? this.line : this.out + this.line.slice(this.cursor)
  }
}

/**
 * The first `char` at or after a position, for positions asked (mostly) in increasing order: an
 * answer is reused until the position passes it, so all the asking costs one pass over the line.
 */
class NextIndex {
  /** The last position searched from (-1: none yet) and the first `char` at or after it (-1: none). */
  #from = -1
  #at = -1
  constructor(
    readonly line: string,
    readonly char: string,
  ) {}
  from(position: number): number {
    if (this.#from !== -1 && position >= this.#from && (this.#at === -1 || this.#at >= position))
      return this.#at
    this.#at = this.line.indexOf(this.char, position)
    this.#from = position
    return this.#at
  }
}

/**
 * Where a value match `[start, end)` inside a string must be widened so that it does not cut an
 * escape sequence (`\n`, `\"`, `\u00e9`): `[start', end')`. `from` is a point of the same string
 * the walk has already passed, never inside an escape; positions only grow between calls.
 */
function widenToEscapes(backslashes: NextIndex, from: number, start: number, end: number): [number, number] {
  let s = start
  let e = end
  let i = backslashes.from(from)
  while (i !== -1 && i < e) {
    const length = backslashes.line.charCodeAt(i + 1) === 117 /* u */ ? 6 : 2
    if (i < s && i + length > s) s = i
    if (i + length > e) e = i + length
    i = backslashes.from(i + length)
  }
  return [s, e]
}

/** The JSON texts an edit writes, worked out once per scrubber. */
export interface EditTexts {
  /** The replacement as a whole JSON string, quotes included. */
  readonly whole: string
  /** The replacement as it stands inside a JSON string. */
  readonly inString: string
  /** The censor of sensitive keys as a whole JSON string. */
  readonly censor: string
}

/** The {@link EditTexts} of `policy` (its censor) and `replacement`. */
export function editTexts(policy: LineKeyPolicy | undefined, replacement: string): EditTexts {
  const whole = JSON.stringify(replacement)
  return { whole, inString: whole.slice(1, -1), censor: JSON.stringify(policy?.censor ?? replacement) }
}

/**
 * `line` with sensitive keys censored and every value match replaced, in one forward pass (see the
 * file comment for the rules and the bound). `words` are flat `[start, end)` pairs ordered by start
 * ({@link WordHits}), `values` unsorted `[start, end)` hits. `texts` defaults to
 * `editTexts(policy, replacement)`; a scrubber passes the ones it worked out once.
 */
export function editJsonLine(
  line: string,
  words: WordHits,
  values: readonly Span[],
  policy: LineKeyPolicy | undefined,
  replacement: string,
  texts: EditTexts = editTexts(policy, replacement),
): string {
  const first = line.charCodeAt(skipSpace(line, 0))
  const hits = sortedByStart(values)
  if (first !== 123 /* { */ && first !== 91 /* [ */) return replaceWhereTheyStand(line, hits, replacement)
  const keyHits = policy === undefined ? NO_WORDS : words
  if (hits.length === 0 && policy !== undefined) {
    const quick = censorKeysNearby(line, keyHits, policy, texts.censor)
    if (quick !== undefined) return quick
  }
  const { whole, inString, censor } = texts
  const edits = new Edits(line)
  const backslashes = new NextIndex(line, '\\')
  const quotes = new NextIndex(line, '"')
  let v = 0
  let w = 0
  /** Tokens that start before this are censored whole: a match ran past the token it started in. */
  let censorUntil = 0
  let at = 0

  /** Drops hits that start before `position`; returns the furthest end among dropped value hits. */
  const dropValuesBefore = (position: number): number => {
    let furthest = 0
    while (v < hits.length && (hits[v] as Span)[0] < position)
      furthest = Math.max(furthest, (hits[v++] as Span)[1])
    return furthest
  }
  const dropWordsBefore = (position: number): boolean => {
    const any = w < keyHits.length && (keyHits[w] as number) < position
    while (w < keyHits.length && (keyHits[w] as number) < position) w += 2
    return any
  }

  /** The string token `[open, close]`: censors value matches in it; returns whether it is a key. */
  const scrubString = (open: number, close: number, isKey: boolean): void => {
    const end = close + 1
    if (open < censorUntil) {
      edits.add(open, end, whole)
      censorUntil = Math.max(censorUntil, dropValuesBefore(end))
      return
    }
    let from = open + 1
    while (v < hits.length && (hits[v] as Span)[0] < end) {
      const [start, stop] = hits[v++] as Span
      if (stop > close || isKey) {
        // a match crossing the closing quote, or a value used as a key: the whole token goes
        edits.add(open, end, whole)
        censorUntil = Math.max(censorUntil, stop, dropValuesBefore(end))
        return
      }
      let [s, e] = widenToEscapes(backslashes, from, Math.max(start, open + 1), stop)
      // overlapping matches merge into one replacement
      while (v < hits.length && (hits[v] as Span)[0] < e) {
        const next = hits[v++] as Span
        if (next[1] > close) {
          edits.add(open, end, whole)
          censorUntil = Math.max(censorUntil, next[1], dropValuesBefore(end))
          return
        }
        ;[s, e] = widenToEscapes(backslashes, e, s, Math.max(e, next[1]))
      }
      if (s < edits.cursor) s = edits.cursor
      edits.add(s, e, inString)
      from = e
    }
  }

  /** A bare literal starting at `start`: censored whole when a match touches it. Returns its end. */
  const scrubLiteral = (start: number): number => {
    let end = start
    while (end < line.length && isLiteral(line.charCodeAt(end))) end++
    const furthest = dropValuesBefore(end)
    dropWordsBefore(end)
    if (start < censorUntil || furthest > 0) {
      if (end > start) edits.add(start, end, whole)
      censorUntil = Math.max(censorUntil, furthest)
    }
    return end
  }

  /** Censors the value of a sensitive key starting at `start`; returns the index past it. */
  const censorValue = (start: number): number => {
    const code = line.charCodeAt(start)
    if (code === QUOTE) {
      const close = stringEnd(line, start)
      const end = close === -1 ? line.length : close + 1
      edits.add(start, end, censor)
      dropWordsBefore(end)
      censorUntil = Math.max(censorUntil, dropValuesBefore(end))
      return end
    }
    if (code !== 123 && code !== 91) return start
    // an object or array: every string in it that is not a key is censored; literals are kept
    // unless a value match touches them
    let depth = 0
    let i = start
    while (i < line.length) {
      const c = line.charCodeAt(i)
      if (c === QUOTE) {
        const close = stringEnd(line, i)
        const end = close === -1 ? line.length : close + 1
        if (line.charCodeAt(skipSpace(line, end)) === COLON) {
          scrubString(i, end - 1, true)
        } else {
          edits.add(i, end, censor)
          censorUntil = Math.max(censorUntil, dropValuesBefore(end))
        }
        i = end
      } else if (isLiteral(c)) {
        i = scrubLiteral(i)
      } else {
        if (c === 123 || c === 91) depth++
        else if (c === 125 || c === 93) {
          depth--
          if (depth === 0) {
            i++
            break
          }
        }
        i++
      }
    }
    dropWordsBefore(i)
    dropValuesBefore(i)
    return i
  }

  while (at < line.length && (v < hits.length || w < keyHits.length || at < censorUntil)) {
    const nextHit = Math.min(
      v < hits.length ? (hits[v] as Span)[0] : line.length,
      w < keyHits.length ? (keyHits[w] as number) : line.length,
      at < censorUntil ? at : line.length,
    )
    const open = quotes.from(at)
    if (open === -1 || nextHit < open) {
      // the hit stands outside any string: in a literal, or in the structure
      let start = Math.max(nextHit, at)
      if (!isLiteral(line.charCodeAt(start))) {
        dropWordsBefore(start + 1)
        const furthest = dropValuesBefore(start + 1)
        censorUntil = Math.max(censorUntil, furthest)
        at = start + 1
        continue
      }
      while (start > at && isLiteral(line.charCodeAt(start - 1))) start--
      dropWordsBefore(start + 1)
      at = scrubLiteral(start)
      continue
    }
    const close = stringEnd(line, open)
    const end = close === -1 ? line.length : close + 1
    if (nextHit >= end && open >= censorUntil) {
      at = end
      continue
    }
    const isKey = close !== -1 && line.charCodeAt(skipSpace(line, end)) === COLON
    const watched = dropWordsBefore(end) && isKey && policy !== undefined
    scrubString(open, close === -1 ? line.length - 1 : close, isKey)
    at = end
    if (watched && (policy as LineKeyPolicy).isSensitiveKey(line.slice(open + 1, close))) {
      at = censorValue(skipSpace(line, skipSpace(line, end) + 1))
    }
  }
  return edits.result()
}

/** How far the shortcut below looks from a word for the quotes of its key: keys are short. */
const NEARBY = 64

/** True when the quote at `quote` is escaped, false when not, undefined past {@link NEARBY} backslashes. */
function escapedQuote(line: string, quote: number): boolean | undefined {
  let i = quote - 1
  while (i >= 0 && line.charCodeAt(i) === BACKSLASH) {
    if (quote - i > NEARBY) return undefined
    i--
  }
  return (quote - 1 - i) % 2 === 1
}

/**
 * The shortcut for a line with key words and no value match (most lines that have anything to
 * do: a `password` key in a request log): each word's key is found by looking at most
 * {@link NEARBY} characters either way for the quotes around it. In valid JSON an unescaped
 * quote is always a string boundary, and letters never stand between two strings, so two
 * unescaped quotes around a word with `:` after the second are exactly its key. O(hits × NEARBY
 * + censored values). Returns `undefined` (the caller walks the whole line) when a word is not
 * within reach of both quotes (a word in a long string, a long key), a quote is escaped, or a
 * sensitive key holds an object or array.
 */
function censorKeysNearby(
  line: string,
  words: WordHits,
  policy: LineKeyPolicy,
  censor: string,
): string | undefined {
  const edits = new Edits(line)
  let skipUntil = 0
  for (let k = 0; k < words.length; k += 2) {
    const start = words[k] as number
    const end = words[k + 1] as number
    if (start < skipUntil) continue
    let open: number
    let close: number
    if (line.charCodeAt(start) === QUOTE && line.charCodeAt(end - 1) === COLON) {
      open = start
      close = end - 2
    } else {
      open = start - 1
      const floor = Math.max(0, start - NEARBY)
      while (open >= floor && line.charCodeAt(open) !== QUOTE) open--
      close = end
      const ceiling = Math.min(line.length, end + NEARBY)
      while (close < ceiling && line.charCodeAt(close) !== QUOTE) close++
      if (open < floor || close >= ceiling) return undefined
    }
    if (escapedQuote(line, open) !== false || escapedQuote(line, close) !== false) return undefined
    const after = skipSpace(line, close + 1)
    if (line.charCodeAt(after) !== COLON) continue
    skipUntil = close + 1
    if (!policy.isSensitiveKey(line.slice(open + 1, close))) continue
    const valueStart = skipSpace(line, after + 1)
    const code = line.charCodeAt(valueStart)
    if (code === 123 || code === 91) return undefined
    if (code !== QUOTE) continue
    const valueClose = stringEnd(line, valueStart)
    const valueEnd = valueClose === -1 ? line.length : valueClose + 1
    edits.add(valueStart, valueEnd, censor)
    skipUntil = valueEnd
  }
  return edits.result()
}

/** Value matches replaced in place, for a line that is not JSON. */
function replaceWhereTheyStand(line: string, sorted: readonly Span[], replacement: string): string {
  const edits = new Edits(line)
  let end = 0
  let start = -1
  for (const [s, e] of sorted) {
    if (start !== -1 && s <= end) {
      end = Math.max(end, e)
      continue
    }
    if (start !== -1) edits.add(start, end, replacement)
    start = Math.max(s, edits.cursor)
    end = e
  }
  if (start !== -1) edits.add(start, end, replacement)
  return edits.result()
}

/**
 * Every value match of every redactor in `line`, unordered; `undefined` when there is none.
 * `bytes`: the line as a `ByteScratch` copied it, shared by every scan.
 */
export function findValues(
  scans: readonly LineScan[],
  line: string,
  bytes?: DataView,
): readonly Span[] | undefined {
  if (scans.length === 1) {
    const found = (scans[0] as LineScan).findValues(line, bytes)
    return found === undefined || found.values.length === 0 ? undefined : found.values
  }
  let values: Span[] | undefined
  for (let i = 0; i < scans.length; i++) {
    const found = (scans[i] as LineScan).findValues(line, bytes)
    if (found === undefined || found.values.length === 0) continue
    if (values === undefined) values = [...found.values]
    else for (const span of found.values) values.push(span)
  }
  return values
}

/** Options for {@link createLineScrubber}. */
export interface LineScrubberOptions {
  /** Redactors whose values are scrubbed; none: only keys are censored. */
  readonly redactors: readonly SecretRedactor[]
  /** Which keys are sensitive; without it, no key is censored. */
  readonly keys?: LineKeyPolicy
}

/**
 * The one entry `@latchkey/pino` scrubs lines through: a function from a finished log line to the
 * scrubbed line (sensitive keys censored, every known value replaced; see the file comment).
 * O(line length) for every input. Throws only if a redactor does; the caller decides what to do then.
 */
export function createLineScrubber(options: LineScrubberOptions): (line: string) => string {
  const { redactors, keys } = options
  const scans = redactors.map(lineScanOf)
  const replacement = redactors[0]?.replacement ?? keys?.censor ?? '[REDACTED]'
  const texts = editTexts(keys, replacement)
  if (keys === undefined) {
    return (line) => {
      const values = findValues(scans, line)
      return values === undefined ? line : editJsonLine(line, NO_WORDS, values, undefined, replacement, texts)
    }
  }
  const findWords = wordFinderOf(keys.watch)
  // one byte copy of each line, read by the word finder and every redactor's scan
  const scratch = new ByteScratch()
  return (line) => {
    const bytes = line.length < 4 ? undefined : scratch.bytesOf(line)
    const words = findWords(line, bytes)
    const values = scans.length === 0 ? undefined : findValues(scans, line, bytes)
    if (values === undefined && words.length === 0) return line
    return editJsonLine(line, words, values ?? NONE, keys, replacement, texts)
  }
}

/**
 * The finder of `watch` (lowercased; texts of fewer than 4 characters left out): a
 * {@link WordFinder} when every text is ASCII, else one regular expression of literal
 * alternatives (linear in the line).
 */
function wordFinderOf(watch: readonly string[]): (line: string, bytes?: DataView) => WordHits {
  const texts = [...new Set(watch.map((text) => text.toLowerCase()).filter((text) => text.length >= 4))]
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range, control characters included
  if (texts.every((text) => /^[\x00-\x7f]*$/.test(text))) {
    const finder = new WordFinder(texts)
    return (line, bytes) => finder.find(line, bytes)
  }
  const pattern = new RegExp(texts.map((text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'gi')
  return (line) => {
    const found: number[] = []
    pattern.lastIndex = 0
    for (let match = pattern.exec(line); match !== null; match = pattern.exec(line)) {
      found.push(match.index, pattern.lastIndex)
    }
    return found
  }
}
