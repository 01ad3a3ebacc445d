/**
 * Fault injection for the emulators of AWS JSON 1.1 services (Secrets Manager, Parameter Store):
 * the same controls and checks for both; each emulator names its own faults and operations, and
 * writes the replies its service sends.
 */
import { checkContentType, checkStatus, checkString, FaultPlan, invalid } from './fault-plan.js'

/** The content type of an AWS JSON 1.1 reply. */
export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1'

/**
 * Any reply other than a named fault: a JSON error such as `{ status: 400, type: 'DecryptionFailure' }`,
 * an empty body (`{ status: 429 }`), or a raw `body`, e.g. a truncated 200 reply. Checked when it is
 * added: anything else throws `InvalidOptionsError` (`ERR_SECRET_INVALID_OPTIONS`).
 */
export interface AwsJsonCustomFault {
  /** HTTP status: an integer from 200 to 599. */
  status: number
  /** The `__type` of a JSON error body; without it (and without `body`) the body is empty. */
  type?: string
  /** The message member of the JSON error body (the service's own spelling of it). */
  message?: string
  /** A raw body, sent as is instead of a JSON error body. */
  body?: string
  /** Content type for `body`. @default 'application/x-amz-json-1.1' */
  contentType?: string
}

/** Which calls a fault applies to. */
export interface AwsJsonFaultOptions<Operation extends string> {
  /** How many matching calls it affects; `Infinity` lasts until `reset()`. @default 1 */
  times?: number
  /** Only calls of this operation match. @default every operation */
  operation?: Operation
}

/**
 * Fault injection for a running emulator. Faults queue up and are used in the order they were
 * added. Every method checks its arguments and throws `InvalidOptionsError`
 * (`ERR_SECRET_INVALID_OPTIONS`) for a fault, count, latency or operation it cannot use.
 */
export interface AwsJsonFaults<Kind extends string, Operation extends string> {
  /** Delays every reply (or only `operation`'s) by `ms` before anything else happens. 0 removes it. */
  setLatency(ms: number, options?: { operation?: Operation }): void
  /** Makes the next matching calls fail with `fault` instead of running. */
  fail(fault: Kind | AwsJsonCustomFault, options?: AwsJsonFaultOptions<Operation>): void
  /** Makes the next matching calls end with the socket destroyed and no response at all. */
  drop(options?: AwsJsonFaultOptions<Operation>): void
  /** Failures still queued (`Infinity` when one lasts until reset). */
  readonly pending: number
  /** Removes every queued fault and all latency. */
  reset(): void
}

/** What a faulted call does instead of running. */
export type AwsJsonFaultAction<Kind extends string> =
  | { kind: 'fail'; fault: Kind | AwsJsonCustomFault }
  | { kind: 'drop' }

/** The emulator's faults: checks what is added, then queues it in the shared {@link FaultPlan}. */
export class AwsJsonFaultPlan<Kind extends string, Operation extends string>
  implements AwsJsonFaults<Kind, Operation>
{
  readonly #plan = new FaultPlan<AwsJsonFaultAction<Kind>, Operation>((scope, operation) =>
    scope === undefined ? 0 : scope === operation ? 1 : undefined,
  )
  readonly #kinds: readonly Kind[]
  readonly #operations: readonly Operation[]

  /** `kinds`: the named faults the emulator answers; `operations`: those it implements. */
  constructor(kinds: readonly Kind[], operations: readonly Operation[]) {
    this.#kinds = kinds
    this.#operations = operations
  }

  setLatency(ms: number, options: { operation?: Operation } = {}): void {
    this.#plan.setLatency(ms, this.#checkOperation(options.operation))
  }

  fail(fault: Kind | AwsJsonCustomFault, options: AwsJsonFaultOptions<Operation> = {}): void {
    const action: AwsJsonFaultAction<Kind> = { kind: 'fail', fault: this.#checkFault(fault) }
    this.#plan.add(action, options.times, this.#checkOperation(options.operation))
  }

  drop(options: AwsJsonFaultOptions<Operation> = {}): void {
    this.#plan.add({ kind: 'drop' }, options.times, this.#checkOperation(options.operation))
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
  take(operation: string): AwsJsonFaultAction<Kind> | undefined {
    return this.#plan.take(operation)
  }

  /** A fault as given, checked field by field; throws `InvalidOptionsError` at the `faults` call. */
  #checkFault(fault: unknown): Kind | AwsJsonCustomFault {
    if (typeof fault === 'string') {
      if ((this.#kinds as readonly string[]).includes(fault)) return fault as Kind
      invalid(
        'faults.fail fault',
        fault,
        `one of ${this.#kinds.map((k) => `'${k}'`).join(', ')} or a { status } object`,
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
    const checked: AwsJsonCustomFault = { status: checkStatus('faults.fail status', custom.status) }
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

  #checkOperation(operation: unknown): Operation | undefined {
    if (operation === undefined || (this.#operations as readonly unknown[]).includes(operation)) {
      return operation as Operation | undefined
    }
    return invalid('faults option operation', operation, `one of ${this.#operations.join(', ')}`)
  }
}

/** What a load balancer or proxy in front of the service sends when the backend is gone. */
export const PROXY_UNAVAILABLE_HTML =
  '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n' +
  '<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n'

/**
 * The reply of a custom fault: its raw `body`, an empty body without a `type`, else a JSON error
 * whose message member is spelled `messageKey` (Secrets Manager: `Message`; Parameter Store:
 * `message`), with `fallbackMessage` when the fault has none (`undefined`: no message member).
 */
export function customFaultReply(
  fault: AwsJsonCustomFault,
  messageKey: 'Message' | 'message',
  fallbackMessage?: string,
): { status: number; contentType: string; body: string } {
  if (fault.body !== undefined) {
    return { status: fault.status, contentType: fault.contentType ?? AWS_JSON_CONTENT_TYPE, body: fault.body }
  }
  if (fault.type === undefined || fault.type === '') {
    return { status: fault.status, contentType: AWS_JSON_CONTENT_TYPE, body: '' }
  }
  const message = fault.message ?? fallbackMessage
  return {
    status: fault.status,
    contentType: AWS_JSON_CONTENT_TYPE,
    body: JSON.stringify({ __type: fault.type, ...(message === undefined ? {} : { [messageKey]: message }) }),
  }
}
