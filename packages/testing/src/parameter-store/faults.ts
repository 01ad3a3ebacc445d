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
import { INTERNAL_ERROR } from './errors.js'
import { operations, type ParameterStoreOperation } from './operations.js'

/**
 * A named failure:
 * - `'throttling'`: 400 `ThrottlingException` ("Rate exceeded")
 * - `'tooManyUpdates'`: 400 `TooManyUpdates` (concurrent changes to one parameter)
 * - `'internal'`: 500 `InternalServerError`
 * - `'accessDenied'`: 400 `AccessDeniedException` with an IAM-style message naming `ssm:<Operation>`
 * - `'kmsAccessDenied'`: 400 `AccessDeniedException` with the text KMS sends when the caller may not decrypt
 * - `'unavailable'`: 503 with an HTML body, as a load balancer or proxy sends it (not JSON)
 * - `'otherParameter'`: a lying reply. The call runs, and its 200 reply names another parameter
 *   than the one asked for (`Name` and `ARN` of each parameter get the suffix `-other`; under a
 *   path, the name moves outside it), as a misbehaving proxy or cache in front of the service might.
 */
export type ParameterStoreFaultKind =
  | 'throttling'
  | 'tooManyUpdates'
  | 'internal'
  | 'accessDenied'
  | 'kmsAccessDenied'
  | 'unavailable'
  | 'otherParameter'

// Each service keeps public names of its own for the shared shapes (the reviewed list in test/exports.test.ts).
/**
 * Any other reply: a JSON error such as `{ status: 400, type: 'InvalidKeyId' }` (its `message` is
 * sent as `message`, left out when absent), an empty body (`{ status: 429 }`), or a raw `body`.
 */
export type ParameterStoreCustomFault = AwsJsonCustomFault

/** Which calls a fault applies to. */
export type ParameterStoreFaultOptions = AwsJsonFaultOptions<ParameterStoreOperation>

/** Fault injection for a running Parameter Store emulator (see {@link AwsJsonFaults}). */
export type ParameterStoreFaults = AwsJsonFaults<ParameterStoreFaultKind, ParameterStoreOperation>

/** What a faulted call does instead of running. */
export type FaultAction = AwsJsonFaultAction<ParameterStoreFaultKind>

/** The emulator's faults: the shared AWS JSON plan with this service's faults and operations. */
export class ParameterStoreFaultPlan extends AwsJsonFaultPlan<
  ParameterStoreFaultKind,
  ParameterStoreOperation
> {
  constructor() {
    super(
      [
        'throttling',
        'tooManyUpdates',
        'internal',
        'accessDenied',
        'kmsAccessDenied',
        'unavailable',
        'otherParameter',
      ],
      Object.keys(operations) as ParameterStoreOperation[],
    )
  }
}

/** What KMS answers (through Parameter Store) when the caller may not use the key. See docs/wire-facts.md. */
const KMS_DENIED =
  'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException)'

type Parameter = { Name?: string; ARN?: string }

function renamed(parameter: Parameter, path: boolean): Parameter {
  const name = parameter.Name ?? ''
  return {
    ...parameter,
    Name: path ? `/elsewhere${name.startsWith('/') ? '' : '/'}${name}` : `${name}-other`,
    ...(parameter.ARN === undefined ? {} : { ARN: `${parameter.ARN}-other` }),
  }
}

/** How a lying fault rewrites a real reply; `undefined` for the faults that answer without running. */
export function lieOf(
  fault: ParameterStoreFaultKind | ParameterStoreCustomFault,
): ((operation: string, output: object) => object) | undefined {
  if (fault !== 'otherParameter') return undefined
  return (operation, output) => {
    const reply = output as { Parameter?: Parameter; Parameters?: Parameter[] }
    if (reply.Parameter !== undefined) return { ...reply, Parameter: renamed(reply.Parameter, false) }
    if (Array.isArray(reply.Parameters)) {
      const path = operation === 'GetParametersByPath'
      return { ...reply, Parameters: reply.Parameters.map((p) => renamed(p, path)) }
    }
    return output
  }
}

/** The reply a failing fault sends instead of running `operation` (not used for `'otherParameter'`). */
export function faultReply(
  fault: Exclude<ParameterStoreFaultKind, 'otherParameter'> | ParameterStoreCustomFault,
  operation: string,
  accountId: string,
): Reply {
  switch (fault) {
    case 'unavailable':
    case 'throttling':
    case 'accessDenied':
      return commonFaultReply(fault, { operation, accountId, actionPrefix: 'ssm', messageKey: 'message' })
    case 'tooManyUpdates':
      return jsonReply(400, {
        __type: 'TooManyUpdates',
        message: 'There are concurrent updates for the parameter.',
      })
    case 'internal':
      return jsonReply(500, INTERNAL_ERROR)
    case 'kmsAccessDenied':
      return jsonReply(400, { __type: 'AccessDeniedException', message: KMS_DENIED })
    default:
      return customFaultReply(fault, 'message')
  }
}
