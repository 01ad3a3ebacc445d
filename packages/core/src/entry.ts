import type { SecretError } from './errors.js'
import type { SecretHandle } from './handle.js'

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
  stale: boolean
  lastUsed: number
  /** A permanent error that removed the value, and until when it is answered without a new load. */
  error: SecretError | undefined
  errorUntil: number
  inflight: Promise<void> | undefined
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
export function newEntry(name: string, now: number): Entry {
  return {
    name,
    value: undefined,
    resolved: undefined,
    version: '',
    loadedAt: 0,
    expiresAt: 0,
    refreshAt: 0,
    staleUntil: 0,
    stale: false,
    lastUsed: now,
    error: undefined,
    errorUntil: 0,
    inflight: undefined,
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
