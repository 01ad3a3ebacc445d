import { checkContentType, checkStatus, checkString, FaultPlan, invalid } from '../shared/fault-plan.js'
import { isOperation, operations, type SecretsManagerOperation } from './operations.js'
import { CONTENT_TYPE, jsonReply, type Reply } from './wire.js'

/**
 * A named failure:
 * - `'throttling'`: 400 `ThrottlingException` ("Rate exceeded")
 * - `'internal'`: 500 `InternalServiceError`
 * - `'accessDenied'`: 400 `AccessDeniedException` with an IAM-style message
 * - `'unavailable'`: 503 with an HTML body, as a load balancer or proxy sends it (not JSON)
 */
export type SecretsManagerFaultKind = 'throttling' | 'internal' | 'accessDenied' | 'unavailable'

/**
 * Any other reply: a JSON error such as `{ status: 400, type: 'DecryptionFailure' }`, an empty body
 * (`{ status: 429 }`), or a raw `body`, e.g. a truncated 200 reply. Checked when it is added:
 * anything else throws `InvalidOptionsError` (`ERR_SECRET_INVALID_OPTIONS`).
 */
export interface SecretsManagerCustomFault {
  /** HTTP status: an integer from 200 to 599. */
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
export interface SecretsManagerFaultOptions {
  /** How many matching calls it affects; `Infinity` lasts until `reset()`. @default 1 */
  times?: number
  /** Only calls of this operation match. @default every operation */
  operation?: SecretsManagerOperation
}

/**
 * Fault injection for a running emulator. Faults queue up and are used in the order they were
 * added. Every method checks its arguments and throws `InvalidOptionsError`
 * (`ERR_SECRET_INVALID_OPTIONS`) for a fault, count, latency or operation it cannot use.
 */
export interface SecretsManagerFaults {
  /** Delays every reply (or only `operation`'s) by `ms` before anything else happens. 0 removes it. */
  setLatency(ms: number, options?: { operation?: SecretsManagerOperation }): void
  /** Makes the next matching calls fail with `fault` instead of running. */
  fail(fault: SecretsManagerFaultKind | SecretsManagerCustomFault, options?: SecretsManagerFaultOptions): void
  /** Makes the next matching calls end with the socket destroyed and no response at all. */
  drop(options?: SecretsManagerFaultOptions): void
  /** Failures still queued (`Infinity` when one lasts until reset). */
  readonly pending: number
  /** Removes every queued fault and all latency. */
  reset(): void
}

/** What a faulted call does instead of running. */
export type FaultAction =
  | { kind: 'fail'; fault: SecretsManagerFaultKind | SecretsManagerCustomFault }
  | { kind: 'drop' }

const FAULT_KINDS: readonly SecretsManagerFaultKind[] = [
  'throttling',
  'internal',
  'accessDenied',
  'unavailable',
]

/** A fault as given, checked field by field; throws {@link InvalidOptionsError} at the `faults` call. */
function checkFault(fault: unknown): SecretsManagerFaultKind | SecretsManagerCustomFault {
  if (typeof fault === 'string') {
    if ((FAULT_KINDS as readonly string[]).includes(fault)) return fault as SecretsManagerFaultKind
    invalid(
      'faults.fail fault',
      fault,
      `one of ${FAULT_KINDS.map((k) => `'${k}'`).join(', ')} or a { status } object`,
    )
  }
  if (typeof fault !== 'object' || fault === null || Array.isArray(fault)) {
    invalid(
      'faults.fail fault',
      fault,
      'a fault name or a { status, type?, message?, body?, contentType? } object',
    )
  }
  const custom = fault as Record<string, unknown>
  const checked: SecretsManagerCustomFault = { status: checkStatus('faults.fail status', custom.status) }
  const type = checkString('faults.fail type', custom.type)
  const message = checkString('faults.fail message', custom.message)
  const body = checkString('faults.fail body', custom.body)
  const contentType = checkContentType('faults.fail contentType', custom.contentType)
  if (type !== undefined) checked.type = type
  if (message !== undefined) checked.message = message
  if (body !== undefined) checked.body = body
  if (contentType !== undefined) checked.contentType = contentType
  return checked
}

function checkOperation(operation: unknown): SecretsManagerOperation | undefined {
  if (operation === undefined || (typeof operation === 'string' && isOperation(operation))) {
    return operation as SecretsManagerOperation | undefined
  }
  return invalid('faults option operation', operation, `one of ${Object.keys(operations).join(', ')}`)
}

/** The emulator's faults: checks what is added, then queues it in the shared {@link FaultPlan}. */
export class SecretsManagerFaultPlan implements SecretsManagerFaults {
  readonly #plan = new FaultPlan<FaultAction, SecretsManagerOperation>((scope, operation) =>
    scope === undefined ? 0 : scope === operation ? 1 : undefined,
  )

  setLatency(ms: number, options: { operation?: SecretsManagerOperation } = {}): void {
    this.#plan.setLatency(ms, checkOperation(options.operation))
  }

  fail(
    fault: SecretsManagerFaultKind | SecretsManagerCustomFault,
    options: SecretsManagerFaultOptions = {},
  ): void {
    const action: FaultAction = { kind: 'fail', fault: checkFault(fault) }
    this.#plan.add(action, options.times, checkOperation(options.operation))
  }

  drop(options: SecretsManagerFaultOptions = {}): void {
    this.#plan.add({ kind: 'drop' }, options.times, checkOperation(options.operation))
  }

  get pending(): number {
    return this.#plan.pending
  }

  reset(): void {
    this.#plan.reset()
  }

  /** Latency for one call of `operation`: its own setting, else the global one. */
  latencyFor(operation: string): number {
    return this.#plan.latencyFor(operation)
  }

  /** Uses up one matching fault, if any. */
  take(operation: string): FaultAction | undefined {
    return this.#plan.take(operation)
  }
}

/** What a load balancer or proxy in front of the service sends when the backend is gone. */
const PROXY_UNAVAILABLE_HTML =
  '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n' +
  '<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n'

/** The reply a failing fault sends instead of running `operation`. */
export function faultReply(
  fault: SecretsManagerFaultKind | SecretsManagerCustomFault,
  operation: string,
  accountId: string,
): Reply {
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
