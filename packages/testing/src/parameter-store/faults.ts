import { jsonReply, type Reply } from '../secrets-manager/wire.js'
import { checkContentType, checkStatus, checkString, FaultPlan, invalid } from '../shared/fault-plan.js'
import { INTERNAL_ERROR } from './errors.js'
import { isOperation, operations, type ParameterStoreOperation } from './operations.js'

const CONTENT_TYPE = 'application/x-amz-json-1.1'

/**
 * A named failure:
 * - `'throttling'`: 400 `ThrottlingException` ("Rate exceeded")
 * - `'tooManyUpdates'`: 400 `TooManyUpdates` (concurrent changes to one parameter)
 * - `'internal'`: 500 `InternalServerError`
 * - `'accessDenied'`: 400 `AccessDeniedException` with an IAM-style message naming `ssm:<Operation>`
 * - `'kmsAccessDenied'`: 400 `AccessDeniedException` with the text KMS sends when the caller may not decrypt
 * - `'unavailable'`: 503 with an HTML body, as a load balancer or proxy sends it (not JSON)
 */
export type ParameterStoreFaultKind =
  | 'throttling'
  | 'tooManyUpdates'
  | 'internal'
  | 'accessDenied'
  | 'kmsAccessDenied'
  | 'unavailable'

/**
 * Any other reply: a JSON error such as `{ status: 400, type: 'InvalidKeyId' }`, an empty body
 * (`{ status: 429 }`), or a raw `body`, e.g. a truncated 200 reply. Checked when it is added:
 * anything else throws `InvalidOptionsError` (`ERR_SECRET_INVALID_OPTIONS`).
 */
export interface ParameterStoreCustomFault {
  /** HTTP status: an integer from 200 to 599. */
  status: number
  /** The `__type` of a JSON error body; without it (and without `body`) the body is empty. */
  type?: string
  /** The `message` of the JSON error body. @default no message member */
  message?: string
  /** A raw body, sent as is instead of a JSON error body. */
  body?: string
  /** Content type for `body`. @default 'application/x-amz-json-1.1' */
  contentType?: string
}

/** Which calls a fault applies to. */
export interface ParameterStoreFaultOptions {
  /** How many matching calls it affects; `Infinity` lasts until `reset()`. @default 1 */
  times?: number
  /** Only calls of this operation match. @default every operation */
  operation?: ParameterStoreOperation
}

/**
 * Fault injection for a running Parameter Store emulator. Faults queue up and are used in the order
 * they were added. Every method checks its arguments and throws `InvalidOptionsError`
 * (`ERR_SECRET_INVALID_OPTIONS`) for a fault, count, latency or operation it cannot use.
 */
export interface ParameterStoreFaults {
  /** Delays every reply (or only `operation`'s) by `ms` before anything else happens. 0 removes it. */
  setLatency(ms: number, options?: { operation?: ParameterStoreOperation }): void
  /** Makes the next matching calls fail with `fault` instead of running. */
  fail(fault: ParameterStoreFaultKind | ParameterStoreCustomFault, options?: ParameterStoreFaultOptions): void
  /** Makes the next matching calls end with the socket destroyed and no response at all. */
  drop(options?: ParameterStoreFaultOptions): void
  /** Failures still queued (`Infinity` when one lasts until reset). */
  readonly pending: number
  /** Removes every queued fault and all latency. */
  reset(): void
}

/** What a faulted call does instead of running. */
export type FaultAction =
  | { kind: 'fail'; fault: ParameterStoreFaultKind | ParameterStoreCustomFault }
  | { kind: 'drop' }

const FAULT_KINDS: readonly ParameterStoreFaultKind[] = [
  'throttling',
  'tooManyUpdates',
  'internal',
  'accessDenied',
  'kmsAccessDenied',
  'unavailable',
]

function checkFault(fault: unknown): ParameterStoreFaultKind | ParameterStoreCustomFault {
  if (typeof fault === 'string') {
    if ((FAULT_KINDS as readonly string[]).includes(fault)) return fault as ParameterStoreFaultKind
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
  const checked: ParameterStoreCustomFault = { status: checkStatus('faults.fail status', custom.status) }
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

function checkOperation(operation: unknown): ParameterStoreOperation | undefined {
  if (operation === undefined || (typeof operation === 'string' && isOperation(operation))) {
    return operation as ParameterStoreOperation | undefined
  }
  return invalid('faults option operation', operation, `one of ${Object.keys(operations).join(', ')}`)
}

/** The emulator's faults: checks what is added, then queues it in the shared {@link FaultPlan}. */
export class ParameterStoreFaultPlan implements ParameterStoreFaults {
  readonly #plan = new FaultPlan<FaultAction, ParameterStoreOperation>((scope, operation) =>
    scope === undefined ? 0 : scope === operation ? 1 : undefined,
  )

  setLatency(ms: number, options: { operation?: ParameterStoreOperation } = {}): void {
    this.#plan.setLatency(ms, checkOperation(options.operation))
  }

  fail(
    fault: ParameterStoreFaultKind | ParameterStoreCustomFault,
    options: ParameterStoreFaultOptions = {},
  ): void {
    this.#plan.add(
      { kind: 'fail', fault: checkFault(fault) },
      options.times,
      checkOperation(options.operation),
    )
  }

  drop(options: ParameterStoreFaultOptions = {}): void {
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

const PROXY_UNAVAILABLE_HTML =
  '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n' +
  '<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n'

/** What KMS answers (through Parameter Store) when the caller may not use the key. See docs/wire-facts.md. */
const KMS_DENIED =
  'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException)'

/** The reply a failing fault sends instead of running `operation`. */
export function faultReply(
  fault: ParameterStoreFaultKind | ParameterStoreCustomFault,
  operation: string,
  accountId: string,
): Reply {
  switch (fault) {
    case 'unavailable':
      return { status: 503, contentType: 'text/html', body: PROXY_UNAVAILABLE_HTML }
    case 'throttling':
      return jsonReply(400, { __type: 'ThrottlingException', message: 'Rate exceeded' })
    case 'tooManyUpdates':
      return jsonReply(400, {
        __type: 'TooManyUpdates',
        message: 'There are concurrent updates for the parameter.',
      })
    case 'internal':
      return jsonReply(500, INTERNAL_ERROR)
    case 'accessDenied': {
      const action = `ssm:${operation}`
      return jsonReply(400, {
        __type: 'AccessDeniedException',
        message: `User: arn:aws:iam::${accountId}:user/emulator is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
      })
    }
    case 'kmsAccessDenied':
      return jsonReply(400, { __type: 'AccessDeniedException', message: KMS_DENIED })
    default:
      if (fault.body !== undefined) {
        return { status: fault.status, contentType: fault.contentType ?? CONTENT_TYPE, body: fault.body }
      }
      if (fault.type === undefined || fault.type === '')
        return { status: fault.status, contentType: CONTENT_TYPE, body: '' }
      return jsonReply(fault.status, {
        __type: fault.type,
        ...(fault.message === undefined ? {} : { message: fault.message }),
      })
  }
}
