import { InvalidSecretJsonError, type SecretErrorOptions } from './errors.js'
import { jsonErrorPosition } from './json-position.js'

/**
 * Parses a secret as JSON. On failure the error says where parsing stopped, never the text:
 * V8's own SyntaxError quotes the input, so it is not kept as `cause`, and the position comes from
 * our own scan.
 */
export function parseSecretJson(text: string, context: SecretErrorOptions): unknown {
  try {
    return JSON.parse(text)
  } catch {
    const position = jsonErrorPosition(text) ?? 0
    throw new InvalidSecretJsonError(`is not valid JSON (parsing failed at character ${position})`, {
      ...context,
      position,
    })
  }
}

/** Returns one field of a parsed JSON secret as a string. Objects and arrays come back as JSON. */
export function selectField(parsed: unknown, field: string, context: SecretErrorOptions): string {
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
  return typeof value === 'string' ? value : JSON.stringify(value)
}
