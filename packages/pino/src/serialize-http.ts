import { CREDENTIAL_HEADERS, isCredentialKey } from './line-key-censor.js'
import { ownKeys, readProperty } from './safe-read.js'

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

function omitUndefined<T extends object>(object: T): T {
  for (const key of Object.keys(object) as Array<keyof T>) if (object[key] === undefined) delete object[key]
  return object
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
 */
export function createHttpSerializers(options: HttpSerializerOptions = {}): {
  req: (req: unknown) => unknown
  res: (res: unknown) => unknown
} {
  const allowed = [...new Set((options.headers ?? []).map((name) => name.toLowerCase()))]

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
    try {
      const socket = readProperty(value, 'socket')
      const fromSocket = (key: string) =>
        typeof socket === 'object' && socket !== null ? readProperty(socket, key) : undefined
      const headers = readProperty(value, 'headers')
      const out: SerializedRequest = {
        id: readProperty(value, 'id'),
        method: stringOrUndefined(readProperty(value, 'method')),
        url:
          stringOrUndefined(readProperty(value, 'originalUrl')) ??
          stringOrUndefined(readProperty(value, 'url')),
        host: stringOrUndefined(readProperty(value, 'host')) ?? stringOrUndefined(headerOf(headers, 'host')),
        remoteAddress:
          stringOrUndefined(readProperty(value, 'remoteAddress')) ??
          stringOrUndefined(readProperty(value, 'ip')) ??
          stringOrUndefined(fromSocket('remoteAddress')),
        remotePort:
          numberOrUndefined(readProperty(value, 'remotePort')) ?? numberOrUndefined(fromSocket('remotePort')),
        headers: pickHeaders(headers),
      }
      if (typeof out.id === 'function' || typeof out.id === 'object') out.id = undefined
      return omitUndefined(out)
    } catch {
      return {}
    }
  }

  function res(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value
    try {
      let headers: unknown
      if (allowed.length > 0) {
        const getHeaders = readProperty(value, 'getHeaders')
        if (typeof getHeaders === 'function') {
          try {
            headers = getHeaders.call(value)
          } catch {
            headers = undefined
          }
        }
        headers ??= readProperty(value, 'headers')
      }
      const out: SerializedResponse = {
        statusCode: numberOrUndefined(readProperty(value, 'statusCode')),
        headers: pickHeaders(headers),
      }
      return omitUndefined(out)
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
