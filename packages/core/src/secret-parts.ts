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

/**
 * The strings to scrub for one secret value: the value itself and, when it is JSON, every string
 * `getSecret('name#field')` can return for it (a field as text, an object field as its JSON) and
 * every string and number inside it at any depth (a password in `{"username":…,"password":…}`
 * often appears on its own, URL-encoded in a connection string) — except under the keys in
 * {@link NOT_SECRET}, and booleans and nulls, which are not secrets.
 */
export function secretParts(value: string): string[] {
  const parts = new Set([value])
  const first = value.trimStart()[0]
  if (first !== '{' && first !== '[') return [value]
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    return [value]
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
    for (const key of Object.keys(parsed)) {
      if (NOT_SECRET.has(key.toLowerCase())) continue
      try {
        parts.add(selectField(parsed, key, {}))
      } catch {
        // a field getSecret cannot return (null): nothing to scrub
      }
    }
  }
  // iterative, so that deeply nested JSON cannot overflow the stack
  const stack: unknown[] = [parsed]
  while (stack.length > 0) {
    const node = stack.pop()
    if (typeof node !== 'object' || node === null) continue
    for (const [key, child] of Object.entries(node)) {
      if (typeof child === 'object' && child !== null) stack.push(child)
      else if (!NOT_SECRET.has(key.toLowerCase())) {
        if (typeof child === 'string') parts.add(child)
        else if (typeof child === 'number' && Number.isFinite(child)) parts.add(String(child))
      }
    }
  }
  return [...parts]
}
