import type { SecretRedactor } from '@latchkey/core'
import { createLineScrubber as createCoreLineScrubber, type LineKeyPolicy } from '@latchkey/core/internal'

/** The line written instead of one that could not be scrubbed. */
function withheldLine(): string {
  return `{"level":50,"time":${Date.now()},"msg":"latchkey: log line withheld because secret scrubbing failed"}\n`
}

/**
 * Builds the `hooks.streamWrite` function: runs the caller's own `streamWrite` (if any), then
 * scrubs the finished line with core's line scrubber (`@latchkey/core/internal`): sensitive keys
 * (`keys`) censored and every value each of `redactors` knows replaced, in one pass that is
 * O(line length) for every input, the line kept JSON.
 *
 * Fails closed: if scrubbing ever throws, that line and every later one is replaced by a short
 * notice, because a redactor that failed once cannot be trusted to know every value. (An error
 * thrown by the caller's own hook propagates as it would without latchkey.)
 */
export function createLineScrubber(
  redactors: readonly SecretRedactor[],
  keys: LineKeyPolicy,
  callerWrite?: (line: string) => string,
): (line: string) => string {
  let failed = false
  const scrub = createCoreLineScrubber({ redactors, keys })
  return function scrubLine(line) {
    if (failed) return withheldLine()
    const text = callerWrite === undefined ? line : callerWrite(line)
    try {
      return scrub(text)
    } catch {
      failed = true
      return withheldLine()
    }
  }
}
