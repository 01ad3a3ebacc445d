import { InvalidOptionsError } from '@latchkey/core'

/**
 * Key-name censoring over the finished JSON line, so it holds whatever produced the log object:
 * latchkey's serializers, pino-http's (and so nestjs-pino's), Fastify's, or an object logged by hand.
 */

/**
 * Words that make any key holding them sensitive, in any letter case: `x-auth-token`,
 * `sessionId`, `clientSecret`, `hmacSignature`, `dbPassword`…
 */
export const CREDENTIAL_KEY_WORDS: readonly string[] = Object.freeze([
  'token',
  'secret',
  'session',
  'signature',
  'password',
])

/** Header names (lowercase) that carry credentials: censored wherever they appear as a key. */
export const CREDENTIAL_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
])

/**
 * Keys (lowercase) that hold a credential word but never a secret: `secretName` is the name
 * latchkey's errors carry (`err.secretName`), which logs need.
 */
const NOT_CREDENTIALS: ReadonlySet<string> = new Set(['secretname'])

/**
 * True when a key (any letter case) is a credential header or holds a {@link CREDENTIAL_KEY_WORDS}
 * word — except `secretName`, the secret's name on latchkey errors.
 */
export function isCredentialKey(key: string): boolean {
  const lower = key.toLowerCase()
  if (NOT_CREDENTIALS.has(lower)) return false
  return CREDENTIAL_HEADERS.includes(lower) || CREDENTIAL_KEY_WORDS.some((word) => lower.includes(word))
}

const QUOTE = 34
const BACKSLASH = 92
const COLON = 58

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * The fewest words whose occurrences cover every word in `words`: a word that contains another
 * (`x-auth-token` holds `token`) is found through it, and every hit is checked against the whole
 * key anyway. Fewer alternatives make the one regular-expression pass over the line cheaper.
 */
function searchWords(words: readonly string[]): string[] {
  const unique = [...new Set(words.map((word) => word.toLowerCase()).filter((word) => word !== ''))]
  return unique.filter((word) => !unique.some((other) => other !== word && word.includes(other)))
}

/** Index just past the JSON string that starts with the quote at `start`, or -1 when it is unterminated. */
function stringEnd(line: string, start: number): number {
  let i = start + 1
  for (;;) {
    const quote = line.indexOf('"', i)
    if (quote === -1) return -1
    let slashes = 0
    for (let j = quote - 1; line.charCodeAt(j) === BACKSLASH; j--) slashes++
    if (slashes % 2 === 0) return quote + 1
    i = quote + 1
  }
}

/** How one logger censors values by key name in finished lines; see {@link createLineKeyRules}. */
export interface LineKeyRules {
  /**
   * What to look for in a line, lowercase: the credential words (anywhere in a key) and `"key":`
   * for each exact key and credential header that holds no credential word.
   */
  readonly watch: readonly string[]
  /**
   * False when an exact key holds a character outside ASCII: the redactor's scan folds only ASCII
   * letters, so such a key (`Straße` in any case) is found by {@link censorLine}'s own pass instead.
   */
  readonly scannable: boolean
  /**
   * For a watched text found at `[start, end)` of `line`: where the value of the key holding it
   * starts when that key is sensitive, else -1 (a hit outside a key, in an escaped key, or in a key
   * such as `secretName`).
   */
  valueStartFor(line: string, start: number, end: number): number
  /** The censored text of the value at `start` and the index just past the old value; `['', start]` for a number, boolean or `null`. */
  censorValue(line: string, start: number): [string, number]
  /** Censors every sensitive key of a whole line on its own (one regular-expression pass). */
  censorLine(line: string): string
}

/**
 * The key-censoring rules for `exactKeys` and `censor`: which keys are sensitive (a credential
 * header, a key holding a credential word, or one of `exactKeys` in any letter case) and how their
 * values are censored. `@latchkey/pino` finds the watched texts in the same pass over the line that
 * finds secret values ({@link SecretRedactor.find}); {@link LineKeyRules.censorLine} does it alone.
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
  const finder = new RegExp(
    searchWords([...CREDENTIAL_KEY_WORDS, ...CREDENTIAL_HEADERS, ...exact])
      .map(escapeRegExp)
      .join('|'),
    'gi',
  )
  const replacement = JSON.stringify(censor)
  // Lines repeat their keys: each key's verdict is kept (up to a bound, then started afresh).
  const verdicts = new Map<string, boolean>()
  function sensitive(key: string): boolean {
    let verdict = verdicts.get(key)
    if (verdict === undefined) {
      verdict = exact.has(key.toLowerCase()) || isCredentialKey(key)
      if (verdicts.size >= 4096) verdicts.clear()
      verdicts.set(key, verdict)
    }
    return verdict
  }

  function valueStartFor(line: string, start: number, end: number): number {
    let keyStart: number
    let keyEnd: number
    if (line.charCodeAt(start) === QUOTE && line.charCodeAt(end - 1) === COLON) {
      // an exact `"key":`
      keyStart = start + 1
      keyEnd = end - 2
    } else {
      // keys are short: a loop back to the opening quote beats lastIndexOf (a runtime call in V8)
      keyStart = start
      while (keyStart > 0 && line.charCodeAt(keyStart - 1) !== QUOTE) keyStart--
      keyEnd = line.indexOf('"', end)
    }
    if (
      keyStart <= 0 ||
      keyEnd === -1 ||
      line.charCodeAt(keyEnd + 1) !== COLON ||
      line.charCodeAt(keyStart - 2) === BACKSLASH ||
      line.charCodeAt(keyEnd - 1) === BACKSLASH ||
      !sensitive(line.slice(keyStart, keyEnd))
    ) {
      return -1
    }
    return keyEnd + 2
  }

  function censorValue(line: string, start: number): [string, number] {
    const first = line.charCodeAt(start)
    if (first === QUOTE) {
      const end = stringEnd(line, start)
      return end === -1 ? [replacement, line.length] : [replacement, end]
    }
    if (first !== 91 /* [ */ && first !== 123 /* { */) return ['', start]
    let out = ''
    let cursor = start
    let depth = 0
    let i = start
    while (i < line.length) {
      const code = line.charCodeAt(i)
      if (code === QUOTE) {
        const end = stringEnd(line, i)
        if (end === -1) return [out + replacement, line.length]
        if (line.charCodeAt(end) !== COLON) {
          out += line.slice(cursor, i) + replacement
          cursor = end
        }
        i = end
        continue
      }
      if (code === 91 || code === 123) depth++
      else if (code === 93 || code === 125) {
        depth--
        if (depth === 0) return [out + line.slice(cursor, i + 1), i + 1]
      }
      i++
    }
    return [out + line.slice(cursor), line.length]
  }

  function censorLine(line: string): string {
    finder.lastIndex = 0
    let match = finder.exec(line)
    if (match === null) return line
    let out = ''
    let cursor = 0
    while (match !== null) {
      let next = finder.lastIndex
      const valueStart = match.index >= cursor ? valueStartFor(line, match.index, finder.lastIndex) : -1
      if (valueStart !== -1) {
        const [text, valueEnd] = censorValue(line, valueStart)
        if (valueEnd > valueStart && text !== line.slice(valueStart, valueEnd)) {
          out += line.slice(cursor, valueStart) + text
          cursor = valueEnd
        }
        next = Math.max(next, valueEnd)
      }
      finder.lastIndex = next
      match = finder.exec(line)
    }
    return cursor === 0 ? line : out + line.slice(cursor)
  }

  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range, control characters included
  const scannable = watch.every((text) => /^[\x00-\x7f]*$/.test(text))
  return { watch, scannable, valueStartFor, censorValue, censorLine }
}

/**
 * Builds a function that censors, in one finished JSON log line, the value of every key that is a
 * credential ({@link isCredentialKey}) or equals one of `exactKeys` (any letter case), at any depth.
 * A string value becomes `censor`; in an array or object value every string becomes `censor`
 * (keys and structure stay); numbers, booleans and `null` are kept. A line that is not JSON is
 * returned as it is. One regular-expression pass finds the candidate words; the rest of the line
 * is not looked at. (`redactSecrets()` does the same work inside the pass that finds secret values.)
 *
 * @throws {InvalidOptionsError} `ERR_SECRET_INVALID_OPTIONS` when `exactKeys` is not an array of strings or `censor` not a string.
 */
export function createLineKeyCensor(exactKeys: readonly string[], censor: string): (line: string) => string {
  return createLineKeyRules(exactKeys, censor).censorLine
}
