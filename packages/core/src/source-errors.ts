/**
 * What every source's error mapper (AWS, Parameter Store, Key Vault, Secret Manager) does alike:
 * let an error that already is a latchkey error through, name the secret the same way, and word
 * the transient and denied failures in one voice for users. Each mapper keeps its own service's
 * codes and the wording only it has (soft delete, KMS, disabled versions, configuration mistakes).
 */
import {
  SecretAccessDeniedError,
  SecretError,
  type SecretErrorOptions,
  SecretThrottledError,
  SecretUnavailableError,
} from './errors.js'

/**
 * The error a failed load already is, if any: a {@link SecretError} thrown as such, or the reason
 * of the load's signal when it fired with one (core's `SecretTimeoutError`, `ProviderClosedError`).
 * A mapper returns it unchanged; `undefined` means the service's error is the mapper's to map.
 */
export function settledSecretError(error: unknown, signal: AbortSignal | undefined): SecretError | undefined {
  if (error instanceof SecretError) return error
  const reason: unknown = signal?.aborted ? signal.reason : undefined
  return reason instanceof SecretError ? reason : undefined
}

/** How every source's messages name a secret: `secret "db/password" (source aws-secrets-manager)`. */
export function secretLabel(secretName: string, source: string): string {
  return `secret "${secretName}" (source ${source})`
}

/** The failures each source words alike; `'unavailable'` reads "was aborted" when the load's signal fired. */
export type CommonSourceFailure = 'denied' | 'throttled' | 'unavailable'

/**
 * The latchkey error for a failure every source words alike. `what` names the secret (see
 * {@link secretLabel}), `detail` is what the service said, by code only (never its text), and
 * `signal` the load's: an `'unavailable'` failure of an aborted load says it was aborted instead.
 */
export function commonSourceError(
  kind: CommonSourceFailure,
  options: SecretErrorOptions,
  what: string,
  detail: string,
  signal?: AbortSignal,
): SecretError {
  switch (kind) {
    case 'denied':
      return new SecretAccessDeniedError(options, `access to ${what} was denied (${detail})`)
    case 'throttled':
      return new SecretThrottledError(options, `loading ${what} was throttled (${detail})`)
    default:
      return new SecretUnavailableError(
        options,
        signal?.aborted ? `loading ${what} was aborted` : `${what} is unavailable (${detail})`,
      )
  }
}
