import type { SecretLogger } from './types.js'

/** Options for {@link SecretRedactor}. */
export interface RedactorOptions {
  /** Values shorter than this are not scrubbed (they would shred ordinary text). @default 6 */
  minLength?: number
  /** How long a value removed with `retire()` is still scrubbed, in ms. @default 86_400_000 */
  retention?: number
  /** Text that replaces every match. @default '[REDACTED]' */
  replacement?: string
  /** Time source for `retention`. @default Date.now */
  clock?: () => number
  /** Receives the one-time notice about values too short to scrub (never the value). */
  logger?: SecretLogger
}

const TABLE_BITS = 20
const TABLE_SHIFT = 32 - TABLE_BITS
const Q = 3
/** Longest stride of the scan; more would index too many q-grams per pattern. */
const MAX_STEP = 16

interface Candidate {
  pattern: string
  offset: number
}

/** `encode(value)`, or `undefined` when it throws (a lone UTF-16 surrogate cannot be URL-encoded). */
function tryEncode(encode: (value: string) => string, value: string): string | undefined {
  try {
    return encode(value)
  } catch {
    return undefined
  }
}

/** How `new URL()` encodes a password in the userinfo part (fewer characters than `encodeURIComponent`). */
function userinfoEncoded(value: string): string {
  const url = new URL('http://host')
  url.password = value
  return url.password
}

/**
 * The forms a value takes in a log line: raw, JSON-escaped (once and twice), URL-encoded (upper-
 * and lowercase hex), form-encoded, and as `new URL()` writes a password.
 */
function formsOf(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1)
  const forms: Array<string | undefined> = [value, json, JSON.stringify(json).slice(1, -1)]
  const uri = tryEncode(encodeURIComponent, value)
  forms.push(
    uri,
    uri?.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
  )
  forms.push(tryEncode((v) => new URLSearchParams({ v }).toString().slice(2), value))
  forms.push(tryEncode(userinfoEncoded, value))
  return [...new Set(forms.filter((form): form is string => form !== undefined))]
}

/**
 * Replaces every known secret value — current and recently rotated out — in raw, JSON-escaped and
 * URL-encoded form. Built for hot paths: a q-gram filter skips ordinary text after looking at a
 * fraction of its characters (one window in every `shortest value - 2`, at most 16), so 1,000
 * known values cost about what ten do.
 */
export class SecretRedactor {
  /** Text that replaces every match. */
  readonly replacement: string
  readonly #minLength: number
  readonly #retention: number
  readonly #clock: () => number
  readonly #logger: SecretLogger | undefined
  /** value → time it stops being scrubbed (Infinity while current). */
  readonly #values = new Map<string, number>()
  readonly #shortReported = new Set<string>()
  #dirty = false
  #step = 1
  #shortest = Number.POSITIVE_INFINITY
  #q = Q
  #table = new Uint8Array(0)
  #candidates = new Map<number, Candidate[]>()

  constructor(options: RedactorOptions = {}) {
    this.replacement = options.replacement ?? '[REDACTED]'
    this.#minLength = Math.max(1, options.minLength ?? 6)
    this.#retention = options.retention ?? 86_400_000
    this.#clock = options.clock ?? Date.now
    this.#logger = options.logger
  }

  /** How many values are scrubbed now (current and retained). */
  get size(): number {
    return this.#values.size
  }

  /** Starts scrubbing `value`. `label` (a secret name) is used in the too-short notice. */
  add(value: string, label = 'a secret'): void {
    if (value.length < this.#minLength) {
      if (!this.#shortReported.has(label)) {
        this.#shortReported.add(label)
        this.#logger?.warn(
          `latchkey: ${label} is shorter than ${this.#minLength} characters, so it is not scrubbed from logs`,
          { secretName: label, minLength: this.#minLength },
        )
      }
      return
    }
    const known = this.#values.has(value)
    this.#values.set(value, Number.POSITIVE_INFINITY)
    if (!known && !this.#dirty && !this.#index(formsOf(value))) this.#dirty = true
    this.prune()
  }

  /** Marks a value as rotated out: it is still scrubbed for the retention window, then forgotten. */
  retire(value: string): void {
    if (this.#values.has(value)) this.#values.set(value, this.#clock() + this.#retention)
    this.prune()
  }

  /** Forgets values whose retention window has passed. */
  prune(): void {
    const now = this.#clock()
    for (const [value, until] of this.#values) {
      if (until <= now) {
        this.#values.delete(value)
        this.#dirty = true
      }
    }
  }

  /** Forgets every value. */
  clear(): void {
    this.#values.clear()
    this.#dirty = true
  }

  /** True when `text` holds any known value in any form. */
  contains(text: string): boolean {
    return this.#scan(text, true) !== undefined
  }

  /** `text` with every known value replaced by {@link replacement}. Returns `text` itself when clean. */
  redact(text: string): string {
    const matches = this.#scan(text, false)
    if (matches === undefined) return text
    matches.sort((a, b) => a[0] - b[0] || b[1] - a[1])
    let out = ''
    let cursor = 0
    for (const [start, end] of matches) {
      if (end <= cursor) continue
      if (start >= cursor) {
        out += text.slice(cursor, start) + this.replacement
      }
      cursor = end
    }
    return out + text.slice(cursor)
  }

  /**
   * Indexes every form of every value by its q-grams. The scan looks at one window of `q`
   * characters in every `step`, where `step` comes from the shortest form indexed: any occurrence
   * of a pattern covers exactly one checked window within its first `step + q - 1` characters.
   */
  #rebuild(): void {
    const patterns = new Set<string>()
    for (const value of this.#values.keys()) for (const form of formsOf(value)) patterns.add(form)
    let shortest = Number.POSITIVE_INFINITY
    for (const pattern of patterns) shortest = Math.min(shortest, pattern.length)
    const q = Math.min(Q, this.#minLength)
    const step = Number.isFinite(shortest) ? Math.max(1, Math.min(MAX_STEP, shortest - q + 1)) : 1
    this.#q = q
    this.#step = step
    this.#shortest = shortest
    this.#table = new Uint8Array(1 << TABLE_BITS)
    this.#candidates = new Map()
    this.#dirty = false
    this.#index(patterns)
  }

  /**
   * Adds patterns to the current index. Returns false (and adds nothing) when one is shorter than
   * the index's stride allows, which needs a rebuild with a smaller stride.
   */
  #index(patterns: Iterable<string>): boolean {
    const list = [...patterns]
    if (this.#table.length === 0 || list.some((p) => p.length < this.#shortest)) return false
    const step = this.#step
    for (const pattern of list) {
      for (let offset = 0; offset < step; offset++) {
        const h = hashAt(pattern, offset, this.#q)
        this.#table[h] = 1
        const bucket = this.#candidates.get(h)
        if (bucket === undefined) this.#candidates.set(h, [{ pattern, offset }])
        else if (!bucket.some((c) => c.pattern === pattern && c.offset === offset))
          bucket.push({ pattern, offset })
      }
    }
    return true
  }

  #scan(text: string, first: boolean): Array<[number, number]> | undefined {
    if (this.#dirty) this.#rebuild()
    if (this.#values.size === 0) return undefined
    const table = this.#table
    const q = this.#q
    const step = this.#step
    const last = text.length - q
    let matches: Array<[number, number]> | undefined
    for (let j = 0; j <= last; j += step) {
      const h = hashAt(text, j, q)
      if (table[h] === 0) continue
      const list = this.#candidates.get(h)
      if (list === undefined) continue
      for (const { pattern, offset } of list) {
        const start = j - offset
        if (start >= 0 && text.startsWith(pattern, start)) {
          if (first) return [[start, start + pattern.length]]
          if (matches === undefined) matches = []
          matches.push([start, start + pattern.length])
        }
      }
    }
    return matches
  }
}

function hashAt(text: string, at: number, q: number): number {
  let key = text.charCodeAt(at)
  if (q > 1) key = (key << 11) ^ text.charCodeAt(at + 1)
  if (q > 2) key = (key << 11) ^ text.charCodeAt(at + 2)
  return Math.imul(key, 0x9e3779b1) >>> TABLE_SHIFT
}
