import { checkFault, ScopedFaults } from '../shared/fault-control.js'

/** The two calls the extension serves, named after the API calls it makes for them. */
export const LAMBDA_EXTENSION_OPERATIONS = ['GetSecretValue', 'GetParameter'] as const

/** One of {@link LAMBDA_EXTENSION_OPERATIONS}. */
export type LambdaExtensionOperation = (typeof LAMBDA_EXTENSION_OPERATIONS)[number]

/**
 * A named failure:
 * - `'throttling'`: 400 `ThrottlingException: Rate exceeded` (passed on from the service)
 * - `'accessDenied'`: 400 `AccessDeniedException: …` naming the action, as IAM refuses it
 * - `'unauthorized'`: 401, as for a missing or wrong `X-Aws-Parameters-Secrets-Token`
 * - `'notReady'`: 400 "not ready to serve traffic", as during the init phase
 * - `'internal'`: 500 `InternalServiceError`
 * - `'unavailable'`: 502 with a text body (the service could not be reached)
 */
export type LambdaExtensionFaultKind =
  | 'throttling'
  | 'accessDenied'
  | 'unauthorized'
  | 'notReady'
  | 'internal'
  | 'unavailable'

/** Any other answer: a status with an optional AWS error `type` and `message`, or a raw `body`. */
export interface LambdaExtensionCustomFault {
  /** HTTP status: an integer from 200 to 599. */
  status: number
  /** AWS error name put first in the text body (`<type>: <message>`). */
  type?: string
  /** Text after the error name. @default '' */
  message?: string
  /** A raw body sent as is (wins over `type` and `message`). */
  body?: string
  /** Content type of the body. @default 'text/plain; charset=utf-8' */
  contentType?: string
}

/** Which calls a fault applies to. */
export interface LambdaExtensionFaultOptions {
  /** How many matching calls it affects; `Infinity` lasts until `reset()`. @default 1 */
  times?: number
  /** Only calls of this operation match. @default every operation */
  operation?: LambdaExtensionOperation
}

/**
 * Fault injection for a running Lambda extension emulator, in the order added. Faults apply to
 * requests that passed the token check. Every method checks its arguments and throws
 * `InvalidOptionsError` (`ERR_SECRET_INVALID_OPTIONS`).
 */
export interface LambdaExtensionFaults {
  /** Delays every answer (or `operation`'s) by `ms`. 0 removes it. */
  setLatency(ms: number, options?: { operation?: LambdaExtensionOperation }): void
  /** Makes the next matching calls fail with `fault`. */
  fail(
    fault: LambdaExtensionFaultKind | LambdaExtensionCustomFault,
    options?: LambdaExtensionFaultOptions,
  ): void
  /** Makes the next matching calls end with the socket destroyed and no answer. */
  drop(options?: LambdaExtensionFaultOptions): void
  /** Failures still queued (`Infinity` when one lasts until reset). */
  readonly pending: number
  /** Removes every queued fault and all latency. */
  reset(): void
}

export type LambdaExtensionFaultAction = {
  kind: 'fail'
  fault: LambdaExtensionFaultKind | LambdaExtensionCustomFault
}

const KINDS: readonly LambdaExtensionFaultKind[] = [
  'throttling',
  'accessDenied',
  'unauthorized',
  'notReady',
  'internal',
  'unavailable',
]

/** The emulator's faults, queued in the shared fault plan. */
export class LambdaExtensionFaultPlan
  extends ScopedFaults<LambdaExtensionOperation, 'operation', LambdaExtensionFaultAction>
  implements LambdaExtensionFaults
{
  constructor() {
    super('operation', LAMBDA_EXTENSION_OPERATIONS)
  }

  fail(
    fault: LambdaExtensionFaultKind | LambdaExtensionCustomFault,
    options: LambdaExtensionFaultOptions = {},
  ): void {
    this.queue({ kind: 'fail', fault: checkFault({ kinds: KINDS, errorMember: 'type' }, fault) }, options)
  }
}
