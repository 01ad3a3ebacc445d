import { InvalidOptionsError } from '@latchkey/core'
import { createLineScrubber, type LineKeyPolicy } from '@latchkey/core/internal'
import { CREDENTIAL_HEADERS, CREDENTIAL_KEY_WORDS, createSensitiveKeyTest } from './sensitive-keys.js'

/**
 * Key-name censoring over the finished JSON line, so it holds whatever produced the log object:
 * latchkey's serializers, pino-http's (and so nestjs-pino's), Fastify's, or an object logged by hand.
 */

/**
 * The fewest words whose occurrences cover every word in `words`: a word that contains another
 * (`x-auth-token` holds `token`) is found through it, and every hit is checked against the whole
 * key anyway.
 */
function searchWords(words: readonly string[]): string[] {
  const unique = [...new Set(words.map((word) => word.toLowerCase()).filter((word) => word !== ''))]
  return unique.filter((word) => !unique.some((other) => other !== word && word.includes(other)))
}

/** How one logger censors values by key name in finished lines; see {@link createLineKeyRules}. */
export interface LineKeyRules extends LineKeyPolicy {
  /** Censors every sensitive key of a whole line on its own (no secret values). */
  censorLine(line: string): string
}

/**
 * The key-censoring rules for `exactKeys` and `censor`: which keys are sensitive (a credential
 * header, a key holding a credential word, or one of `exactKeys` in any letter case) and what their
 * values become. The line walk itself is core's (`createLineScrubber` in `@latchkey/core/internal`):
 * it finds the watched texts (core's `WordFinder`; a regular expression of literal alternatives
 * when an exact key is outside ASCII) and the values in one scan of the line, then censors both
 * in one forward pass, O(line length) for every input.
 *
 * @throws {InvalidOptionsError} `ERR_SECRET_INVALID_OPTIONS` when `exactKeys` is not an array of strings or `censor` not a string.
 */
export function createLineKeyRules(exactKeys: readonly string[], censor: string): LineKeyRules {
  if (!Array.isArray(exactKeys) || exactKeys.some((key) => typeof key !== 'string')) {
    throw new InvalidOptionsError(
      `createLineKeyCensor: keys must be an array of key names (got ${Array.isArray(exactKeys) ? 'an array with a non-string' : typeof exactKeys})`,
    )
  }
  if (typeof censor !== 'string') {
    throw new InvalidOptionsError(`createLineKeyCensor: censor must be a string (got ${typeof censor})`)
  }
  const exact = new Set(exactKeys.map((key) => key.toLowerCase()))
  const words = searchWords(CREDENTIAL_KEY_WORDS)
  const watch = [
    ...words,
    ...[...new Set([...CREDENTIAL_HEADERS, ...exact])]
      .filter((key) => key !== '' && !words.some((word) => key.includes(word)))
      .map((key) => `${JSON.stringify(key)}:`),
  ]
  const policy: LineKeyPolicy = { watch, censor, isSensitiveKey: createSensitiveKeyTest(exactKeys) }
  return { ...policy, censorLine: createLineScrubber({ redactors: [], keys: policy }) }
}

/**
 * Builds a function that censors, in one finished JSON log line, the value of every key that is a
 * credential ({@link isCredentialKey}) or equals one of `exactKeys` (any letter case), at any depth.
 * A string value becomes `censor`; in an array or object value every string becomes `censor`
 * (keys and structure stay); numbers, booleans and `null` are kept. A line that is not JSON is
 * returned as it is. One pass, O(line length) for every input. (`redactSecrets()` does the same
 * work inside the pass that finds secret values.)
 *
 * @throws {InvalidOptionsError} `ERR_SECRET_INVALID_OPTIONS` when `exactKeys` is not an array of strings or `censor` not a string.
 */
export function createLineKeyCensor(exactKeys: readonly string[], censor: string): (line: string) => string {
  return createLineKeyRules(exactKeys, censor).censorLine
}
