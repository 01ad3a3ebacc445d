/**
 * A named failure:
 * - `'sealed'`: 503 `Vault is sealed`
 * - `'internal'`: 500 `internal error`
 * - `'rateLimited'`: 429 `rate limit quota exceeded`
 * - `'permissionDenied'`: 403 `1 error occurred:\n\t* permission denied\n\n`
 */
export type VaultFaultKind = 'sealed' | 'internal' | 'rateLimited' | 'permissionDenied'

/** Any other error reply, such as `{ status: 412, message: 'required index state not present' }`. */
export interface VaultCustomFault {
  /** HTTP status. */
  status: number
  /** The one entry of `errors`; omit it for `{"errors":[]}`. */
  message?: string
}

/** Which calls a fault applies to. */
export interface VaultFaultOptions {
  /** How many matching calls it affects; `Infinity` lasts until `reset()`. @default 1 */
  times?: number
  /** Only calls whose path (after `/v1/`, e.g. `'secret/data/app'`) starts with this match. @default every path */
  path?: string
}

/** Fault injection for a running Vault emulator. Faults queue up and are used in the order they were added. */
export interface VaultFaults {
  /** Delays every reply (or only those under `path`) by `ms` before anything else happens. 0 removes it. */
  setLatency(ms: number, options?: { path?: string }): void
  /** Makes the next matching calls fail with `fault` instead of running. */
  fail(fault: VaultFaultKind | VaultCustomFault, options?: VaultFaultOptions): void
  /** Makes the next matching calls end with the socket destroyed and no response at all. */
  drop(options?: VaultFaultOptions): void
  /** Failures still queued (`Infinity` when one lasts until reset). */
  readonly pending: number
  /** Removes every queued fault and all latency. */
  reset(): void
}

/** The reply each named fault sends. */
export const FAULT_REPLIES: Record<VaultFaultKind, { status: number; message: string }> = {
  sealed: { status: 503, message: 'Vault is sealed' },
  internal: { status: 500, message: 'internal error' },
  rateLimited: { status: 429, message: 'rate limit quota exceeded' },
  permissionDenied: { status: 403, message: '1 error occurred:\n\t* permission denied\n\n' },
}

/** What a faulted call does instead of running. */
export type VaultFaultAction = { kind: 'fail'; status: number; errors: string[] } | { kind: 'drop' }

interface Rule {
  action: VaultFaultAction
  remaining: number
  path: string | undefined
}

function times(options: VaultFaultOptions): number {
  const value = options.times ?? 1
  if (!(value >= 1) || (!Number.isInteger(value) && value !== Number.POSITIVE_INFINITY)) {
    throw new RangeError('faults: times must be a positive integer or Infinity')
  }
  return value
}

function matches(prefix: string | undefined, path: string): boolean {
  return prefix === undefined || path.startsWith(prefix.replace(/^\/+/, ''))
}

/** The emulator's fault plan; the emulator asks it what to do with each call. */
export class VaultFaultPlan implements VaultFaults {
  #rules: Rule[] = []
  #latency: Array<{ path: string | undefined; ms: number }> = []

  setLatency(ms: number, options: { path?: string } = {}): void {
    if (!(ms >= 0) || !Number.isFinite(ms))
      throw new RangeError('faults: latency must be a non-negative number of ms')
    this.#latency = this.#latency.filter((l) => l.path !== options.path)
    if (ms > 0) this.#latency.push({ path: options.path, ms })
  }

  fail(fault: VaultFaultKind | VaultCustomFault, options: VaultFaultOptions = {}): void {
    const reply = typeof fault === 'string' ? FAULT_REPLIES[fault] : fault
    if (reply === undefined) throw new RangeError(`faults: unknown fault ${JSON.stringify(fault)}`)
    const errors = reply.message === undefined ? [] : [reply.message]
    this.#rules.push({
      action: { kind: 'fail', status: reply.status, errors },
      remaining: times(options),
      path: options.path,
    })
  }

  drop(options: VaultFaultOptions = {}): void {
    this.#rules.push({ action: { kind: 'drop' }, remaining: times(options), path: options.path })
  }

  get pending(): number {
    return this.#rules.reduce((sum, rule) => sum + rule.remaining, 0)
  }

  reset(): void {
    this.#rules = []
    this.#latency = []
  }

  /** Latency for one call: the setting with the longest matching path prefix. */
  latencyFor(path: string): number {
    let best: { path: string | undefined; ms: number } | undefined
    for (const l of this.#latency) {
      if (matches(l.path, path) && (best === undefined || (l.path ?? '').length > (best.path ?? '').length))
        best = l
    }
    return best?.ms ?? 0
  }

  /** Uses up one matching fault, if any. */
  take(path: string): VaultFaultAction | undefined {
    const rule = this.#rules.find((r) => matches(r.path, path))
    if (rule === undefined) return undefined
    rule.remaining--
    if (rule.remaining <= 0) this.#rules.splice(this.#rules.indexOf(rule), 1)
    return rule.action
  }
}

/** One request the emulator received. Never holds bodies or tokens. */
export interface VaultCall {
  method: string
  /** The path after `/v1/`, without the query string. */
  path: string
  /** The `X-Vault-Namespace` header, if sent. */
  namespace: string | undefined
  /** The status answered; `0` while running or when the connection was dropped. */
  status: number
}

/** Per-path call counters. */
export interface VaultCalls {
  /** Requests whose path starts with `prefix` (all when omitted), optionally only with `method`. */
  count(prefix?: string, method?: string): number
  /** Every request so far, oldest first. */
  readonly log: readonly VaultCall[]
  /** Forgets every request. */
  reset(): void
}

export class VaultCallLog implements VaultCalls {
  #log: VaultCall[] = []

  get log(): readonly VaultCall[] {
    return this.#log
  }

  count(prefix?: string, method?: string): number {
    return this.#log.filter(
      (c) => matches(prefix, c.path) && (method === undefined || c.method === method.toUpperCase()),
    ).length
  }

  reset(): void {
    this.#log = []
  }

  record(call: VaultCall): VaultCall {
    this.#log.push(call)
    return call
  }
}
