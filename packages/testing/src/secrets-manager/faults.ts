import { jsonReply } from '../shared/aws-json.js'
import {
  type AwsJsonCustomFault,
  type AwsJsonFaultAction,
  type AwsJsonFaultOptions,
  AwsJsonFaultPlan,
  type AwsJsonFaults,
  commonFaultReply,
  customFaultReply,
} from '../shared/aws-json-faults.js'
import type { Reply } from '../shared/http-server.js'
import { operations, type SecretsManagerOperation } from './operations.js'

/**
 * A named failure:
 * - `'throttling'`: 400 `ThrottlingException` ("Rate exceeded")
 * - `'internal'`: 500 `InternalServiceError`
 * - `'accessDenied'`: 400 `AccessDeniedException` with an IAM-style message
 * - `'unavailable'`: 503 with an HTML body, as a load balancer or proxy sends it (not JSON)
 */
export type SecretsManagerFaultKind = 'throttling' | 'internal' | 'accessDenied' | 'unavailable'

// Each service keeps public names of its own for the shared shapes (the reviewed list in test/exports.test.ts).
/**
 * Any other reply: a JSON error such as `{ status: 400, type: 'DecryptionFailure' }` (its `message`
 * is sent as `Message`, '' when absent), an empty body (`{ status: 429 }`), or a raw `body`.
 */
export type SecretsManagerCustomFault = AwsJsonCustomFault

/** Which calls a fault applies to. */
export type SecretsManagerFaultOptions = AwsJsonFaultOptions<SecretsManagerOperation>

/** Fault injection for a running Secrets Manager emulator (see {@link AwsJsonFaults}). */
export type SecretsManagerFaults = AwsJsonFaults<SecretsManagerFaultKind, SecretsManagerOperation>

/** What a faulted call does instead of running. */
export type FaultAction = AwsJsonFaultAction<SecretsManagerFaultKind>

/** The emulator's faults: the shared AWS JSON plan with this service's faults and operations. */
export class SecretsManagerFaultPlan extends AwsJsonFaultPlan<
  SecretsManagerFaultKind,
  SecretsManagerOperation
> {
  constructor() {
    super(
      ['throttling', 'internal', 'accessDenied', 'unavailable'],
      Object.keys(operations) as SecretsManagerOperation[],
    )
  }
}

/** The reply a failing fault sends instead of running `operation`. */
export function faultReply(
  fault: SecretsManagerFaultKind | SecretsManagerCustomFault,
  operation: string,
  accountId: string,
): Reply {
  switch (fault) {
    case 'unavailable':
    case 'throttling':
    case 'accessDenied':
      return commonFaultReply(fault, {
        operation,
        accountId,
        actionPrefix: 'secretsmanager',
        messageKey: 'Message',
      })
    case 'internal':
      return jsonReply(500, {
        __type: 'InternalServiceError',
        Message: 'An error occurred on the server side.',
      })
    default:
      return customFaultReply(fault, 'Message', '')
  }
}
