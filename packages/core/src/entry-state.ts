/**
 * The states of a cache entry (see `Entry.state`), one small integer each. The order matters to
 * the hot path: the states that hold a value a reader may get without a load come first, so
 * "fresh" is `state <= RELOADING && now < expiresAt`.
 *
 * | state         | value | what a reader gets                                   | left by                              |
 * | ------------- | ----- | ---------------------------------------------------- | ------------------------------------ |
 * | `HELD`        | yes   | the value until `expiresAt`; a reload starts once `refreshAt` passes | a background reload (→ `RELOADING`), `invalidate()`, a failure |
 * | `RELOADING`   | yes   | the value; no other reload starts                     | the reload's end (→ `HELD`, `EMPTY`, `FAILED`) |
 * | `INVALIDATED` | yes   | a reload at once (the value only as stale data)       | a load                               |
 * | `EMPTY`       | no    | a load (a transient `error` is kept for `health()`)   | a load                               |
 * | `FAILED`      | no    | `error`, without a load, until `errorUntil`           | a load, `refresh()`, `invalidate()`  |
 * | `CLOSED`      | kept for handles | `ProviderClosedError`                      | never                                |
 */
export const EntryState = {
  /** A value is held: served until `expiresAt`, reloaded in the background once `refreshAt` passes. */
  HELD: 0,
  /** A value is held and a background reload of it is in flight: readers keep the value, no other reload starts. */
  RELOADING: 1,
  /** A value is held but `invalidate()` expired it: the next reader reloads at once. */
  INVALIDATED: 2,
  /** No value: never loaded, or dropped after a transient failure outlived `maxStale` (the error is kept for `health()`). */
  EMPTY: 3,
  /** A permanent failure dropped the value: `error` is answered without a new load until `errorUntil`. */
  FAILED: 4,
  /** The provider is closed: every read rejects. Final. */
  CLOSED: 5,
} as const

/** One of {@link EntryState}. */
export type EntryState = (typeof EntryState)[keyof typeof EntryState]

/** The bits of `Entry`'s packed field that hold its state (the flags sit above them). */
export const STATE_BITS = 7
