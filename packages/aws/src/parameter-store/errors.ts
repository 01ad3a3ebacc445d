// Deliberately alike in every source's errors.ts: the same core error classes, mapped from this service's own codes.
import { SecretAccessDeniedError, type SecretError, SecretNotFoundError } from '@latchkey/core'
import { commonSourceError, settledSecretError } from '@latchkey/core/internal'
import { serviceCause, toAwsSecretError } from '../errors.js'

/** Where a Parameter Store error happened. */
export interface ParameterStoreErrorContext {
  /** The name (or, for a failed batch call, the names) being loaded. */
  secretName: string
  /** The source's name. */
  source: string
  /** The load's signal: when it has fired, its reason (such as a core `SecretTimeoutError`) is the error. */
  signal?: AbortSignal
}

type Kind = 'notFound' | 'denied' | 'throttled' | 'unavailable'

/** Parameter Store's and KMS's own error names; anything else goes to the shared AWS mapping. */
const BY_NAME: Record<string, Kind> = {
  ParameterNotFound: 'notFound',
  ParameterVersionNotFound: 'notFound',
  ParameterVersionLabelLimitExceeded: 'notFound',
  InvalidKeyId: 'denied',
  KMSAccessDeniedException: 'denied',
  KMSDisabledException: 'denied',
  KMSInvalidStateException: 'denied',
  KMSNotFoundException: 'denied',
  TooManyUpdates: 'throttled',
  KMSThrottlingException: 'throttled',
  InternalServerError: 'unavailable',
  KMSInternalException: 'unavailable',
  InvalidNextToken: 'unavailable',
}

/**
 * Turns an error from `@aws-sdk/client-ssm` into a latchkey {@link SecretError} by `err.name`:
 * ParameterNotFound and ParameterVersionNotFound are not found (permanent); ThrottlingException and
 * TooManyUpdates are throttled (transient); AccessDeniedException (KMS's included), InvalidKeyId and
 * KMS key errors are access denied; InternalServerError, 5xx, network errors, timeouts and
 * unparseable replies are unavailable (transient). Never quotes the reply.
 */
export function toParameterStoreError(error: unknown, context: ParameterStoreErrorContext): SecretError {
  const settled = settledSecretError(error, context.signal)
  if (settled !== undefined) return settled
  const name = typeof (error as { name?: unknown } | null)?.name === 'string' ? (error as Error).name : ''
  const kind = BY_NAME[name]
  if (kind === undefined) {
    const mapped = toAwsSecretError(error, context)
    if (mapped.code === 'ERR_SECRET_ACCESS_DENIED' && /AWSKMS/.test(String((error as Error).message))) {
      const options = { secretName: context.secretName, source: context.source, cause: serviceCause(error) }
      return new SecretAccessDeniedError(
        options,
        `access to parameter "${context.secretName}" (source ${context.source}) was denied by KMS: the caller may not decrypt with its key (${name})`,
      )
    }
    return mapped
  }
  const options = { secretName: context.secretName, source: context.source, cause: serviceCause(error) }
  const what = `parameter "${context.secretName}" (source ${context.source})`
  // no signal passed: a service failure by name is worded as such even when the load was aborted since
  return kind === 'notFound'
    ? new SecretNotFoundError(options, `${what} was not found (${name})`)
    : commonSourceError(kind, options, what, name)
}
