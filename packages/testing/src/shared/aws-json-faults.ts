/**
 * Fault injection for the emulators of AWS JSON 1.1 services (Secrets Manager, Parameter Store):
 * the same controls and checks for both; each emulator names its own faults and operations, and
 * writes the replies its service sends.
 */
import { AWS_JSON_CONTENT_TYPE, jsonReply } from './aws-json.js'
import type { EmulatorFaults } from './fault-control.js'
import { checkFault, ScopedFaults } from './fault-control.js'
import type { Reply } from './http-server.js'

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

/** Fault injection for a running AWS JSON emulator, scoped by operation (see {@link EmulatorFaults}). */
export type AwsJsonFaults<Kind extends string, Operation extends string> = EmulatorFaults<
  Kind | AwsJsonCustomFault,
  AwsJsonFaultOptions<Operation>,
  { operation?: Operation }
>

/** What a faulted call does instead of running. */
export type AwsJsonFaultAction<Kind extends string> =
  | { kind: 'fail'; fault: Kind | AwsJsonCustomFault }
  | { kind: 'drop' }

/** The emulator's faults: checks what is added, then queues it in the shared fault plan. */
export class AwsJsonFaultPlan<Kind extends string, Operation extends string>
  extends ScopedFaults<Operation, 'operation', AwsJsonFaultAction<Kind>>
  implements AwsJsonFaults<Kind, Operation>
{
  readonly #kinds: readonly Kind[]

  /** `kinds`: the named faults the emulator answers; `operations`: those it implements. */
  constructor(kinds: readonly Kind[], operations: readonly Operation[]) {
    super('operation', operations)
    this.#kinds = kinds
  }

  fail(fault: Kind | AwsJsonCustomFault, options: AwsJsonFaultOptions<Operation> = {}): void {
    this.queue(
      { kind: 'fail', fault: checkFault({ kinds: this.#kinds, errorMember: 'type' }, fault) },
      options,
    )
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
): Reply {
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

/** The named faults both AWS JSON emulators answer alike (only the message member's spelling differs). */
export type AwsJsonCommonFault = 'unavailable' | 'throttling' | 'accessDenied'

/**
 * The reply of a fault both AWS JSON services send the same way: a proxy's 503 HTML page, a
 * `ThrottlingException` ("Rate exceeded"), or an IAM-style `AccessDeniedException` naming
 * `<actionPrefix>:<operation>` (`secretsmanager`, `ssm`). `messageKey` is the service's spelling of
 * the message member (Secrets Manager: `Message`; Parameter Store: `message`).
 */
export function commonFaultReply(
  fault: AwsJsonCommonFault,
  call: { operation: string; accountId: string; actionPrefix: string; messageKey: 'Message' | 'message' },
): Reply {
  const json = (status: number, type: string, message: string): Reply =>
    jsonReply(status, { __type: type, [call.messageKey]: message })
  switch (fault) {
    case 'unavailable':
      return { status: 503, contentType: 'text/html', body: PROXY_UNAVAILABLE_HTML }
    case 'throttling':
      return json(400, 'ThrottlingException', 'Rate exceeded')
    case 'accessDenied': {
      const action = `${call.actionPrefix}:${call.operation}`
      return json(
        400,
        'AccessDeniedException',
        `User: arn:aws:iam::${call.accountId}:user/emulator is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
      )
    }
  }
}
