import { type AwsJsonCall, awsJsonHandler } from '../shared/aws-json-handler.js'
import { incompleteSignature, requestTooLarge, serialization, unknownOperation } from './errors.js'
import type { SecretChange } from './events.js'
import {
  faultReply,
  type SecretsManagerCustomFault,
  type SecretsManagerFaultKind,
  type SecretsManagerFaultPlan,
} from './faults.js'
import type { Input } from './input.js'
import { isOperation, operations, type SecretsManagerOperation } from './operations.js'
import type { SecretStore } from './store.js'

/**
 * The largest request body the emulator reads: 512 KiB. AWS does not publish the byte limit of
 * a Secrets Manager request; this one is above every request the model's constraints allow (a
 * 65,536-character `SecretString` with every character JSON-escaped is 393,216 bytes, plus the
 * other members), so no valid request is refused, and a larger body gets what AWS answers an
 * oversize request with: 413 `RequestEntityTooLargeException`. See docs/wire-facts.md.
 */
export const MAX_REQUEST_BYTES = 524_288

/** One request the emulator received. Holds names, never secret values. */
export interface RecordedCall extends AwsJsonCall<SecretsManagerFaultKind> {
  /** The secret ids the request named (`SecretId`, `Name` or `SecretIdList`). */
  secretIds: string[]
}

export interface HandlerContext {
  /** The state of one Region, created on first use. */
  storeFor: (region: string) => SecretStore
  /** The Region of a request without an `Authorization` header. */
  defaultRegion: string
  faults: SecretsManagerFaultPlan
  record: (call: RecordedCall) => void
  /** Aborted when the emulator closes, to end pending latency. */
  closing: AbortSignal
  /** Told about every successful PutSecretValue and UpdateSecretVersionStage call (for change events). */
  changed?: (change: Omit<SecretChange, 'accountId' | 'time'>) => void
}

/** The change a successful call made, for {@link HandlerContext.changed}; undefined for other operations. */
function changeOf(
  operation: string,
  region: string,
  input: Input,
  reply: Record<string, unknown>,
): Omit<SecretChange, 'accountId' | 'time'> | undefined {
  const secretId = String(input.SecretId)
  const arn = String(reply.ARN)
  if (operation === 'PutSecretValue') {
    return {
      eventName: 'PutSecretValue',
      region,
      arn,
      secretId,
      ...(typeof input.ClientRequestToken === 'string'
        ? { parameters: { clientRequestToken: input.ClientRequestToken } }
        : {}),
      versionId: String(reply.VersionId),
      versionStages: (reply.VersionStages as string[] | undefined) ?? [],
    }
  }
  if (operation === 'UpdateSecretVersionStage') {
    const parameters: Record<string, unknown> = { versionStage: input.VersionStage }
    if (input.MoveToVersionId !== undefined) parameters.moveToVersionId = input.MoveToVersionId
    if (input.RemoveFromVersionId !== undefined) parameters.removeFromVersionId = input.RemoveFromVersionId
    return { eventName: 'UpdateSecretVersionStage', region, arn, secretId, parameters }
  }
  return undefined
}

function secretIdsOf(input: Input | undefined): string[] {
  if (input === undefined) return []
  const ids = [input.SecretId, input.Name, ...(Array.isArray(input.SecretIdList) ? input.SecretIdList : [])]
  return ids.filter((id): id is string => typeof id === 'string')
}

/** Answers one HTTP request the way Secrets Manager does (awsJson1_1), faults first. */
export function createHandler(context: HandlerContext) {
  const { storeFor, defaultRegion, faults, record, closing, changed } = context
  return awsJsonHandler({
    targetPrefix: 'secretsmanager.',
    maxRequestBytes: MAX_REQUEST_BYTES,
    defaultRegion,
    stateFor: storeFor,
    isOperation,
    run: (operation, store, input) => operations[operation as SecretsManagerOperation](store, input),
    succeeded(operation, region, input, output) {
      const change = changed && changeOf(operation, region, input, output as Record<string, unknown>)
      if (change !== undefined) changed?.(change)
    },
    namesOf: (input) => ({ secretIds: secretIdsOf(input) }),
    record,
    faults,
    faultReply: (fault, operation, accountId) =>
      faultReply(fault as SecretsManagerFaultKind | SecretsManagerCustomFault, operation, accountId),
    errors: { unknownOperation, serialization, requestTooLarge, incompleteSignature },
    internalError: {
      __type: 'InternalFailure',
      Message: 'The request processing has failed because of an unknown error, exception or failure.',
    },
    closing,
  })
}
