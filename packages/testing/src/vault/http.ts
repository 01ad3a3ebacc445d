import { randomUUID } from 'node:crypto'
import { type IncomingHttpHeaders, type ServerResponse, STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'

/** What a handler answers: a status and a JSON body (none for 204), or a raw body from a fault. */
export interface VaultReply {
  status: number
  body?: unknown
  /** Sent as is instead of `body` (a fault's HTML page or truncated JSON). */
  raw?: { contentType: string; text: string }
}

/** Thrown by handlers to answer `{"errors":[…]}` with a status (docs/wire-facts.md#vault-errors-and-status-codes). */
export class VaultHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
  ) {
    super(errors[0] ?? `status ${status}`)
  }
}

/** The text a token without the needed capability gets (a multierror, docs/wire-facts.md#vault-errors-and-status-codes). */
export const PERMISSION_DENIED = '1 error occurred:\n\t* permission denied\n\n'
/** The text a revoked or expired token gets on newer Vault. */
export const INVALID_TOKEN = '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'
export const SEALED = 'Vault is sealed'

/** The response envelope, fields in Vault's struct order (docs/wire-facts.md#vault-response-envelope). */
export interface Envelope {
  request_id: string
  lease_id: string
  renewable: boolean
  lease_duration: number
  data: unknown
  wrap_info: unknown
  warnings: string[] | null
  auth: unknown
  mount_type: string
}

export function envelope(fields: Partial<Envelope>): Envelope {
  return {
    request_id: randomUUID(),
    lease_id: fields.lease_id ?? '',
    renewable: fields.renewable ?? false,
    lease_duration: fields.lease_duration ?? 0,
    data: fields.data ?? null,
    wrap_info: fields.wrap_info ?? null,
    warnings: fields.warnings ?? null,
    auth: fields.auth ?? null,
    mount_type: fields.mount_type ?? '',
  }
}

/** 200 (or `status`) with a full envelope. */
export function ok(fields: Partial<Envelope>, status = 200): VaultReply {
  return { status, body: envelope(fields) }
}

export const noContent: VaultReply = { status: 204 }

/** 404 `{"errors":[]}`: nothing at that path. */
export function notFound(): never {
  throw new VaultHttpError(404, [])
}

export function badRequest(message: string): never {
  throw new VaultHttpError(400, [message])
}

export function noRoute(path: string): never {
  throw new VaultHttpError(404, [`no handler for route "${path}". route entry not found.`])
}

export function unsupported(): never {
  throw new VaultHttpError(405, ['1 error occurred:\n\t* unsupported operation\n\n'])
}

/** Writes a reply with Vault's headers: JSON content type and `Cache-Control: no-store`. */
export function send(res: ServerResponse, reply: VaultReply): void {
  if (res.headersSent || res.destroyed) return
  const { headers, text } = headersFor(reply)
  res.writeHead(reply.status, headers)
  res.end(text)
}

function headersFor(reply: VaultReply): { headers: Record<string, string | number>; text: string } {
  if (reply.raw !== undefined) {
    const { contentType, text } = reply.raw
    return {
      headers: {
        'Content-Type': contentType,
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-store',
      },
      text,
    }
  }
  if (reply.status === 204 || reply.body === undefined)
    return { headers: { 'Cache-Control': 'no-store' }, text: '' }
  const text = JSON.stringify(reply.body)
  return {
    headers: {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'Cache-Control': 'no-store',
    },
    text,
  }
}

/**
 * Node's HTTP parser refuses the `LIST` method, so the server's `clientError` handler passes the
 * raw bytes here: the request line and headers of a `LIST` request (it has no body), or undefined.
 */
export function parseListRequest(
  packet: Buffer | undefined,
): { url: string; headers: IncomingHttpHeaders } | undefined {
  const text = packet?.toString('latin1') ?? ''
  const end = text.indexOf('\r\n\r\n')
  const match = /^LIST (\S+) HTTP\/1\.[01]\r\n/.exec(text)
  if (match === null || end === -1) return undefined
  const headers: IncomingHttpHeaders = {}
  for (const line of text.slice(match[0].length, end).split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { url: match[1] as string, headers }
}

/** Writes a reply straight to a socket and closes it (for `LIST` requests). */
export function sendRaw(socket: Duplex, reply: VaultReply): void {
  const { headers, text } = headersFor(reply)
  const lines = Object.entries({ ...headers, Connection: 'close' }).map(([k, v]) => `${k}: ${v}`)
  socket.end(
    `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n${text}`,
  )
}

/** A request as handlers see it: the path after `/v1/`, no leading or trailing slash. */
export interface VaultRequest {
  method: string
  path: string
  /** True for `LIST` or `GET ?list=true`. */
  list: boolean
  query: URLSearchParams
  body: Record<string, unknown> | undefined
}

/** The media type Vault requires on every `PATCH` (its HTTP layer answers others 415). */
export const MERGE_PATCH_TYPE = 'application/merge-patch+json'

/**
 * Vault's check of a `PATCH` request's `Content-Type` before any handler runs: none or an
 * unparsable one is 400 (Go's `mime.ParseMediaType` error), another type 415
 * (docs/wire-facts.md#vault-kv-v2-patch-config-and-custom-metadata).
 */
export function checkPatchContentType(header: string | undefined): void {
  const type = (header ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (type === '') throw new VaultHttpError(400, ['mime: no media type'])
  if (type !== MERGE_PATCH_TYPE)
    throw new VaultHttpError(415, [`PATCH requires Content-Type of ${MERGE_PATCH_TYPE}, provided ${type}`])
}

/** The JSON body as an object; other JSON values count as no body. */
export function parseBody(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // V8's own message quotes the input, which may hold a secret.
    throw new VaultHttpError(400, ['failed to parse JSON input: invalid character in request body'])
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined
}
