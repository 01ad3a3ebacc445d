import { ownKeys, readProperty } from './safe-read.js'

/** Header names (lowercase) whose values the `req` and `res` serializers replace with `'[REDACTED]'`. */
export const SENSITIVE_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
])

const CENSORED = '[REDACTED]'

/** What the `req` serializer makes of a request. */
export interface SerializedRequest {
  /** The request id (pino-http's `req.id`, Fastify's `request.id`) when it is a string or number. */
  id?: unknown
  /** HTTP method. */
  method?: string
  /** Path and query as received (`originalUrl` when Express set it). */
  url?: string
  /** A copy of the headers with {@link SENSITIVE_HEADERS} replaced by `'[REDACTED]'`. */
  headers?: Record<string, unknown>
  /** Client address (`remoteAddress`, Fastify's `ip`, or the socket's). */
  remoteAddress?: string
  /** Client port. */
  remotePort?: number
}

/** What the `res` serializer makes of a response. */
export interface SerializedResponse {
  /** HTTP status code. */
  statusCode?: number
  /** A copy of the response headers with {@link SENSITIVE_HEADERS} (such as `set-cookie`) replaced by `'[REDACTED]'`. */
  headers?: Record<string, unknown>
}

function censorHeader(name: string, value: unknown): unknown {
  if (SENSITIVE_HEADERS.has(name.toLowerCase())) return CENSORED
  return Array.isArray(value) ? [...value] : value
}

/** A copy of a headers object (or a fetch `Headers`) with sensitive values censored. */
function maskHeaders(headers: unknown): Record<string, unknown> | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined
  const out: Record<string, unknown> = {}
  const forEach = readProperty(headers, 'forEach')
  if (typeof forEach === 'function' && typeof readProperty(headers, 'get') === 'function') {
    forEach.call(headers, (value: unknown, name: string) => {
      out[name] = censorHeader(name, value)
    })
    return out
  }
  for (const name of ownKeys(headers)) out[name] = censorHeader(name, readProperty(headers, name))
  return out
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

/**
 * pino `req` serializer for Node's `IncomingMessage`, Fastify's request, Express's request and
 * pino-http's wrapped request: `id`, `method`, `url` (`originalUrl` when Express set it), `headers`
 * with {@link SENSITIVE_HEADERS} censored, `remoteAddress`, `remotePort`. Never throws; anything
 * that is not an object is returned unchanged.
 */
export function serializeRequest(req: unknown): unknown {
  if (typeof req !== 'object' || req === null) return req
  try {
    const socket = readProperty(req, 'socket')
    const fromSocket = (key: string) =>
      typeof socket === 'object' && socket !== null ? readProperty(socket, key) : undefined
    const out: SerializedRequest = {
      id: readProperty(req, 'id'),
      method: stringOrUndefined(readProperty(req, 'method')),
      url: stringOrUndefined(readProperty(req, 'originalUrl')) ?? stringOrUndefined(readProperty(req, 'url')),
      headers: maskHeaders(readProperty(req, 'headers')),
      remoteAddress:
        stringOrUndefined(readProperty(req, 'remoteAddress')) ??
        stringOrUndefined(readProperty(req, 'ip')) ??
        stringOrUndefined(fromSocket('remoteAddress')),
      remotePort:
        numberOrUndefined(readProperty(req, 'remotePort')) ?? numberOrUndefined(fromSocket('remotePort')),
    }
    if (typeof out.id === 'function' || typeof out.id === 'object') out.id = undefined
    return omitUndefined(out)
  } catch {
    return {}
  }
}

/**
 * pino `res` serializer for Node's `ServerResponse`, Fastify's reply and pino-http's wrapped
 * response: `statusCode` and `headers` (from `getHeaders()` when there is one) with
 * {@link SENSITIVE_HEADERS} such as `set-cookie` censored. Never throws; anything that is not an
 * object is returned unchanged.
 */
export function serializeResponse(res: unknown): unknown {
  if (typeof res !== 'object' || res === null) return res
  try {
    const getHeaders = readProperty(res, 'getHeaders')
    let headers: unknown
    if (typeof getHeaders === 'function') {
      try {
        headers = getHeaders.call(res)
      } catch {
        headers = undefined
      }
    }
    headers ??= readProperty(res, 'headers')
    const out: SerializedResponse = {
      statusCode: numberOrUndefined(readProperty(res, 'statusCode')),
      headers: maskHeaders(headers),
    }
    return omitUndefined(out)
  } catch {
    return {}
  }
}
