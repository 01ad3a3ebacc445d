/**
 * Leak canaries. Tests load secret values made by `canary()`; every one contains {@link CANARY_MARK},
 * which survives JSON escaping and URL encoding, so one search finds a leak in any form.
 */
import { randomBytes } from 'node:crypto'
import canaryMark from './canary-mark.json' with { type: 'json' }

/**
 * The marker inside every canary value. It never appears in code or test names. Defined once, in
 * `canary-mark.json`, which `scripts/run-tests.mjs` reads too.
 */
export const CANARY_MARK: string = canaryMark.mark

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
