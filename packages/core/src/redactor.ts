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

const TABLE_BITS = 18
const TABLE_SHIFT = 32 - TABLE_BITS
const Q = 3

interface Candidate {
  pattern: string
  offset: number
}

/** The forms a value takes in a log line: raw, JSON-escaped (once and twice), URL- and form-encoded. */
function formsOf(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1)
  const forms = [value, json, JSON.stringify(json).slice(1, -1), encodeURIComponent(value)]
  forms.push(new URLSearchParams({ v: value }).toString().slice(2))
  return [...new Set(forms)]
}

/**
 * Replaces every known secret value — current and recently rotated out — in raw, JSON-escaped and
 * URL-encoded form. Built for hot paths: a q-gram filter skips ordinary text after looking at a
 * fraction of its characters, so 1,000 known values cost about what ten do.
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
    if (this.#values.get(value) !== Number.POSITIVE_INFINITY) {
      this.#values.set(value, Number.POSITIVE_INFINITY)
      this.#dirty = true
    }
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

  #rebuild(): void {
    this.#dirty = false
    const q = Math.min(Q, this.#minLength)
    this.#q = q
    this.#step = this.#minLength - q + 1
    const table = new Uint8Array(1 << TABLE_BITS)
    const candidates = new Map<number, Candidate[]>()
    const patterns = new Set<string>()
    for (const value of this.#values.keys()) for (const form of formsOf(value)) patterns.add(form)
    for (const pattern of patterns) {
      for (let offset = 0; offset < this.#step; offset++) {
        const h = hashAt(pattern, offset, q)
        table[h] = 1
        const list = candidates.get(h)
        if (list === undefined) candidates.set(h, [{ pattern, offset }])
        else list.push({ pattern, offset })
      }
    }
    this.#table = table
    this.#candidates = candidates
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
