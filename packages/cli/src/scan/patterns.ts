import { encodedForms } from '@latchkey/core/internal'
import type { Pattern } from './matcher.js'
import type { PatternTag } from './scan-file.js'

/** Values shorter than this are not scanned for (they would match everywhere); `scan` says which. */
export const MIN_SCAN_LENGTH = 6

/** The strings a secret hands out: the value, and each string or number field of a JSON object value. */
export function partsOf(value: string): string[] {
  const parts = [value]
  if (!value.trimStart().startsWith('{')) return parts
  try {
    const parsed = JSON.parse(value) as unknown
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return parts
    for (const field of Object.values(parsed)) {
      if (typeof field === 'string' || typeof field === 'number') parts.push(String(field))
    }
  } catch {
    // not JSON: the value alone
  }
  return parts
}

/**
 * The patterns for one secret's value: every part in every form the scrubber knows
 * (`encodedForms` from `@latchkey/core/internal`), UTF-8 encoded, each text once.
 */
export function patternsFor(
  secret: string,
  value: string,
  version: PatternTag['version'],
  seen: Set<string>,
): { patterns: Pattern<PatternTag>[]; tooShort: boolean } {
  const patterns: Pattern<PatternTag>[] = []
  let tooShort = false
  for (const part of partsOf(value)) {
    if ([...part].length < MIN_SCAN_LENGTH) {
      tooShort ||= part === value
      continue
    }
    for (const { form, text } of encodedForms(part)) {
      const key = `${secret}\u0000${version}\u0000${text}`
      if (seen.has(key)) continue
      seen.add(key)
      patterns.push({ bytes: Buffer.from(text, 'utf8'), tag: { secret, form, version } })
    }
  }
  return { patterns, tooShort }
}
