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

/** The class name when the constructor has one, else the error's own `name`, else `'Error'`. */
function typeName(ctor: unknown, name: () => unknown): string {
  const className = typeof ctor === 'function' ? ctor.name : undefined
  if (typeof className === 'string' && className !== '') return className
  const own = name()
  return typeof own === 'string' && own !== '' ? own : 'Error'
}

interface Fields {
  type: string
  message: unknown
  stack: unknown
  code: unknown
  cause: unknown
  errors: unknown
}

/**
 * The fields every error is logged with. Read directly first (named reads: errors are logged in
 * the request path, and reading through a generic helper costs several times more); when a read
 * throws (a getter, a revoked proxy), each is read on its own and an unreadable one is left out.
 */
function fieldsOf(error: object): Fields {
  const e = error as Record<string, unknown>
  try {
    return {
      type: typeName(e.constructor, () => e.name),
      message: e.message,
      stack: e.stack,
      code: e.code,
      cause: e.cause,
      errors: e.errors,
    }
  } catch {
    let type = 'Error'
    try {
      type = typeName(readProperty(error, 'constructor'), () => readProperty(error, 'name'))
    } catch {
      // a constructor whose name cannot be read: the default stays
    }
    return {
      type,
      message: readProperty(error, 'message'),
      stack: readProperty(error, 'stack'),
      code: readProperty(error, 'code'),
      cause: readProperty(error, 'cause'),
      errors: readProperty(error, 'errors'),
    }
  }
}

/**
 * `error` serialized; `seen` holds the errors serialized so far in this call (made when the first
 * nested error turns up: most errors have none).
 */
function serialize(error: object, depth: number, seen: Set<object> | undefined): SerializedError {
  seen?.add(error)
  const fields = fieldsOf(error)
  const out: SerializedError = {
    type: fields.type,
    message: typeof fields.message === 'string' ? fields.message : '',
  }
  if (typeof fields.stack === 'string') out.stack = fields.stack
  if (fields.code !== undefined) out.code = fields.code
  let known = seen
  const nested = (value: unknown): unknown => {
    if (!isError(value)) return value
    known ??= new Set([error])
    if (known.has(value)) return '[Circular]'
    if (depth >= MAX_CAUSE_DEPTH) return '[Truncated]'
    return serialize(value, depth + 1, known)
  }
  if (fields.cause !== undefined) out.cause = nested(fields.cause)
  if (Array.isArray(fields.errors)) out.aggregateErrors = fields.errors.map(nested)
  for (const key of ownKeys(error)) {
    if (SKIPPED.has(key)) continue
    let value: unknown
    try {
      value = (error as Record<string, unknown>)[key]
    } catch {
      continue // a getter that throws: the property is left out
    }
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
    if (isError(value)) return serialize(value, 0, undefined)
    // pino-http (and so nestjs-pino) hands serializers pino-std's copy, with the error as `raw`.
    const raw = typeof value === 'object' && value !== null ? readProperty(value, 'raw') : undefined
    return isError(raw) ? serialize(raw, 0, undefined) : value
  } catch {
    return { type: 'Error', message: '[unserializable error]' }
  }
}
