// Deliberately alike in every source's errors.ts: the same core error classes, mapped from this service's own codes.
import {
  InvalidSecretNameError,
  SecretAccessDeniedError,
  SecretError,
  SecretNotFoundError,
  SecretThrottledError,
  SecretUnavailableError,
} from '@latchkey/core'

/** Where an AWS error happened, for the {@link SecretError} it becomes. */
export interface AwsErrorContext {
  /** The secret (or, for a failed batch call, the secrets) being loaded. */
  secretName: string
  /** The source's name. @default 'aws-secrets-manager' */
  source?: string
  /** The load's signal: when it has fired, its reason (such as a core `SecretTimeoutError`) is the error. */
  signal?: AbortSignal
}

/** The fields of an SDK v3 error this mapping reads. */
interface AwsLikeError {
  name?: unknown
  code?: unknown
  $metadata?: { httpStatusCode?: number }
}

type Kind = 'notFound' | 'unreadable' | 'denied' | 'invalidName' | 'throttled' | 'unavailable'

const BY_NAME: Record<string, Kind> = {
  ResourceNotFoundException: 'notFound',
  InvalidRequestException: 'unreadable',
  AccessDeniedException: 'denied',
  DecryptionFailure: 'denied',
  UnrecognizedClientException: 'denied',
  InvalidClientTokenId: 'denied',
  InvalidSignatureException: 'denied',
  SignatureDoesNotMatch: 'denied',
  IncompleteSignature: 'denied',
  MissingAuthenticationToken: 'denied',
  MissingAuthenticationTokenException: 'denied',
  NotAuthorized: 'denied',
  OptInRequired: 'denied',
  InvalidParameterException: 'invalidName',
  ValidationException: 'invalidName',
  // The SDK's own list of throttling codes (docs/wire-facts.md#secrets-manager-sdk-v3-retries), LimitExceededException included.
  ThrottlingException: 'throttled',
  Throttling: 'throttled',
  ThrottledException: 'throttled',
  LimitExceededException: 'throttled',
  TooManyRequestsException: 'throttled',
  TooManyRequests: 'throttled',
  RequestLimitExceeded: 'throttled',
  RequestThrottled: 'throttled',
  RequestThrottledException: 'throttled',
  SlowDown: 'throttled',
  BandwidthLimitExceeded: 'throttled',
  ProvisionedThroughputExceededException: 'throttled',
  PriorRequestNotComplete: 'throttled',
  EC2ThrottledException: 'throttled',
  TransactionInProgressException: 'throttled',
}

function kindOf(error: AwsLikeError): Kind {
  const name = typeof error.name === 'string' ? error.name : ''
  const status = error.$metadata?.httpStatusCode
  const byName = BY_NAME[name]
  if (byName !== undefined) return byName
  if (status === 429) return 'throttled'
  if (status === 401 || status === 403) return 'denied'
  // 5xx, InternalServiceError at any status, HTML error pages (SyntaxError), network and timeout
  // errors, expired session tokens and clock skew (the SDK corrects both before the next attempt),
  // credential-chain failures, and anything unknown: transient.
  return 'unavailable'
}

/**
 * The `cause` to keep. A reply that failed to parse carries its body text (the SDK keeps it in
 * hidden fields, and V8's SyntaxError message quotes it); on a 2xx reply that body may hold the
 * secret value, so such an error is replaced by a summary without any of the body.
 */
function safeCause(error: unknown): unknown {
  const status = (error as AwsLikeError | undefined)?.$metadata?.httpStatusCode
  const parsedBody = error instanceof SyntaxError || Object.hasOwn(Object(error), '$responseBodyText')
  if (!parsedBody || (status !== undefined && (status < 200 || status >= 300))) return error
  return new Error(`the AWS reply${status === undefined ? '' : ` (HTTP ${status})`} could not be parsed`)
}

function label(context: AwsErrorContext, source: string): string {
  return `secret "${context.secretName}" (source ${source})`
}

/**
 * Turns an error from `@aws-sdk/client-secrets-manager` into a latchkey {@link SecretError}, by
 * `err.name` first and HTTP status second. The original stays as `cause` unless it could carry
 * response text from a successful reply.
 */
export function toAwsSecretError(error: unknown, context: AwsErrorContext): SecretError {
  if (error instanceof SecretError) return error
  const source = context.source ?? 'aws-secrets-manager'
  const reason: unknown = context.signal?.aborted ? context.signal.reason : undefined
  if (reason instanceof SecretError) return reason
  const options = { secretName: context.secretName, source, cause: safeCause(error) }
  const aws = (typeof error === 'object' && error !== null ? error : {}) as AwsLikeError
  const code = typeof aws.name === 'string' && aws.name !== 'Error' ? aws.name : String(aws.code ?? 'error')
  const what = label(context, source)
  switch (kindOf(aws)) {
    case 'notFound':
      return new SecretNotFoundError(options, `${what} was not found (${code})`)
    case 'unreadable':
      return new SecretNotFoundError(
        options,
        `${what} cannot be read (${code}: it is scheduled for deletion, or the requested version does not match)`,
      )
    // denied/throttled/unavailable are worded as in the other sources on purpose: one voice for users.
    case 'denied':
      return new SecretAccessDeniedError(options, `access to ${what} was denied (${code})`)
    case 'invalidName':
      return new InvalidSecretNameError(
        `AWS rejected the secret id "${context.secretName}" (${code})`,
        options,
      )
    case 'throttled':
      return new SecretThrottledError(options, `loading ${what} was throttled (${code})`)
    default:
      return new SecretUnavailableError(
        options,
        context.signal?.aborted ? `loading ${what} was aborted` : `${what} is unavailable (${code})`,
      )
  }
}
