import { InvalidOptionsError } from './errors.js'

/** `[start, end)` of a match in the scanned text. */
export type Span = readonly [number, number]

/** What a line scan found: the part to replace of each value match. Unordered, may repeat. */
export interface RedactorFindings {
  readonly values: readonly Span[]
}

/**
 * What the line scrubber needs from a redactor beyond its public API: the value matches of a line
 * as spans (the scrubber edits the line itself, keeping it JSON). Reached through a `Symbol.for`
 * key, so that a redactor made by the other build of `@latchkey/core` (ESM or CommonJS) answers it
 * too; not part of {@link SecretRedactor}'s public API. Nothing in it is specific to a logger.
 */
export interface LineScan {
  /**
   * Every value match in `text`; `undefined` when there is none. `bytes`: `text` as a
   * `ByteScratch` (`redactor-bytes.ts`) copied it, so that a line is copied once for every scan.
   */
  findValues(text: string, bytes?: DataView): RedactorFindings | undefined
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
