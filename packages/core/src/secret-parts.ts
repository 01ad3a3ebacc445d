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

const MAX_DEPTH = 4

/**
 * The strings to scrub for one secret value: the value itself and, when it is a JSON object,
 * each string inside it (a password in `{"username":…,"password":…}` often appears on its own,
 * for example URL-encoded in a connection string), except under the keys in {@link NOT_SECRET}.
 */
export function secretParts(value: string): string[] {
  const parts = [value]
  const first = value.trimStart()[0]
  if (first !== '{' && first !== '[') return parts
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    return parts
  }
  const visit = (node: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || typeof node !== 'object' || node === null) return
    for (const [key, child] of Object.entries(node)) {
      if (typeof child === 'string') {
        if (!NOT_SECRET.has(key.toLowerCase())) parts.push(child)
      } else {
        visit(child, depth + 1)
      }
    }
  }
  visit(parsed, 0)
  return parts
}
