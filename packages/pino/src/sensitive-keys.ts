/**
 * Which keys of a log line or log object are sensitive: the one definition, used by the line
 * censor (`line-key-censor.ts`, through core's line scrubber) and by the object censor
 * (`key-censor.ts`, for a `censor` function or `remove: true`).
 *
 * A key is sensitive when it is a credential key ({@link isCredentialKey}) or one of the keys a
 * logger names (`latchkey.keys`, by default `DEFAULT_REDACT_KEYS`), compared in any letter case.
 * What a sensitive key's value becomes with a string censor ({@link censoredValue}): a string
 * becomes the censor; in an object or array every string becomes the censor (keys and structure
 * stay); numbers, booleans and `null` stay. Core's `editJsonLine` writes the same into a line, in
 * the pass that scrubs values; the object censor applies it to a log object.
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

/**
 * Header names (lowercase) that carry credentials: censored wherever they appear as a key (and
 * logged as the censor by the `req`/`res` serializers). This is the one list; the README repeats it.
 */
export const CREDENTIAL_HEADERS: readonly string[] = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
  'api-key',
  'x-goog-api-key',
  'ocp-apim-subscription-key',
  'x-functions-key',
  'x-access-key',
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

/** True when `key` equals one of `keys` in any letter case. */
export function createNamedKeyTest(keys: readonly string[]): (key: string) => boolean {
  const names = new Set(keys.map((key) => key.toLowerCase()))
  // most keys of a log object have a length no name has, and never reach toLowerCase; outside
  // ASCII a change of case may change the length, so every length passes there
  const ascii = keys.every((key) => [...key].every((char) => char.charCodeAt(0) < 128))
  let lengths = ascii ? 0 : -1
  for (const name of names) lengths |= 1 << Math.min(name.length, 31)
  return (key) => (lengths & (1 << Math.min(key.length, 31))) !== 0 && names.has(key.toLowerCase())
}

/**
 * True when `key` is sensitive: a credential key, or one of `keys` in any letter case. Lines repeat
 * their keys, so each verdict is kept (up to 4,096 keys, then started afresh).
 */
export function createSensitiveKeyTest(keys: readonly string[]): (key: string) => boolean {
  const named = createNamedKeyTest(keys)
  const verdicts = new Map<string, boolean>()
  return (key) => {
    let verdict = verdicts.get(key)
    if (verdict === undefined) {
      verdict = named(key) || isCredentialKey(key)
      if (verdicts.size >= 4096) verdicts.clear()
      verdicts.set(key, verdict)
    }
    return verdict
  }
}

/** Levels {@link censoredValue} descends before it censors what is left whole. */
const MAX_CENSOR_DEPTH = 10

/**
 * What the value of a sensitive key becomes with the string `censor`, on a log object: the rule
 * the line censor follows (see the file comment). A value that is neither a plain object, an array
 * nor a primitive (a class instance, a `Date`, an error), one deeper than 10 levels, or one that
 * cannot be read becomes `censor` whole. Never throws; never modifies `value`.
 */
export function censoredValue(value: unknown, censor: string, depth = 0): unknown {
  if (typeof value === 'string') return censor
  if (typeof value !== 'object' || value === null) return value
  if (depth >= MAX_CENSOR_DEPTH) return censor
  try {
    if (Array.isArray(value)) return value.map((item) => censoredValue(item, censor, depth + 1))
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) return censor
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value)) {
      out[key] = censoredValue((value as Record<string, unknown>)[key], censor, depth + 1)
    }
    return out
  } catch {
    return censor
  }
}
