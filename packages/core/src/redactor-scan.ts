import { InvalidOptionsError } from './errors.js'

/** `[start, end)` of a match in the scanned text. */
export type Span = readonly [number, number]

/** What a line scan found: the part to replace of each value match, and each watched word. Unordered, may repeat. */
export interface RedactorFindings {
  readonly values: readonly Span[]
  readonly words: readonly Span[]
}

/**
 * What the line scrubber needs from a redactor, and nothing else uses: a scan that also finds the
 * words a log scrubber watches (credential key names). Reached through a `Symbol.for` key, so that
 * a redactor made by the other build of `@latchkey/core` (ESM or CommonJS) answers it too; not part
 * of {@link SecretRedactor}'s public API.
 */
export interface LineScan {
  /** Adds words (lowercase, 4+ characters) found in any ASCII letter case; kept for the redactor's life. */
  watch(words: readonly string[]): void
  /** Values and watched words in one pass; `undefined` when there is neither. */
  find(text: string): RedactorFindings | undefined
  /** Values only. */
  findValues(text: string): RedactorFindings | undefined
}

/** The key of a redactor's {@link LineScan} method. */
export const LINE_SCAN: unique symbol = Symbol.for('@latchkey/core.redactor.lineScan.v1') as never

/**
 * The {@link LineScan} of `redactor`.
 *
 * @throws {InvalidOptionsError} `ERR_SECRET_INVALID_OPTIONS` when it is not a `SecretRedactor` of this release.
 */
export function lineScanOf(redactor: unknown): LineScan {
  const method =
    typeof redactor === 'object' && redactor !== null
      ? (redactor as Record<symbol, unknown>)[LINE_SCAN]
      : undefined
  if (typeof method !== 'function') {
    throw new InvalidOptionsError(
      'the redactor must be a SecretRedactor of @latchkey/core (the same release as this package)',
    )
  }
  return method.call(redactor) as LineScan
}
