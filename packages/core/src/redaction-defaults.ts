/**
 * The redactor's defaults, declared once: `SecretRedactor` (`minLength`, `retention`) and
 * `CachedSecretProvider` (`minRedactLength`, `redactRetention`) both start from these.
 */

/**
 * Values shorter than this many characters are scrubbed only where they stand whole (a short
 * value found inside a longer word would censor ordinary text).
 */
export const DEFAULT_MIN_REDACT_LENGTH = 6

/** How long a value is still scrubbed after its last holder let go: one day, in milliseconds. */
export const DEFAULT_REDACT_RETENTION_MS = 86_400_000
