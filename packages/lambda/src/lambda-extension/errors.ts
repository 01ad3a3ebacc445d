import {
  SecretAccessDeniedError,
  type SecretError,
  SecretNotFoundError,
  SecretThrottledError,
  SecretUnavailableError,
} from '@latchkey/core'

/** AWS error names the extension passes on from Secrets Manager and Parameter Store, by what they mean. */
const NOT_FOUND = ['ResourceNotFoundException', 'ParameterNotFound', 'ParameterVersionNotFound']
const DENIED = [
  'AccessDeniedException',
  'DecryptionFailure',
  'KMSAccessDeniedException',
  'UnrecognizedClientException',
]
const THROTTLED = [
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
  'TooManyUpdates',
]

function named(body: string, names: readonly string[]): string | undefined {
  return names.find((name) => body.includes(name))
}

/**
 * The core error for an extension answer that is not 200 (docs/wire-facts.md#lambda-extension-error-answers).
 * The AWS error name in the body decides first; then the status: 401/403 → access denied (a
 * missing or wrong token), 404 → not found, 429 → throttled, anything else (400 "not ready", 5xx)
 * → unavailable, which is transient. The message names the status and the AWS error name, never
 * the body (it could echo a request).
 */
export function answerError(status: number, body: string, secretName: string, source: string): SecretError {
  const options = { secretName, source }
  const notFound = named(body, NOT_FOUND)
  if (notFound !== undefined)
    return new SecretNotFoundError(options, `${secretName} was not found (${notFound})`)
  const denied = named(body, DENIED)
  if (denied !== undefined)
    return new SecretAccessDeniedError(options, `access to ${secretName} was denied (${denied})`)
  const throttled = named(body, THROTTLED)
  if (throttled !== undefined || status === 429) {
    return new SecretThrottledError(
      options,
      `loading ${secretName} was throttled (${throttled ?? 'HTTP 429'})`,
    )
  }
  if (status === 401 || status === 403) {
    return new SecretAccessDeniedError(
      options,
      `the extension refused the request for ${secretName} (HTTP ${status}): check AWS_SESSION_TOKEN`,
    )
  }
  if (status === 404) return new SecretNotFoundError(options, `${secretName} was not found (HTTP 404)`)
  return new SecretUnavailableError(options, `the extension answered HTTP ${status} for ${secretName}`)
}
