import { ownKeys, readProperty } from './safe-read.js'

/** What the `err` serializer makes of an error. Extra own enumerable properties of the error are copied too. */
export interface SerializedError {
  /** The constructor's name (`'TypeError'`, `'SecretUnavailableError'`), else the error's `name`. */
  type: string
  /** The error's `message` (`''` when it has none or it cannot be read). */
  message: string
  /** The error's `stack`, when it is a string. */
  stack?: string
  /** The error's `code`, when it has one. */
  code?: unknown
  /** The `cause`, serialized the same way when it is an error; `'[Circular]'` when it loops back. */
  cause?: unknown
  /** The `errors` of an `AggregateError`, each serialized. */
  aggregateErrors?: unknown[]
  [key: string]: unknown
}

/** How deep a `cause` chain is followed before it is cut with `'[Truncated]'`. */
const MAX_CAUSE_DEPTH = 10
const SKIPPED = new Set(['name', 'message', 'stack', 'cause', 'code', 'errors', 'aggregateErrors', 'type'])

function isError(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]'
}

function typeOf(error: object): string {
  const ctor = readProperty(error, 'constructor')
  const name = typeof ctor === 'function' ? readProperty(ctor, 'name') : undefined
  if (typeof name === 'string' && name !== '') return name
  const own = readProperty(error, 'name')
  return typeof own === 'string' && own !== '' ? own : 'Error'
}

function serialize(error: object, depth: number, seen: Set<object>): SerializedError {
  seen.add(error)
  const message = readProperty(error, 'message')
  const out: SerializedError = { type: typeOf(error), message: typeof message === 'string' ? message : '' }
  const stack = readProperty(error, 'stack')
  if (typeof stack === 'string') out.stack = stack
  const code = readProperty(error, 'code')
  if (code !== undefined) out.code = code
  const nested = (value: unknown): unknown => {
    if (!isError(value)) return value
    if (seen.has(value)) return '[Circular]'
    if (depth >= MAX_CAUSE_DEPTH) return '[Truncated]'
    return serialize(value, depth + 1, seen)
  }
  const cause = readProperty(error, 'cause')
  if (cause !== undefined) out.cause = nested(cause)
  const errors = readProperty(error, 'errors')
  if (Array.isArray(errors)) out.aggregateErrors = errors.map(nested)
  for (const key of ownKeys(error)) {
    if (SKIPPED.has(key)) continue
    const value = readProperty(error, key)
    if (typeof value !== 'function' && value !== undefined) out[key] = nested(value)
  }
  return out
}

/**
 * pino `err` serializer: `type`, `message`, `stack`, `code`, the `cause` chain (and `AggregateError`
 * errors) plus the error's own enumerable properties. Never throws: unreadable properties are
 * skipped, cycles become `'[Circular]'`, and anything that is not an error is returned unchanged.
 * An object carrying the error as `raw` (what pino-http passes after its own wrapping) is
 * serialized from that error.
 */
export function serializeError(value: unknown): unknown {
  try {
    if (isError(value)) return serialize(value, 0, new Set())
    // pino-http (and so nestjs-pino) hands serializers pino-std's copy, with the error as `raw`.
    const raw = typeof value === 'object' && value !== null ? readProperty(value, 'raw') : undefined
    return isError(raw) ? serialize(raw, 0, new Set()) : value
  } catch {
    return { type: 'Error', message: '[unserializable error]' }
  }
}
