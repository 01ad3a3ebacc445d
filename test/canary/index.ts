/**
 * Leak canaries. Tests load secret values made by `canary()`; every one contains {@link CANARY_MARK},
 * which survives JSON escaping and URL encoding, so one search finds a leak in any form.
 */
import { randomBytes } from 'node:crypto'

/** The marker inside every canary value. It never appears in code or test names. */
export const CANARY_MARK = 'c4n4ry'

/** A unique, easy-to-grep secret value. `extra` adds characters (quotes, `%`, unicode…) to the value. */
export function canary(label: string, extra = ''): string {
  return `${CANARY_MARK}-${label}-${randomBytes(6).toString('hex')}${extra}`
}

/** Throws when `text` contains a canary value in any form. */
export function assertNoCanary(text: string, where = 'output'): void {
  const at = text.indexOf(CANARY_MARK)
  if (at !== -1) {
    throw new Error(`a secret canary value leaked into ${where} (at character ${at})`)
  }
}
