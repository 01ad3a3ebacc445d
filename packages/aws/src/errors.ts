// Deliberately alike in every source's errors.ts: the same core error classes, mapped from this service's own codes.
import {
  InvalidOptionsError,
  InvalidSecretNameError,
  SecretAccessDeniedError,
  type SecretError,
  SecretNotFoundError,
} from '@latchkey/core'
import { commonSourceError, secretLabel, settledSecretError } from '@latchkey/core/internal'

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
 * The IAM action an access-denied message names (`secretsmanager:GetSecretValue`), matched as a
 * `service:Action` identifier only, so nothing else of the message is kept.
 */
function deniedAction(error: AwsLikeError): string | undefined {
  const message = (error as { message?: unknown }).message
  if (typeof message !== 'string') return undefined
  return /not authorized to perform: ([a-z0-9-]{1,40}:[A-Za-z0-9*]{1,80})(?![A-Za-z0-9*:])/.exec(message)?.[1]
}

/** A service error name or code as it may be kept: a short identifier, never free text. */
const IDENTIFIER = /^[A-Za-z0-9_.:#-]{1,100}$/

/**
 * The `cause` to keep: the service error's name, its `code` and its HTTP status, and nothing of
 * its message or body. A service or proxy may echo request or reply text (a secret value
 * among it) in an error message, and a reply that failed to parse carries its body.
 */
export function serviceCause(error: unknown): Error {
  const aws = Object(error) as AwsLikeError
  const name = typeof aws.name === 'string' && IDENTIFIER.test(aws.name) ? aws.name : 'Error'
  const code = typeof aws.code === 'string' && IDENTIFIER.test(aws.code) ? aws.code : undefined
  const status = aws.$metadata?.httpStatusCode
  const http = typeof status === 'number' && Number.isInteger(status) ? status : undefined
  const cause = new Error(
    [name, code, http === undefined ? undefined : `HTTP ${http}`].filter(Boolean).join(', '),
  )
  cause.name = name
  if (code !== undefined) Object.assign(cause, { code })
  if (http !== undefined) Object.assign(cause, { $metadata: { httpStatusCode: http } })
  return cause
}

/**
 * Errors the SDK throws before any request for a client that cannot work as configured: no Region
 * anywhere in its chain (options, `AWS_REGION`, shared config), or no credentials in its chain.
 * Permanent, and named in the message: retrying cannot fix a configuration.
 */
function configMistake(aws: AwsLikeError, context: AwsErrorContext, source: string): SecretError | undefined {
  const message = String((aws as { message?: unknown }).message ?? '')
  const options = { secretName: context.secretName, source, cause: serviceCause(aws) }
  if (aws.$metadata === undefined && /^Region is missing/.test(message)) {
    return new InvalidOptionsError(
      `secret "${context.secretName}" (source ${source}) cannot be loaded: no AWS Region is configured; pass { region } or set AWS_REGION`,
      options,
    )
  }
  if (
    aws.name === 'CredentialsProviderError' &&
    /Could not load credentials from any providers/.test(message)
  ) {
    return new SecretAccessDeniedError(
      options,
      `secret "${context.secretName}" (source ${source}) cannot be loaded: no AWS credentials were found (CredentialsProviderError); pass { credentials }, or configure the default chain (environment, profile, web identity, container or instance role)`,
    )
  }
  return undefined
}

/**
 * Turns an error from `@aws-sdk/client-secrets-manager` into a latchkey {@link SecretError}, by
 * `err.name` first and HTTP status second. The original stays as `cause` unless it could carry
 * response text from a successful reply.
 */
export function toAwsSecretError(error: unknown, context: AwsErrorContext): SecretError {
  const settled = settledSecretError(error, context.signal)
  if (settled !== undefined) return settled
  const source = context.source ?? 'aws-secrets-manager'
  const options = { secretName: context.secretName, source, cause: serviceCause(error) }
  const aws = (typeof error === 'object' && error !== null ? error : {}) as AwsLikeError
  const config = configMistake(aws, context, source)
  if (config !== undefined) return config
  const code = typeof aws.name === 'string' && aws.name !== 'Error' ? aws.name : String(aws.code ?? 'error')
  const what = secretLabel(context.secretName, source)
  switch (kindOf(aws)) {
    case 'notFound':
      return new SecretNotFoundError(options, `${what} was not found (${code})`)
    case 'unreadable':
      return new SecretNotFoundError(
        options,
        `${what} cannot be read (${code}: it is scheduled for deletion, or the requested version does not match)`,
      )
    // denied/throttled/unavailable are worded as in the other sources (core's commonSourceError): one voice for users.
    case 'denied': {
      const action = deniedAction(aws)
      const missing = action === undefined ? '' : `; not authorized to perform: ${action}`
      return commonSourceError('denied', options, what, `${code}${missing}`)
    }
    case 'invalidName':
      return new InvalidSecretNameError(
        `AWS rejected the secret id "${context.secretName}" (${code})`,
        options,
      )
    case 'throttled':
      return commonSourceError('throttled', options, what, code)
    default:
      return commonSourceError('unavailable', options, what, code, context.signal)
  }
}
