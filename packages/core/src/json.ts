import { InvalidSecretJsonError, type SecretErrorOptions } from './errors.js'
import { fieldSpan, firstInexactNumber } from './json-numbers.js'
import { jsonErrorPosition } from './json-position.js'

/**
 * Parses a secret as JSON. On failure the error says where parsing stopped, never the text:
 * V8's own SyntaxError quotes the input, so it is not kept as `cause`, and the position comes from
 * our own scan.
 *
 * With `exactNumbers`, a number a double cannot hold exactly (`123456789012345678`, past 2^53, or
 * more significant digits than a double keeps) is refused with an {@link InvalidSecretJsonError}
 * naming its position, rather than returned silently rounded.
 */
export function parseSecretJson(text: string, context: SecretErrorOptions, exactNumbers = false): unknown {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    const position = jsonErrorPosition(text) ?? 0
    throw new InvalidSecretJsonError(`is not valid JSON (parsing failed at character ${position})`, {
      ...context,
      position,
    })
  }
  if (exactNumbers) {
    const position = firstInexactNumber(text)
    if (position !== undefined) {
      throw new InvalidSecretJsonError(
        `holds a number a double cannot represent exactly at character ${position}; JSON.parse would round it (select it as a field with getSecret('name#field') to get its exact text)`,
        { ...context, position },
      )
    }
  }
  return parsed
}

/**
 * Returns one field of a parsed JSON secret as a string. Objects and arrays come back as JSON.
 * Throws {@link InvalidSecretJsonError} when the field is missing or `null`, when it holds a number
 * outside the range of a double (`1e999` parses as `Infinity`, which JSON would print as `null`),
 * or when it is nested too deeply to print.
 *
 * Given the secret's text as `source`, a number field a double cannot hold exactly (`123456789012345678`)
 * comes back as written in the secret, and an object or array field holding such a number is
 * refused with an {@link InvalidSecretJsonError} — never a silently rounded value.
 */
export function selectField(
  parsed: unknown,
  field: string,
  context: SecretErrorOptions,
  source?: string,
): string {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidSecretJsonError(`field "${field}" was requested but the secret is not a JSON object`, {
      ...context,
      field,
    })
  }
  const value = (parsed as Record<string, unknown>)[field]
  if (value === undefined || value === null || !Object.hasOwn(parsed, field)) {
    throw new InvalidSecretJsonError(`has no field "${field}"`, { ...context, field })
  }
  if (typeof value === 'string') return value
  const outOfRange = () =>
    new InvalidSecretJsonError(
      `field "${field}" holds a number outside the range of a double (such as 1e999), which cannot be returned as written`,
      { ...context, field },
    )
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw outOfRange()
    const span = source === undefined ? undefined : fieldSpan(source, field)
    if (span !== undefined && firstInexactNumber(source as string, span.start, span.end) !== undefined) {
      return (source as string).slice(span.start, span.end)
    }
    return String(value)
  }
  if (typeof value !== 'object') return JSON.stringify(value)
  const span = source === undefined ? undefined : fieldSpan(source, field)
  if (span !== undefined && firstInexactNumber(source as string, span.start, span.end) !== undefined) {
    throw new InvalidSecretJsonError(
      `field "${field}" holds a number a double cannot represent exactly; it cannot be returned as JSON without changing it`,
      { ...context, field },
    )
  }
  let text: string
  try {
    text = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) throw outOfRange()
      return v
    })
  } catch (error) {
    if (error instanceof InvalidSecretJsonError) throw error
    // JSON.stringify recurses: a deeply nested field overflows the stack (a RangeError)
    throw new InvalidSecretJsonError(`field "${field}" is nested too deeply to be returned as JSON`, {
      ...context,
      field,
    })
  }
  return text
}

/**
 * Freezes `value` and everything reachable from it, without recursion (a secret may nest
 * thousands of levels deep). Returns `value`.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  const stack: object[] = [value]
  while (stack.length > 0) {
    const next = stack.pop() as object
    Object.freeze(next)
    for (const child of Object.values(next)) {
      if (typeof child === 'object' && child !== null && !Object.isFrozen(child)) stack.push(child)
    }
  }
  return value
}
