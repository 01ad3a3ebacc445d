import { InvalidOptionsError } from './errors.js'
import { MAX_SECRET_BYTES } from './limits.js'
import { DEFAULT_MIN_REDACT_LENGTH, DEFAULT_REDACT_RETENTION_MS } from './redaction-defaults.js'
import { formsOf, wholeFormsOf } from './redactor-forms.js'
import { PatternIndex } from './redactor-index.js'
import { IntStack, PagedDoubles, PagedInts, PagedQueue, ShardedMap } from './redactor-pages.js'
import { LINE_SCAN, type LineScan } from './redactor-scan.js'
import type { SecretLogger } from './types.js'

/** Options for {@link SecretRedactor}. */
export interface RedactorOptions {
  /**
   * Values shorter than this are scrubbed only where they stand whole (an entire JSON string, the
   * password of a URL): anywhere else they would shred ordinary text. Values of 2–3 characters
   * are always treated so; a value of one character is not scrubbed at all. @default 6
   */
  minLength?: number
  /** How long a value is still scrubbed after its last holder let go, in ms. @default 86_400_000 */
  retention?: number
  /** Text that replaces every match. @default '[REDACTED]' */
  replacement?: string
  /** Time source for `retention`. @default Date.now */
  clock?: () => number
  /** Receives the one-time notice about short values (the label, never the value). */
  logger?: SecretLogger
  /**
   * Most values kept after their last holder let go; past it the oldest are forgotten first.
   * @default 100_000
   */
  maxRetired?: number
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom')
/** Values shorter than this are always scrubbed only where they stand whole. */
const MIN_ANYWHERE = 4
/**
 * Most work one prune does: values forgotten, and window links they unlink (a value has one to a
 * few hundred, by its forms). Whichever is reached first ends the call, so no prune takes long
 * however long the values; the rest is done by the next calls (`add` and `release` each make one).
 */
const PRUNE_BATCH = 64
const PRUNE_LINKS = 512
/** Fields per slot: holders, first pattern id in the index, 1 when scrubbed only where it stands whole. */
const HOLDERS = 0
const FIRST_PATTERN = 1
const WHOLE_ONLY = 2

/**
 * The values to keep out of logs, with a scanner that replaces them in text. Every value is
 * reference-counted: {@link add} once per holder (a secret, a field, a handle), {@link release}
 * when a holder lets go. A value is scrubbed while anything holds it and for `retention` after.
 *
 * Each value is indexed in every form it takes in a log line — raw, JSON-escaped once and twice,
 * and each URL/form encoding real clients write — as it is added: no rebuilds, no work that grows
 * with the number of values. A scan copies the text to bytes once and hashes one 8-character
 * window (4 for values under 12 characters) in every 1–8 characters, tested against a filter that
 * grows with the index: O(line length) with a constant that does not depend on how many values
 * are registered (see `redactor-index.ts`). A log line is scrubbed by `redactor-line.ts`, the one
 * place that knows JSON.
 *
 * When holders add one value with different minimum lengths, the strictest applies: once any
 * holder wants it scrubbed everywhere, it is scrubbed everywhere while it is known.
 *
 * Most programs use the one shared by the whole process, {@link sharedRedactor}.
 */
export class SecretRedactor {
  /** Text that replaces every match. */
  readonly replacement: string
  readonly #minLength: number
  readonly #retention: number
  readonly #clock: () => number
  readonly #logger: SecretLogger | undefined
  readonly #maxRetired: number
  readonly #index = new PatternIndex()
  /**
   * value → slot in the records below. Sharded, and the records paged: a `Map` or array that
   * doubles rehashes or copies everything in one call (50–100 ms at a million values).
   */
  readonly #slots = new ShardedMap<number>()
  /** Per slot: holders, first pattern, whole-only (see {@link HOLDERS}). */
  readonly #records = new PagedInts(3)
  /** Time the value stops being scrubbed: Infinity while held. */
  readonly #until = new PagedDoubles()
  #nextSlot = 0
  readonly #freeSlots = new IntStack()
  /** Values in the order their last holder let go (may hold values added again since). */
  readonly #released = new PagedQueue<string>()
  #retiredCount = 0
  readonly #shortReported = new Set<string>()
  #lineScan: LineScan | undefined

  /** @throws {InvalidOptionsError} `ERR_SECRET_INVALID_OPTIONS` naming the option that is wrong. */
  constructor(options: RedactorOptions = {}) {
    const checked = checkRedactorOptions(options)
    this.replacement = checked.replacement
    this.#minLength = checked.minLength
    this.#retention = checked.retention
    // read Date.now at each call, so that fake timers installed later apply to the shared instance
    this.#clock = checked.clock ?? (() => Date.now())
    this.#logger = checked.logger
    this.#maxRetired = checked.maxRetired
  }

  /** How many values are scrubbed now (held and retained). */
  get size(): number {
    return this.#slots.size
  }

  /** How many of them have no holder and are kept for the retention window. */
  get retired(): number {
    return this.#retiredCount
  }

  /**
   * One more holder of `value`: it is scrubbed until every holder has released it (and the
   * retention after). `label` (a secret name) is used in the one-time notice about a value shorter
   * than `minLength` (default: this redactor's), which is scrubbed only where it stands whole.
   */
  add(value: string, label = 'a secret', minLength = this.#minLength): void {
    // one character cannot be told from ordinary text even where it stands whole
    if (value.length < 2) return
    const whole = value.length < Math.max(MIN_ANYWHERE, minLength)
    const slot = this.#slots.get(value)
    const records = this.#records
    if (slot !== undefined) {
      const holders = records.get(slot, HOLDERS)
      if (holders === 0) this.#retiredCount--
      records.set(slot, HOLDERS, holders + 1)
      this.#until.set(slot, Number.POSITIVE_INFINITY)
      if (records.get(slot, WHOLE_ONLY) === 1 && !whole) {
        // the strictest holder wins: this one wants the value scrubbed wherever it stands
        this.#index.removeAll(records.get(slot, FIRST_PATTERN))
        records.set(slot, FIRST_PATTERN, this.#index.insertAll(formsOf(value)))
        records.set(slot, WHOLE_ONLY, 0)
      }
      return
    }
    if (whole && this.#logger !== undefined && !this.#shortReported.has(label)) {
      this.#shortReported.add(label)
      this.#logger.warn(
        `latchkey: ${label} is shorter than ${minLength} characters, so it is scrubbed from logs only where it stands whole`,
        { secretName: label, minLength },
      )
    }
    const first = this.#index.insertAll(whole ? wholeFormsOf(value) : formsOf(value))
    const free = this.#freeSlots.pop()
    const id = free === -1 ? this.#nextSlot++ : free
    records.set(id, HOLDERS, 1)
    this.#until.set(id, Number.POSITIVE_INFINITY)
    records.set(id, FIRST_PATTERN, first)
    records.set(id, WHOLE_ONLY, whole ? 1 : 0)
    this.#slots.set(value, id)
    this.prune()
  }

  /**
   * One holder fewer. When none is left the value is still scrubbed for `retention` ms (default:
   * this redactor's), then forgotten. Releasing a value nobody holds does nothing.
   */
  release(value: string, retention = this.#retention): void {
    const slot = this.#slots.get(value)
    if (slot === undefined) return
    const holders = this.#records.get(slot, HOLDERS) - 1
    if (holders < 0) return
    this.#records.set(slot, HOLDERS, holders)
    if (holders > 0) return
    this.#until.set(slot, this.#clock() + Math.max(0, retention))
    this.#retiredCount++
    this.#released.push(value)
    this.prune()
  }

  /**
   * Forgets values whose retention has passed, and the oldest retained values beyond `maxRetired`.
   * Does a bounded amount of work per call; `add` and `release` call it.
   */
  prune(): void {
    const now = this.#clock()
    let budget = PRUNE_BATCH
    let links = 0
    while (this.#released.length > 0 && budget-- > 0 && links < PRUNE_LINKS) {
      const value = this.#released.peek() as string
      const slot = this.#slots.get(value)
      if (slot !== undefined && this.#records.get(slot, HOLDERS) === 0) {
        const over = this.#retiredCount > this.#maxRetired
        if (!over && this.#until.get(slot) > now) break
        links += this.#forget(value, slot)
      }
      this.#released.shift()
    }
  }

  /** Forgets every value. */
  clear(): void {
    this.#index.clear()
    this.#slots.clear()
    this.#records.clear()
    this.#until.clear()
    this.#nextSlot = 0
    this.#freeSlots.clear()
    this.#released.clear()
    this.#retiredCount = 0
  }

  /** True when `text` holds any known value in any form. */
  contains(text: string): boolean {
    return this.#index.scanValues(text, true) !== undefined
  }

  /** `text` with every known value replaced by {@link replacement}. Returns `text` itself when clean. */
  redact(text: string): string {
    const found = this.#index.scanValues(text, false)
    if (found === undefined) return text
    const matches = found.values
    matches.sort((a, b) => a[0] - b[0] || b[1] - a[1])
    let out = ''
    let cursor = 0
    for (const [start, end] of matches) {
      if (end <= cursor) continue
      if (start >= cursor) out += text.slice(cursor, start) + this.replacement
      cursor = end
    }
    return out + text.slice(cursor)
  }

  /** For `redactor-line.ts` only (see {@link LineScan}); not public API. */
  [LINE_SCAN](): LineScan {
    if (this.#lineScan !== undefined) return this.#lineScan
    const index = this.#index
    this.#lineScan = { findValues: (text, bytes) => index.scanValues(text, false, bytes) }
    return this.#lineScan
  }

  [INSPECT](): string {
    return `SecretRedactor { size: ${this.#slots.size}, retired: ${this.#retiredCount} }`
  }

  toJSON(): object {
    return { size: this.#slots.size, retired: this.#retiredCount }
  }

  /** Forgets `value` (in `slot`); returns how many window links that unlinked. */
  #forget(value: string, slot: number): number {
    const links = this.#index.removeAll(this.#records.get(slot, FIRST_PATTERN))
    this.#slots.delete(value)
    this.#freeSlots.push(slot)
    this.#retiredCount--
    return links
  }
}

function checkRedactorOptions(options: RedactorOptions): {
  replacement: string
  minLength: number
  retention: number
  clock: (() => number) | undefined
  logger: SecretLogger | undefined
  maxRetired: number
} {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(
      `SecretRedactor: options must be an object (got ${options === null ? 'null' : typeof options})`,
    )
  }
  const whole = (name: string, value: unknown, fallback: number, min: number, max: number): number => {
    if (value === undefined) return fallback
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new InvalidOptionsError(
        `SecretRedactor: option "${name}" must be a whole number from ${min} to ${max} (got ${describe(value)})`,
      )
    }
    return value
  }
  const replacement = options.replacement ?? '[REDACTED]'
  if (typeof replacement !== 'string') {
    throw new InvalidOptionsError(
      `SecretRedactor: option "replacement" must be a string (got ${describe(replacement)})`,
    )
  }
  for (const name of ['clock'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new InvalidOptionsError(
        `SecretRedactor: option "${name}" must be a function (got ${describe(options[name])})`,
      )
    }
  }
  const logger = options.logger
  if (logger !== undefined && typeof (logger as Partial<SecretLogger> | null)?.warn !== 'function') {
    throw new InvalidOptionsError(
      `SecretRedactor: option "logger" must have a warn(message, meta) method (got ${describe(logger)})`,
    )
  }
  return {
    replacement,
    minLength: whole('minLength', options.minLength, DEFAULT_MIN_REDACT_LENGTH, 1, MAX_SECRET_BYTES),
    retention: whole('retention', options.retention, DEFAULT_REDACT_RETENTION_MS, 0, Number.MAX_SAFE_INTEGER),
    maxRetired: whole('maxRetired', options.maxRetired, 100_000, 0, Number.MAX_SAFE_INTEGER),
    clock: options.clock,
    logger,
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return `a string`
  if (typeof value === 'bigint') return 'a bigint'
  if (typeof value === 'number') return String(value)
  return typeof value
}

const SHARED = Symbol.for('@latchkey/core.sharedRedactor.v1')

/**
 * The redactor shared by the whole process: every `CachedSecretProvider` registers the values it
 * hands out here (unless built with its own `redactor`), whichever copy of `@latchkey/core` — ESM
 * or CommonJS, any adapter's — created it. `@latchkey/pino` scrubs every log line with it.
 */
export function sharedRedactor(): SecretRedactor {
  const holder = globalThis as unknown as Record<symbol, SecretRedactor | undefined>
  const existing = holder[SHARED]
  if (existing !== undefined) return existing
  const created = new SecretRedactor()
  Object.defineProperty(globalThis, SHARED, { value: created, enumerable: false })
  return created
}
