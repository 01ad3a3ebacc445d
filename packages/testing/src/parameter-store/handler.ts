import { type AwsJsonCall, awsJsonHandler } from '../shared/aws-json-handler.js'
import {
  INTERNAL_ERROR,
  incompleteSignature,
  requestTooLarge,
  serialization,
  unknownOperation,
} from './errors.js'
import type { ParameterStoreCustomFault, ParameterStoreFaultKind, ParameterStoreFaultPlan } from './faults.js'
import { faultReply, lieOf } from './faults.js'
import type { Input } from './input.js'
import { isOperation, operations, type ParameterStoreOperation } from './operations.js'
import type { ParameterStoreState } from './store.js'

/**
 * The largest request body the emulator reads: 256 KiB. AWS does not publish the byte limit of a
 * Parameter Store request; this one is above every request the model allows (an 8,192-character
 * advanced value with every character JSON-escaped is 49,152 bytes, plus name, description and
 * tags), so no valid request is refused, and a larger body gets AWS's answer to an oversize
 * request: 413 `RequestEntityTooLargeException`. See docs/wire-facts.md.
 */
export const MAX_REQUEST_BYTES = 262_144

/** One request the Parameter Store emulator received. Holds names, never values. */
export interface ParameterStoreCall extends AwsJsonCall<ParameterStoreFaultKind> {
  /** The parameter names or path the request named (`Name`, `Names` or `Path`). */
  names: string[]
}

export interface HandlerContext {
  /** The state of one Region, created on first use. */
  stateFor: (region: string) => ParameterStoreState
  /** The Region of a request without an `Authorization` header. */
  defaultRegion: string
  faults: ParameterStoreFaultPlan
  record: (call: ParameterStoreCall) => void
  /** Aborted when the emulator closes, to end pending latency. */
  closing: AbortSignal
}

function namesOf(input: Input | undefined): string[] {
  if (input === undefined) return []
  const names = [input.Name, input.Path, ...(Array.isArray(input.Names) ? input.Names : [])]
  return names.filter((name): name is string => typeof name === 'string')
}

/** Answers one HTTP request the way Parameter Store does (awsJson1_1), faults first. */
export function createHandler(context: HandlerContext) {
  const { stateFor, defaultRegion, faults, record, closing } = context
  return awsJsonHandler({
    targetPrefix: 'AmazonSSM.',
    maxRequestBytes: MAX_REQUEST_BYTES,
    defaultRegion,
    stateFor,
    isOperation,
    run: (operation, state, input) => operations[operation as ParameterStoreOperation](state, input),
    namesOf: (input) => ({ names: namesOf(input) }),
    record,
    faults,
    lie: (fault) => lieOf(fault as ParameterStoreFaultKind | ParameterStoreCustomFault),
    faultReply: (fault, operation, accountId) =>
      faultReply(
        fault as Exclude<ParameterStoreFaultKind, 'otherParameter'> | ParameterStoreCustomFault,
        operation,
        accountId,
      ),
    errors: { unknownOperation, serialization, requestTooLarge, incompleteSignature },
    internalError: INTERNAL_ERROR,
    closing,
  })
}
