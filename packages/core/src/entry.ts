import { EntryState, STATE_BITS } from './entry-state.js'
import type { SecretError } from './errors.js'
import type { SecretHandle } from './handle.js'

// flags, above the state's bits in the same small integer
const STALE = 8
const USED = 16
const PINNED = 32
const FORCED = 64
const REQUIRED = 128
const HOLDS_VALUE = 256

/**
 * Makes V8 keep a number field "tagged" rather than boxing a double per object: the first store
 * is not a number. With the provider's times kept small (milliseconds since it started, see
 * `ProviderClock`) the times are then small integers stored inline — about 20 bytes less per time
 * field and entry. Times are always real times; what an entry is doing is its {@link Entry.state}.
 */
const TAGGED = undefined as unknown as number

/** What few entries need: leases, failures, forced refreshes, JSON fields, handles, timers, watchers, content types. */
class EntryExtra {
  leaseEnd = Number.POSITIVE_INFINITY
  error: SecretError | undefined = undefined
  errorUntil = 0
  lastForced = Number.NEGATIVE_INFINITY
  backgroundFailures = 0
  /** When the first unconfirmed access denial of a held value was answered; `undefined` when none. */
  deniedSince: number | undefined = undefined
  /** Denials answered since `deniedSince` (the first included). */
  denials = 0
  parsed: { for: string; json: unknown } | undefined = undefined
  fields: Map<string, { value: string; resolved: Promise<string> }> | undefined = undefined
  handles: Set<SecretHandle> | undefined = undefined
  timer: ReturnType<typeof setTimeout> | undefined = undefined
  unwatch: (() => void) | undefined = undefined
  contentType: string | undefined = undefined
  /** The parts the redactor holds for the value, when they are more than the value alone (a JSON secret's fields). */
  heldParts: readonly string[] | undefined = undefined
}

/**
 * One cached secret: its value and version, timing, flight, pins and handles. Kept small (the
 * cache may hold many): what every entry needs is a field of its own, flags share one small
 * integer, and what few entries need lives in an `EntryExtra` made on first use. Times are in the
 * provider's clock (milliseconds since the provider started).
 */
export class Entry {
  readonly name: string
  value: string | undefined = undefined
  /** `Promise.resolve(value)`, made on the first warm read of each value so later ones allocate nothing. */
  resolved: Promise<string> | undefined = undefined
  version = ''
  loadedAt: number
  expiresAt: number
  refreshAt: number
  inflight: Promise<void> | undefined = undefined
  /** The {@link EntryState} in the low bits, the flags above them. */
  #bits: number = EntryState.EMPTY
  #x: EntryExtra | undefined = undefined

  constructor(name: string) {
    this.name = name
    this.loadedAt = TAGGED
    this.loadedAt = 0
    this.expiresAt = TAGGED
    this.expiresAt = 0
    this.refreshAt = TAGGED
    this.refreshAt = 0
  }

  /** What the entry is doing (see {@link EntryState}); changed only by {@link moveTo}. */
  get state(): EntryState {
    return (this.#bits & STATE_BITS) as EntryState
  }

  /** The one place an entry changes state. `CLOSED` is final: nothing moves an entry out of it. */
  moveTo(next: EntryState): void {
    if ((this.#bits & STATE_BITS) === EntryState.CLOSED) return
    this.#bits = (this.#bits & ~STATE_BITS) | next
  }

  /**
   * A good value is stored: not stale, and no error, background back-off or access denial is left.
   * One call where five setters would each be compiled on the way to a first secret.
   */
  recovered(): void {
    this.#bits &= ~STALE
    const extra = this.#x
    if (extra === undefined) return
    extra.error = undefined
    extra.backgroundFailures = 0
    extra.deniedSince = undefined
    extra.denials = 0
  }

  // A static, not an instance, private method: an instance one would cost every entry a brand slot.
  // The flag setters below write `#bits` themselves, so the hot path's `used = true` calls nothing.

  static #extra(entry: Entry): EntryExtra {
    if (entry.#x === undefined) entry.#x = new EntryExtra()
    return entry.#x
  }

  // One accessor pair per flag, deliberately alike: the flags share `#bits` to keep entries small.

  /** Past expiry and served because reloads fail. */
  get stale(): boolean {
    return (this.#bits & STALE) !== 0
  }
  set stale(on: boolean) {
    this.#bits = on ? this.#bits | STALE : this.#bits & ~STALE
  }

  /** Read since eviction last passed over it (CLOCK, a cheap approximation of LRU). */
  get used(): boolean {
    return (this.#bits & USED) !== 0
  }
  set used(on: boolean) {
    this.#bits = on ? this.#bits | USED : this.#bits & ~USED
  }

  /** Preloaded as required: the default health check needs a servable value for it. */
  get required(): boolean {
    return (this.#bits & REQUIRED) !== 0
  }
  set required(on: boolean) {
    this.#bits = on ? this.#bits | REQUIRED : this.#bits & ~REQUIRED
  }

  /** Never evicted (handles, preloaded names); kept fresh by a timer. */
  get pinned(): boolean {
    return (this.#bits & PINNED) !== 0
  }
  set pinned(on: boolean) {
    this.#bits = on ? this.#bits | PINNED : this.#bits & ~PINNED
  }

  /** The load in flight is a forced refresh. */
  get forced(): boolean {
    return (this.#bits & FORCED) !== 0
  }
  set forced(on: boolean) {
    this.#bits = on ? this.#bits | FORCED : this.#bits & ~FORCED
  }

  /**
   * The redactor holds exactly the value itself for this entry (the common case: no list is kept
   * for it). When it holds more (a JSON secret's fields), the list is {@link heldParts}.
   */
  get holdsValue(): boolean {
    return (this.#bits & HOLDS_VALUE) !== 0
  }
  set holdsValue(on: boolean) {
    this.#bits = on ? this.#bits | HOLDS_VALUE : this.#bits & ~HOLDS_VALUE
  }

  /** End of the value's lease (a source `ttlMs`); `Infinity` without one. Handles stop serving it then. */
  get leaseEnd(): number {
    return this.#x?.leaseEnd ?? Number.POSITIVE_INFINITY
  }
  set leaseEnd(value: number) {
    if (this.#x !== undefined || value !== Number.POSITIVE_INFINITY) Entry.#extra(this).leaseEnd = value
  }

  /**
   * The last failed load's error since the last success. A permanent one removed the value and is
   * answered without a new load until `errorUntil` (state `FAILED`); a transient one makes readers
   * at expiry get the stale value at once.
   */
  get error(): SecretError | undefined {
    return this.#x?.error
  }
  set error(value: SecretError | undefined) {
    if (this.#x !== undefined || value !== undefined) Entry.#extra(this).error = value
  }

  /** Until when a `FAILED` entry answers its error without a new load; read in no other state. */
  get errorUntil(): number {
    return this.#x?.errorUntil ?? 0
  }
  set errorUntil(value: number) {
    if (this.#x !== undefined || value !== 0) Entry.#extra(this).errorUntil = value
  }

  /** When the last forced refresh started. */
  get lastForced(): number {
    return this.#x?.lastForced ?? Number.NEGATIVE_INFINITY
  }
  set lastForced(value: number) {
    if (this.#x !== undefined || value !== Number.NEGATIVE_INFINITY) Entry.#extra(this).lastForced = value
  }

  /** Background reloads failed in a row (for their back-off). */
  get backgroundFailures(): number {
    return this.#x?.backgroundFailures ?? 0
  }
  set backgroundFailures(value: number) {
    if (this.#x !== undefined || value !== 0) Entry.#extra(this).backgroundFailures = value
  }

  /** When the first unconfirmed access denial of the held value was answered (see `confirmDenial`). */
  get deniedSince(): number | undefined {
    return this.#x?.deniedSince
  }
  set deniedSince(value: number | undefined) {
    if (this.#x !== undefined || value !== undefined) Entry.#extra(this).deniedSince = value
  }

  /** Denials answered since {@link deniedSince}, the first included. */
  get denials(): number {
    return this.#x?.denials ?? 0
  }
  set denials(value: number) {
    if (this.#x !== undefined || value !== 0) Entry.#extra(this).denials = value
  }

  get parsed(): { for: string; json: unknown } | undefined {
    return this.#x?.parsed
  }
  set parsed(value: { for: string; json: unknown } | undefined) {
    if (this.#x !== undefined || value !== undefined) Entry.#extra(this).parsed = value
  }

  get fields(): Map<string, { value: string; resolved: Promise<string> }> | undefined {
    return this.#x?.fields
  }
  set fields(value: Map<string, { value: string; resolved: Promise<string> }> | undefined) {
    if (this.#x !== undefined || value !== undefined) Entry.#extra(this).fields = value
  }

  get handles(): Set<SecretHandle> | undefined {
    return this.#x?.handles
  }
  set handles(value: Set<SecretHandle> | undefined) {
    if (this.#x !== undefined || value !== undefined) Entry.#extra(this).handles = value
  }

  get timer(): ReturnType<typeof setTimeout> | undefined {
    return this.#x?.timer
  }
  set timer(value: ReturnType<typeof setTimeout> | undefined) {
    if (this.#x !== undefined || value !== undefined) Entry.#extra(this).timer = value
  }

  get unwatch(): (() => void) | undefined {
    return this.#x?.unwatch
  }
  set unwatch(value: (() => void) | undefined) {
    if (this.#x !== undefined || value !== undefined) Entry.#extra(this).unwatch = value
  }

  /** The parts the redactor holds for the value when they are more than the value alone (see {@link holdsValue}). */
  get heldParts(): readonly string[] | undefined {
    return this.#x?.heldParts
  }
  set heldParts(value: readonly string[] | undefined) {
    if (this.#x !== undefined || value !== undefined) Entry.#extra(this).heldParts = value
  }

  /** The content type the source reported for the value (Key Vault's `contentType`). */
  get contentType(): string | undefined {
    return this.#x?.contentType
  }
  set contentType(value: string | undefined) {
    if (this.#x !== undefined || value !== undefined) Entry.#extra(this).contentType = value
  }
}

/** A new entry with nothing loaded yet. */
export function newEntry(name: string): Entry {
  return new Entry(name)
}

/**
 * The parts the redactor holds for `entry` while its value is `value` (see
 * {@link Entry.holdsValue}): the value alone, the list in {@link Entry.heldParts}, or `undefined`
 * when it holds none (not sensitive, or already let go).
 */
export function heldParts(entry: Entry, value: string | undefined): readonly string[] | undefined {
  if (entry.holdsValue) return value === undefined ? undefined : [value]
  return entry.heldParts
}
