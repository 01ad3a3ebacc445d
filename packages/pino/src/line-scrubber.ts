import type { SecretRedactor } from '@latchkey/core'
import { quoteBareReplacements } from './json-repair.js'

/** The line written instead of one that could not be scrubbed. */
function withheldLine(): string {
  return `{"level":50,"time":${Date.now()},"msg":"latchkey: log line withheld because secret scrubbing failed"}\n`
}

/**
 * Builds the `hooks.streamWrite` function: runs the caller's own `streamWrite` (if any), censors
 * sensitive keys with `censorKeys`, then replaces every value each of `redactors` knows in the
 * finished line (a replaced number is put in quotes, so the line stays JSON). Fails closed: if scrubbing ever throws, that line and every later one is replaced
 * by a short notice, because a redactor that failed once cannot be trusted to know every value.
 * (An error thrown by the caller's own hook propagates as it would without latchkey.)
 */
export function createLineScrubber(
  redactors: ReadonlyArray<Pick<SecretRedactor, 'redact' | 'replacement'>>,
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
      const censored = censorKeys(text)
      if (single) {
        const out = first.redact(censored)
        return out === censored ? out : quoteBareReplacements(out, first.replacement)
      }
      let out = censored
      for (const redactor of redactors) {
        const next = redactor.redact(out)
        if (next !== out) out = quoteBareReplacements(next, redactor.replacement)
      }
      return out
    } catch {
      failed = true
      return withheldLine()
    }
  }
}
