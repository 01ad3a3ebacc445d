import type { RedactorFindings, SecretRedactor } from '@latchkey/core'
import { quoteBareReplacements } from './json-repair.js'
import type { LineKeyRules } from './line-key-censor.js'

type Redactor = Pick<SecretRedactor, 'redact' | 'replacement'> &
  Partial<Pick<SecretRedactor, 'find' | 'watchWords'>>

/** The line written instead of one that could not be scrubbed. */
function withheldLine(): string {
  return `{"level":50,"time":${Date.now()},"msg":"latchkey: log line withheld because secret scrubbing failed"}\n`
}

type Edit = [start: number, end: number, text: string]

function byStart(a: readonly [number, number], b: readonly [number, number]): number {
  return a[0] - b[0] || b[1] - a[1]
}

/** `line` with each of `edits` (sorted, not overlapping) applied. */
function applyEdits(line: string, edits: readonly Edit[]): string {
  let out = ''
  let cursor = 0
  for (const [start, end, text] of edits) {
    out += line.slice(cursor, start) + text
    cursor = end
  }
  return out + line.slice(cursor)
}

/** Value matches (unordered, overlapping) as edits that replace each covered stretch once. */
function valueEdits(matches: ReadonlyArray<readonly [number, number]>, replacement: string): Edit[] {
  const sorted = [...matches].sort(byStart)
  const edits: Edit[] = []
  let cursor = 0
  for (const [start, end] of sorted) {
    if (end <= cursor) continue
    const last = edits[edits.length - 1]
    if (start < cursor && last !== undefined) last[1] = end
    else edits.push([start, end, replacement])
    cursor = end
  }
  return edits
}

/**
 * Builds the `hooks.streamWrite` function: runs the caller's own `streamWrite` (if any), then
 * censors sensitive keys (`keys`) and replaces every value each of `redactors` knows in the
 * finished line (a replaced number is put in quotes, so the line stays JSON).
 *
 * The first redactor (the process-wide one) finds both in one pass over the line: it watches the
 * texts `keys` looks for ({@link SecretRedactor.watchWords}) and reports them with the values
 * ({@link SecretRedactor.find}). A redactor from an older `@latchkey/core` without `find`, or an
 * exact key outside ASCII, gets the key censor's own pass, then `redact`.
 *
 * Fails closed: if scrubbing ever throws, that line and every later one is replaced by a short
 * notice, because a redactor that failed once cannot be trusted to know every value. (An error
 * thrown by the caller's own hook propagates as it would without latchkey.)
 */
export function createLineScrubber(
  redactors: readonly Redactor[],
  keys: LineKeyRules,
  callerWrite?: (line: string) => string,
): (line: string) => string {
  let failed = false
  const [first, ...others] = redactors
  if (first === undefined) throw new TypeError('createLineScrubber needs at least one redactor')
  const onePass = keys.scannable && typeof first.find === 'function' && typeof first.watchWords === 'function'
  if (onePass) first.watchWords?.(keys.watch)

  /** Scrubs with `redactor.redact` alone, keeping the line JSON. */
  function redactWith(redactor: Redactor, line: string): string {
    const out = redactor.redact(line)
    return out === line ? out : quoteBareReplacements(out, redactor.replacement)
  }

  /** Key censoring and the first redactor's values from one `find` pass. */
  function scrubOnce(line: string, found: RedactorFindings, replacement: string): string {
    const hits = found.words.length > 1 ? [...found.words].sort(byStart) : found.words
    const censored: Edit[] = []
    let structured = false
    let cursor = 0
    for (const [start, end] of hits) {
      if (start < cursor) continue
      const valueStart = keys.valueStartFor(line, start, end)
      if (valueStart === -1) continue
      const [text, valueEnd] = keys.censorValue(line, valueStart)
      if (valueEnd <= valueStart) continue
      // an array or object: its numbers, booleans and nulls stay, and may be secrets themselves
      if (line.charCodeAt(valueStart) !== 34 /* " */) structured = true
      censored.push([valueStart, valueEnd, text])
      cursor = valueEnd
    }
    if (found.values.length === 0) return censored.length === 0 ? line : applyEdits(line, censored)
    const values = valueEdits(found.values, replacement)
    if (censored.length === 0) return quoteBareReplacements(applyEdits(line, values), replacement)
    // Values inside a censored string go with it; anything less simple is done in two passes.
    const merged: Edit[] = []
    let k = 0
    for (const edit of censored) {
      while (k < values.length && (values[k] as Edit)[0] < edit[0]) {
        const value = values[k++] as Edit
        if (value[1] > edit[0]) structured = true
        merged.push(value)
      }
      while (k < values.length && (values[k] as Edit)[1] <= edit[1]) k++
      if (k < values.length && (values[k] as Edit)[0] < edit[1]) structured = true
      merged.push(edit)
    }
    while (k < values.length) merged.push(values[k++] as Edit)
    if (structured) return redactWith(first as Redactor, applyEdits(line, censored))
    return quoteBareReplacements(applyEdits(line, merged), replacement)
  }

  return function scrubLine(line) {
    if (failed) return withheldLine()
    const text = callerWrite === undefined ? line : callerWrite(line)
    try {
      let out: string
      if (onePass) {
        const found = (first.find as (text: string) => RedactorFindings | undefined)(text)
        out = found === undefined ? text : scrubOnce(text, found, first.replacement)
      } else {
        out = redactWith(first, keys.censorLine(text))
      }
      for (const redactor of others) out = redactWith(redactor, out)
      return out
    } catch {
      failed = true
      return withheldLine()
    }
  }
}
