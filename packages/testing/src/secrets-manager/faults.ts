import type { SecretsManagerOperation } from './operations.js'
import { CONTENT_TYPE, jsonReply, type Reply } from './wire.js'

/**
 * A named failure:
 * - `'throttling'`: 400 `ThrottlingException` ("Rate exceeded")
 * - `'internal'`: 500 `InternalServiceError`
 * - `'accessDenied'`: 400 `AccessDeniedException` with an IAM-style message
 * - `'unavailable'`: 503 with an HTML body, as a load balancer or proxy sends it (not JSON)
 */
export type FaultKind = 'throttling' | 'internal' | 'accessDenied' | 'unavailable'

/**
 * Any other reply: a JSON error such as `{ status: 400, type: 'DecryptionFailure' }`, an empty body
 * (`{ status: 429 }`), or a raw `body`, e.g. a truncated 200 reply.
 */
export interface CustomFault {
  /** HTTP status. */
  status: number
  /** The `__type` of a JSON error body; without it (and without `body`) the body is empty. */
  type?: string
  /** The `Message` of the JSON error body. @default '' */
  message?: string
  /** A raw body, sent as is instead of a JSON error body. */
  body?: string
  /** Content type for `body`. @default 'application/x-amz-json-1.1' */
  contentType?: string
}

/** Which calls a fault applies to. */
export interface FaultOptions {
  /** How many matching calls it affects; `Infinity` lasts until `reset()`. @default 1 */
  times?: number
  /** Only calls of this operation match. @default every operation */
  operation?: SecretsManagerOperation
}

/** Fault injection for a running emulator. Faults queue up and are used in the order they were added. */
export interface SecretsManagerFaults {
  /** Delays every reply (or only `operation`'s) by `ms` before anything else happens. 0 removes it. */
  setLatency(ms: number, options?: { operation?: SecretsManagerOperation }): void
  /** Makes the next matching calls fail with `fault` instead of running. */
  fail(fault: FaultKind | CustomFault, options?: FaultOptions): void
  /** Makes the next matching calls end with the socket destroyed and no response at all. */
  drop(options?: FaultOptions): void
  /** Failures still queued (`Infinity` when one lasts until reset). */
  readonly pending: number
  /** Removes every queued fault and all latency. */
  reset(): void
}

/** What a faulted call does instead of running. */
export type FaultAction = { kind: 'fail'; fault: FaultKind | CustomFault } | { kind: 'drop' }

interface Rule {
  action: FaultAction
  remaining: number
  operation: SecretsManagerOperation | undefined
}

function count(options: FaultOptions): number {
  const times = options.times ?? 1
  if (!(times >= 1) || (!Number.isInteger(times) && times !== Number.POSITIVE_INFINITY)) {
    throw new RangeError('faults: times must be a positive integer or Infinity')
  }
  return times
}

/** The emulator's fault plan; the emulator also asks it what to do with each call. */
export class FaultPlan implements SecretsManagerFaults {
  #rules: Rule[] = []
  #latency = new Map<SecretsManagerOperation | undefined, number>()

  setLatency(ms: number, options: { operation?: SecretsManagerOperation } = {}): void {
    if (!(ms >= 0) || !Number.isFinite(ms))
      throw new RangeError('faults: latency must be a non-negative number of ms')
    if (ms === 0) this.#latency.delete(options.operation)
    else this.#latency.set(options.operation, ms)
  }

  fail(fault: FaultKind | CustomFault, options: FaultOptions = {}): void {
    this.#rules.push({
      action: { kind: 'fail', fault },
      remaining: count(options),
      operation: options.operation,
    })
  }

  drop(options: FaultOptions = {}): void {
    this.#rules.push({ action: { kind: 'drop' }, remaining: count(options), operation: options.operation })
  }

  get pending(): number {
    return this.#rules.reduce((sum, rule) => sum + rule.remaining, 0)
  }

  reset(): void {
    this.#rules = []
    this.#latency.clear()
  }

  /** Latency for one call of `operation`: its own setting, else the global one. */
  latencyFor(operation: string): number {
    return this.#latency.get(operation as SecretsManagerOperation) ?? this.#latency.get(undefined) ?? 0
  }

  /** Uses up one matching fault, if any. */
  take(operation: string): FaultAction | undefined {
    const rule = this.#rules.find((r) => r.operation === undefined || r.operation === operation)
    if (rule === undefined) return undefined
    rule.remaining--
    if (rule.remaining <= 0) this.#rules.splice(this.#rules.indexOf(rule), 1)
    return rule.action
  }
}

/** What a load balancer or proxy in front of the service sends when the backend is gone. */
const PROXY_UNAVAILABLE_HTML =
  '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n' +
  '<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n'

/** The reply a failing fault sends instead of running `operation`. */
export function faultReply(fault: FaultKind | CustomFault, operation: string, accountId: string): Reply {
  switch (fault) {
    case 'unavailable':
      return { status: 503, contentType: 'text/html', body: PROXY_UNAVAILABLE_HTML }
    case 'throttling':
      return jsonReply(400, { __type: 'ThrottlingException', Message: 'Rate exceeded' })
    case 'internal':
      return jsonReply(500, {
        __type: 'InternalServiceError',
        Message: 'An error occurred on the server side.',
      })
    case 'accessDenied': {
      const action = `secretsmanager:${operation}`
      return jsonReply(400, {
        __type: 'AccessDeniedException',
        Message: `User: arn:aws:iam::${accountId}:user/emulator is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
      })
    }
    default:
      if (fault.body !== undefined) {
        return { status: fault.status, contentType: fault.contentType ?? CONTENT_TYPE, body: fault.body }
      }
      if (fault.type === undefined || fault.type === '')
        return { status: fault.status, contentType: CONTENT_TYPE, body: '' }
      return jsonReply(fault.status, { __type: fault.type, Message: fault.message ?? '' })
  }
}
