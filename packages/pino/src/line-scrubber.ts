import type { SecretRedactor } from '@latchkey/core'

/** The line written instead of one that could not be scrubbed. */
function withheldLine(): string {
  return `{"level":50,"time":${Date.now()},"msg":"latchkey: log line withheld because secret scrubbing failed"}\n`
}

/**
 * Builds the `hooks.streamWrite` function: runs the caller's own `streamWrite` (if any), then
 * replaces every value `redactor` knows in the finished line. Fails closed: if the redactor ever
 * throws, that line and every later one is replaced by a short notice, because a redactor that
 * failed once cannot be trusted to know every value. (An error thrown by the caller's own hook
 * propagates as it would without latchkey.)
 */
export function createLineScrubber(
  redactor: Pick<SecretRedactor, 'redact'>,
  callerWrite?: (line: string) => string,
): (line: string) => string {
  let failed = false
  return function scrubLine(line) {
    if (failed) return withheldLine()
    const text = callerWrite === undefined ? line : callerWrite(line)
    try {
      return redactor.redact(text)
    } catch {
      failed = true
      return withheldLine()
    }
  }
}
