import type { EmulatorFaults } from '../shared/fault-control.js'
import { checkContentType, checkStatus, checkString, FaultPlan, invalid } from '../shared/fault-plan.js'
import type { VaultReply } from './http.js'

/**
 * A named failure:
 * - `'sealed'`: 503 `Vault is sealed`
 * - `'internal'`: 500 `internal error`
 * - `'rateLimited'`: 429 `rate limit quota exceeded`
 * - `'permissionDenied'`: 403 `1 error occurred:\n\t* permission denied\n\n`
 */
export type VaultFaultKind = 'sealed' | 'internal' | 'rateLimited' | 'permissionDenied'

/**
 * Any other reply: an error such as `{ status: 412, message: 'required index state not present' }`,
 * or a raw `body`, such as an HTML page or truncated JSON with status 200 (what a proxy or a
 * broken connection can hand a client). Checked when it is added: anything else throws
 * `InvalidOptionsError` (`ERR_SECRET_INVALID_OPTIONS`).
 */
export interface VaultCustomFault {
  /** HTTP status: an integer from 200 to 599. */
  status: number
  /** The one entry of `errors`; omit it for `{"errors":[]}`. Ignored with `body`. */
  message?: string
  /** A raw body, sent as is instead of `{"errors":[…]}`. */
  body?: string
  /** Content type for `body`. @default 'application/json' */
  contentType?: string
}

/** Which calls a fault applies to. */
export interface VaultFaultOptions {
  /** How many matching calls it affects; `Infinity` lasts until `reset()`. @default 1 */
  times?: number
  /** Only calls whose path (after `/v1/`, e.g. `'secret/data/app'`) starts with this match. @default every path */
  path?: string
}

/** Fault injection for a running Vault emulator, scoped by path (see {@link EmulatorFaults}). */
export type VaultFaults = EmulatorFaults<
  VaultFaultKind | VaultCustomFault,
  VaultFaultOptions,
  { path?: string }
>

/** The reply each named fault sends. */
export const FAULT_REPLIES: Record<VaultFaultKind, { status: number; message: string }> = {
  sealed: { status: 503, message: 'Vault is sealed' },
  internal: { status: 500, message: 'internal error' },
  rateLimited: { status: 429, message: 'rate limit quota exceeded' },
  permissionDenied: { status: 403, message: '1 error occurred:\n\t* permission denied\n\n' },
}

/** What a faulted call does instead of running. */
export type VaultFaultAction = { kind: 'fail'; reply: VaultReply } | { kind: 'drop' }

function matches(prefix: string | undefined, path: string): boolean {
  return prefix === undefined || path.startsWith(prefix.replace(/^\/+/, ''))
}

function checkPath(option: string, path: unknown): string | undefined {
  return checkString(option, path)
}

/** The reply a fault sends, checked field by field. */
function replyOf(fault: unknown): VaultReply {
  if (typeof fault === 'string') {
    const named = Object.hasOwn(FAULT_REPLIES, fault) ? FAULT_REPLIES[fault as VaultFaultKind] : undefined
    if (named === undefined) {
      const names = Object.keys(FAULT_REPLIES).map((k) => `'${k}'`)
      return invalid('faults.fail fault', fault, `one of ${names.join(', ')} or a { status } object`)
    }
    return { status: named.status, body: { errors: [named.message] } }
  }
  if (typeof fault !== 'object' || fault === null || Array.isArray(fault)) {
    return invalid(
      'faults.fail fault',
      fault,
      'a fault name or a { status, message?, body?, contentType? } object',
    )
  }
  const custom = fault as Record<string, unknown>
  const status = checkStatus('faults.fail status', custom.status)
  const message = checkString('faults.fail message', custom.message)
  const body = checkString('faults.fail body', custom.body)
  const contentType = checkContentType('faults.fail contentType', custom.contentType)
  if (body !== undefined)
    return { status, raw: { contentType: contentType ?? 'application/json', text: body } }
  return { status, body: { errors: message === undefined ? [] : [message] } }
}

// Not a ScopedFaults: Vault scopes faults by path prefix (the longest match wins), not by operation name.
/** The emulator's faults: checks what is added, then queues it in the shared {@link FaultPlan}. */
export class VaultFaultPlan implements VaultFaults {
  readonly #plan = new FaultPlan<VaultFaultAction, string>((prefix, path) =>
    matches(prefix, path) ? (prefix ?? '').length + (prefix === undefined ? 0 : 1) : undefined,
  )

  setLatency(ms: number, options: { path?: string } = {}): void {
    this.#plan.setLatency(ms, checkPath('faults.setLatency option path', options.path))
  }

  fail(fault: VaultFaultKind | VaultCustomFault, options: VaultFaultOptions = {}): void {
    const action: VaultFaultAction = { kind: 'fail', reply: replyOf(fault) }
    this.#plan.add(action, options.times, checkPath('faults option path', options.path))
  }

  drop(options: VaultFaultOptions = {}): void {
    this.#plan.add({ kind: 'drop' }, options.times, checkPath('faults option path', options.path))
  }

  get pending(): number {
    return this.#plan.pending
  }

  reset(): void {
    this.#plan.reset()
  }

  /** Latency for one call: the setting with the longest matching path prefix. */
  latencyFor(path: string): number {
    return this.#plan.latencyFor(path)
  }

  /** Uses up one matching fault, if any. */
  take(path: string): VaultFaultAction | undefined {
    return this.#plan.take(path)
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
