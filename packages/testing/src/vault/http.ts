import { randomUUID } from 'node:crypto'
import type { ServerResponse } from 'node:http'

/** What a handler answers: a status and a JSON body (none for 204). */
export interface VaultReply {
  status: number
  body?: unknown
}

/** Thrown by handlers to answer `{"errors":[…]}` with a status (WIRE-FACTS A.3). */
export class VaultHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errors: string[],
  ) {
    super(errors[0] ?? `status ${status}`)
  }
}

/** The text a token without the needed capability gets (a multierror, WIRE-FACTS A.3). */
export const PERMISSION_DENIED = '1 error occurred:\n\t* permission denied\n\n'
/** The text a revoked or expired token gets on newer Vault. */
export const INVALID_TOKEN = '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'
export const SEALED = 'Vault is sealed'

/** The response envelope, fields in Vault's struct order (WIRE-FACTS A.2). */
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
    wrap_info: null,
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
  if (reply.status === 204 || reply.body === undefined) {
    res.writeHead(reply.status, { 'Cache-Control': 'no-store' })
    res.end()
    return
  }
  const text = JSON.stringify(reply.body)
  res.writeHead(reply.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  })
  res.end(text)
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
