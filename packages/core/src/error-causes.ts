import type { SecretError } from './errors.js'
import { sharedRedactor } from './redactor.js'

/** What {@link scrubErrorText} needs of a redactor. */
export interface TextRedactor {
  redact(text: string): string
}

/** Objects visited per error, at most: a cause chain with its bodies and arrays, never a socket. */
const MAX_NODES = 64
const MAX_DEPTH = 4

/** Plain data a service error carries (bodies, `errors` arrays, `$metadata`) and errors themselves. */
function isData(value: object): boolean {
  if (value instanceof Error || Array.isArray(value)) return true
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Scrubs the free text of `object` and of the plain data and errors it holds, in place (so the
 * service error keeps its class, `name`, `code` and status). Returns `false` when a text holding a
 * value could not be rewritten (frozen, a throwing getter) or the object is too large to walk.
 */
function scrubObject(
  object: object,
  clean: (text: string) => string,
  depth: number,
  seen: Set<object>,
): boolean {
  if (seen.has(object)) return true
  seen.add(object)
  if (seen.size > MAX_NODES) return false
  const keys = new Set<string>(Object.getOwnPropertyNames(object))
  if (object instanceof Error) {
    keys.add('message')
    keys.add('stack')
  }
  for (const key of keys) {
    const value: unknown = (object as Record<string, unknown>)[key]
    if (typeof value === 'string') {
      const cleaned = clean(value)
      if (cleaned === value) continue
      ;(object as Record<string, unknown>)[key] = cleaned
      if ((object as Record<string, unknown>)[key] !== cleaned) return false
    } else if (typeof value === 'object' && value !== null && isData(value)) {
      if (depth >= MAX_DEPTH) return false
      if (!scrubObject(value, clean, depth + 1, seen)) return false
    }
  }
  return true
}

/** The name, code and HTTP status of a service error, without its free text. */
function summary(cause: unknown): Error {
  const source = (typeof cause === 'object' && cause !== null ? cause : {}) as Record<string, unknown>
  const read = (key: string): unknown => {
    try {
      return source[key]
    } catch {
      return undefined
    }
  }
  const metadata = read('$metadata') as { httpStatusCode?: unknown } | undefined
  const name = typeof read('name') === 'string' ? (read('name') as string) : 'Error'
  const code = read('code')
  const status = [read('statusCode'), read('status'), metadata?.httpStatusCode].find(
    (s) => typeof s === 'number',
  )
  const parts = [name]
  if (typeof code === 'string' || typeof code === 'number') parts.push(String(code))
  if (status !== undefined) parts.push(`HTTP ${String(status)}`)
  const error = new Error(`${parts.join(' ')} (its text held a secret value and was dropped)`)
  Object.defineProperty(error, 'name', { value: name.slice(0, 128), enumerable: false })
  if (typeof code === 'string' || typeof code === 'number') Object.assign(error, { code })
  if (status !== undefined) Object.assign(error, { statusCode: status })
  return error
}

/**
 * Cleans a latchkey error before the cache keeps or hands it on: the one place where service text
 * meets our errors. Every string of the error's message and of its `cause` chain (messages, stacks,
 * bodies, `errors` arrays) goes through the process's redactor (and `extra`, a provider's own), so
 * a service or proxy that echoes a value in its error text does not put it in `err.cause`, the
 * diagnostics channels or a log. The cause keeps its class, name, code and status; when a text
 * holding a value cannot be rewritten, the cause is replaced by its name, code and status only.
 * Never throws.
 */
export function scrubErrorText(error: SecretError, extra?: TextRedactor): void {
  const redactors: TextRedactor[] = [sharedRedactor()]
  if (extra !== undefined && extra !== redactors[0]) redactors.push(extra)
  const clean = (text: string): string => {
    let out = text
    for (const redactor of redactors) out = redactor.redact(out)
    return out
  }
  let cause: unknown
  try {
    const message = clean(error.message)
    if (message !== error.message) error.message = message
    const stack = error.stack
    if (typeof stack === 'string') {
      const cleaned = clean(stack)
      if (cleaned !== stack) error.stack = cleaned
    }
    cause = error.cause
    if (cause === undefined || cause === null) return
    if (typeof cause === 'string') {
      const cleaned = clean(cause)
      if (cleaned !== cause) replaceCause(error, cleaned)
      return
    }
    if (typeof cause !== 'object' && typeof cause !== 'function') return
    if (!scrubObject(cause as object, clean, 0, new Set())) replaceCause(error, summary(cause))
  } catch {
    replaceCause(error, summary(cause))
  }
}

function replaceCause(error: SecretError, cause: unknown): void {
  try {
    Object.defineProperty(error, 'cause', {
      value: cause,
      writable: true,
      configurable: true,
      enumerable: false,
    })
  } catch {
    // a frozen error: nothing more can be done to it
  }
}
