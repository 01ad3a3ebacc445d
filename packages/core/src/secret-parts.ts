import { selectField } from './json.js'

/**
 * Keys of JSON secrets whose values are not secret (the RDS rotation format and friends). Their
 * values would redact ordinary words such as `postgres` from every log line.
 */
const NOT_SECRET = new Set([
  'engine',
  'host',
  'hostname',
  'port',
  'dbname',
  'database',
  'username',
  'user',
  'dbinstanceidentifier',
  'dbclusteridentifier',
  'region',
  'proxyname',
])

/** `text` parsed when it is a JSON object or array, else `undefined`. */
function parseContainer(text: string): object | undefined {
  const first = text.trimStart()[0]
  if (first !== '{' && first !== '[') return undefined
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined
  } catch {
    return undefined
  }
}

/**
 * The strings to scrub for one secret value: the value itself and, when it is JSON, every string
 * `getSecret('name#field')` can return for it (a field as text, an object field as its JSON) and
 * every string and number inside it at any depth (a password in `{"username":…,"password":…}`
 * often appears on its own, URL-encoded in a connection string) — except under the keys in
 * {@link NOT_SECRET} and the top-level `publicFields` (a Parameter Store path read's `String`
 * parameters), and booleans and nulls, which are not secrets. A string that is itself a JSON
 * object or array (`{"config":"{\"password\":…}"}`, a path read's parameter holding JSON) is
 * walked the same way, its parts registered too. Each string is parsed at most once: the work is
 * bounded by the total length of the strings, whatever the nesting.
 */
export function secretParts(value: string, publicFields: readonly string[] = []): string[] {
  const parsed = parseContainer(value)
  // a plain string (most secrets): the walk below is not even compiled
  return parsed === undefined ? [value] : jsonParts(value, parsed, publicFields)
}

/** {@link secretParts} of a value that parsed as the JSON object or array `parsed`. */
function jsonParts(value: string, parsed: object, publicFields: readonly string[]): string[] {
  const parts = new Set([value])
  const skipTop = new Set(publicFields)
  if (!Array.isArray(parsed)) {
    for (const key of Object.keys(parsed)) {
      if (NOT_SECRET.has(key.toLowerCase()) || skipTop.has(key)) continue
      try {
        parts.add(selectField(parsed, key, {}, value))
      } catch {
        // a field getSecret cannot return (null): nothing to scrub
      }
    }
  }
  // iterative, so that deeply nested JSON cannot overflow the stack
  const stack: unknown[] = [parsed]
  let top = true
  while (stack.length > 0) {
    const node = stack.pop()
    if (typeof node !== 'object' || node === null) continue
    for (const [key, child] of Object.entries(node)) {
      if (top && skipTop.has(key)) continue
      if (typeof child === 'object' && child !== null) stack.push(child)
      else if (!NOT_SECRET.has(key.toLowerCase())) {
        if (typeof child === 'string') {
          parts.add(child)
          const inner = parseContainer(child)
          if (inner !== undefined) stack.push(inner)
        } else if (typeof child === 'number' && Number.isFinite(child)) parts.add(String(child))
      }
    }
    top = false
  }
  return [...parts]
}
