import type { SecretRedactor } from '@latchkey/core'

/** The line written instead of one that could not be scrubbed. */
function withheldLine(): string {
  return `{"level":50,"time":${Date.now()},"msg":"latchkey: log line withheld because secret scrubbing failed"}\n`
}

/**
 * Builds the `hooks.streamWrite` function: runs the caller's own `streamWrite` (if any), censors
 * sensitive keys with `censorKeys`, then replaces every value each of `redactors` knows in the
 * finished line. Fails closed: if scrubbing ever throws, that line and every later one is replaced
 * by a short notice, because a redactor that failed once cannot be trusted to know every value.
 * (An error thrown by the caller's own hook propagates as it would without latchkey.)
 */
export function createLineScrubber(
  redactors: ReadonlyArray<Pick<SecretRedactor, 'redact'>>,
  censorKeys: (line: string) => string,
  callerWrite?: (line: string) => string,
): (line: string) => string {
  let failed = false
  const [first] = redactors
  const single = redactors.length === 1 && first !== undefined
  return function scrubLine(line) {
    if (failed) return withheldLine()
    const text = callerWrite === undefined ? line : callerWrite(line)
    try {
      if (single) return first.redact(censorKeys(text))
      let out = censorKeys(text)
      for (const redactor of redactors) out = redactor.redact(out)
      return out
    } catch {
      failed = true
      return withheldLine()
    }
  }
}
