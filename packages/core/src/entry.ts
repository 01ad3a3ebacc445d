import type { SecretError } from './errors.js'
import type { SecretHandle } from './handle.js'
import type { KeepAlive } from './retry.js'

/** One cached secret: its value and versions, timing, flight, pins and handles. */
export interface Entry {
  readonly name: string
  value: string | undefined
  /** `Promise.resolve(value)`, made once per value so warm reads allocate nothing. */
  resolved: Promise<string> | undefined
  version: string
  loadedAt: number
  expiresAt: number
  refreshAt: number
  staleUntil: number
  /** End of the value's lease (a source `ttlMs`); `Infinity` without one. Handles stop serving it then. */
  leaseEnd: number
  stale: boolean
  /** Read since eviction last passed over it (CLOCK, a cheap approximation of LRU). */
  used: boolean
  /**
   * The last failed load's error since the last success. A permanent one removed the value and is
   * answered until `errorUntil` without a new load; a transient one (`errorUntil` = -Infinity)
   * makes readers at expiry get the stale value at once.
   */
  error: SecretError | undefined
  errorUntil: number
  inflight: Promise<void> | undefined
  /** Whether the load in flight keeps the process alive (a caller awaits it). */
  keepAlive: KeepAlive | undefined
  lastForced: number
  forced: boolean
  backgroundFailures: number
  parsed: { for: string; json: unknown } | undefined
  fields: Map<string, { value: string; resolved: Promise<string> }> | undefined
  handles: Set<SecretHandle> | undefined
  pinned: boolean
  timer: ReturnType<typeof setTimeout> | undefined
  unwatch: (() => void) | undefined
}

/** A new entry with nothing loaded yet. */
export function newEntry(name: string): Entry {
  return {
    name,
    value: undefined,
    resolved: undefined,
    version: '',
    loadedAt: 0,
    expiresAt: 0,
    refreshAt: 0,
    staleUntil: 0,
    leaseEnd: Number.POSITIVE_INFINITY,
    stale: false,
    used: false,
    error: undefined,
    errorUntil: 0,
    inflight: undefined,
    keepAlive: undefined,
    lastForced: Number.NEGATIVE_INFINITY,
    forced: false,
    backgroundFailures: 0,
    parsed: undefined,
    fields: undefined,
    handles: undefined,
    pinned: false,
    timer: undefined,
    unwatch: undefined,
  }
}
