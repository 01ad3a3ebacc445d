import { InvalidOptionsError } from '@latchkey/core'
import { ownKeys, readProperty } from './safe-read.js'
import { CREDENTIAL_HEADERS, isCredentialKey } from './sensitive-keys.js'

/**
 * Header names (lowercase) that are always censored; any header whose name holds `token`,
 * `secret`, `session`, `signature` or `password` is censored too (see `isCredentialKey`).
 */
export const SENSITIVE_HEADERS: ReadonlySet<string> = new Set(CREDENTIAL_HEADERS)

const CENSORED = '[REDACTED]'

/** What the `req` serializer makes of a request: what Fastify logs by default, plus allow-listed headers. */
export interface SerializedRequest {
  /** The request id (pino-http's `req.id`, Fastify's `request.id`) when it is a string or number. */
  id?: unknown
  /** HTTP method. */
  method?: string
  /** Path and query as received (`originalUrl` when Express set it). */
  url?: string
  /** The `Host` the client asked for (Fastify's `request.host`, else the `host` header). */
  host?: string
  /** Client address (`remoteAddress`, Fastify's `ip`, or the socket's). */
  remoteAddress?: string
  /** Client port. */
  remotePort?: number
  /** Only the allow-listed headers (`headers` option), credential headers censored; absent by default. */
  headers?: Record<string, unknown>
}

/** What the `res` serializer makes of a response. */
export interface SerializedResponse {
  /** HTTP status code. */
  statusCode?: number
  /** Only the allow-listed headers (`headers` option), credential headers censored; absent by default. */
  headers?: Record<string, unknown>
}

/** Options for {@link createHttpSerializers}. */
export interface HttpSerializerOptions {
  /**
   * Header names (any letter case) logged with each request and response. Credential headers
   * (`authorization`, `cookie`, `set-cookie`, `x-api-key`, anything holding `token`, `secret`,
   * `session`, `signature` or `password`) are logged as `'[REDACTED]'` even when listed.
   * @default [] (no headers, as Fastify logs by default)
   */
  headers?: readonly string[]
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined
}

/**
 * True for a plain object that already is what {@link createHttpSerializers}' `req` makes of a
 * request (only `id`, `method`, `url`, `host`, `remoteAddress`, `remotePort`, of the types it
 * logs): it is logged as it is, which spares building a copy with the same fields.
 */
function isSerializedRequest(value: object): boolean {
  try {
    if (Object.getPrototypeOf(value) !== Object.prototype) return false
    for (const key in value) {
      const field = (value as Record<string, unknown>)[key]
      switch (key) {
        case 'id':
          if (typeof field !== 'string' && typeof field !== 'number') return false
          break
        case 'method':
        case 'url':
        case 'host':
        case 'remoteAddress':
          if (typeof field !== 'string') return false
          break
        case 'remotePort':
          if (typeof field !== 'number') return false
          break
        default:
          return false
      }
    }
    return true
  } catch {
    return false
  }
}

/** Reads one header from a plain headers object (any letter case) or a fetch `Headers`. */
function headerOf(headers: unknown, lowerName: string): unknown {
  if (typeof headers !== 'object' || headers === null) return undefined
  const get = readProperty(headers, 'get')
  if (typeof get === 'function' && typeof readProperty(headers, 'forEach') === 'function') {
    try {
      return (get as (name: string) => unknown).call(headers, lowerName) ?? undefined
    } catch {
      return undefined
    }
  }
  const direct = readProperty(headers, lowerName)
  if (direct !== undefined) return direct
  for (const name of ownKeys(headers)) {
    if (name.toLowerCase() === lowerName) return readProperty(headers, name)
  }
  return undefined
}

/**
 * Builds the `req` and `res` serializers. By default they log what Fastify logs by default and no
 * headers; `headers` adds an allow-list. Neither ever throws; anything that is not an object is
 * returned unchanged.
 *
 * @throws {InvalidOptionsError} `ERR_SECRET_INVALID_OPTIONS` when `headers` is not an array of strings.
 */
export function createHttpSerializers(options: HttpSerializerOptions = {}): {
  req: (req: unknown) => unknown
  res: (res: unknown) => unknown
} {
  const headers = options.headers ?? []
  if (!Array.isArray(headers) || headers.some((name) => typeof name !== 'string')) {
    throw new InvalidOptionsError(
      `createHttpSerializers: option "headers" must be an array of header names (got ${Array.isArray(headers) ? 'an array with a non-string' : typeof headers})`,
    )
  }
  const allowed = [...new Set(headers.map((name) => name.toLowerCase()))]

  function pickHeaders(headers: unknown): Record<string, unknown> | undefined {
    if (allowed.length === 0 || typeof headers !== 'object' || headers === null) return undefined
    const out: Record<string, unknown> = {}
    for (const name of allowed) {
      const value = headerOf(headers, name)
      if (value === undefined) continue
      out[name] = isCredentialKey(name) ? CENSORED : Array.isArray(value) ? [...value] : value
    }
    return out
  }

  function req(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value
    if (isSerializedRequest(value)) return value
    try {
      // Built field by field in one order, never with `delete`: pino stringifies the result, and
      // an object that had properties deleted is much slower to stringify.
      const out: SerializedRequest = {}
      const id = readProperty(value, 'id')
      if (typeof id === 'string' || typeof id === 'number') out.id = id
      const method = readProperty(value, 'method')
      if (typeof method === 'string') out.method = method
      const url = stringOrUndefined(readProperty(value, 'originalUrl')) ?? readProperty(value, 'url')
      if (typeof url === 'string') out.url = url
      const headers = readProperty(value, 'headers')
      const host = stringOrUndefined(readProperty(value, 'host')) ?? headerOf(headers, 'host')
      if (typeof host === 'string') out.host = host
      let socket: unknown
      let remoteAddress =
        stringOrUndefined(readProperty(value, 'remoteAddress')) ??
        stringOrUndefined(readProperty(value, 'ip'))
      if (remoteAddress === undefined) {
        socket = readProperty(value, 'socket')
        if (typeof socket === 'object' && socket !== null)
          remoteAddress = stringOrUndefined(readProperty(socket, 'remoteAddress'))
      }
      if (remoteAddress !== undefined) out.remoteAddress = remoteAddress
      let remotePort = numberOrUndefined(readProperty(value, 'remotePort'))
      if (remotePort === undefined) {
        socket ??= readProperty(value, 'socket')
        if (typeof socket === 'object' && socket !== null)
          remotePort = numberOrUndefined(readProperty(socket, 'remotePort'))
      }
      if (remotePort !== undefined) out.remotePort = remotePort
      const picked = pickHeaders(headers)
      if (picked !== undefined) out.headers = picked
      return out
    } catch {
      return {}
    }
  }

  function res(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value
    try {
      const out: SerializedResponse = {}
      const statusCode = readProperty(value, 'statusCode')
      if (typeof statusCode === 'number') out.statusCode = statusCode
      if (allowed.length > 0) {
        let headers: unknown
        const getHeaders = readProperty(value, 'getHeaders')
        if (typeof getHeaders === 'function') {
          try {
            headers = getHeaders.call(value)
          } catch {
            headers = undefined
          }
        }
        headers ??= readProperty(value, 'headers')
        const picked = pickHeaders(headers)
        if (picked !== undefined) out.headers = picked
      }
      return out
    } catch {
      return {}
    }
  }

  return { req, res }
}

const defaults = createHttpSerializers()

/**
 * pino `req` serializer for Node's `IncomingMessage`, Fastify's request, Express's request and
 * pino-http's wrapped request: `id`, `method`, `url` (`originalUrl` when Express set it), `host`,
 * `remoteAddress`, `remotePort` — what Fastify logs by default, no headers (use
 * {@link createHttpSerializers} with `headers` to log some). Never throws.
 */
export function serializeRequest(req: unknown): unknown {
  return defaults.req(req)
}

/**
 * pino `res` serializer for Node's `ServerResponse`, Fastify's reply and pino-http's wrapped
 * response: `statusCode`, no headers (use {@link createHttpSerializers} with `headers` to log some).
 * Never throws.
 */
export function serializeResponse(res: unknown): unknown {
  return defaults.res(res)
}
