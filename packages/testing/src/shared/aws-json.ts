/**
 * The AWS JSON 1.1 protocol as Secrets Manager and Parameter Store speak it (`POST /`,
 * `X-Amz-Target: <prefix>.<Operation>`, a JSON body each way): replies, the signed Region, and the
 * errors every AWS service answers with (docs/wire-facts.md). Each emulator keeps its own error
 * class, because the services spell the message member differently.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Reply } from './http-server.js'

/** The awsJson1_1 content type every request and reply carries. */
export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1'

/** A parsed request body. */
export type Input = Record<string, unknown>

/** A JSON reply in the awsJson1_1 content type. */
export function jsonReply(status: number, body: object): Reply {
  return { status, contentType: AWS_JSON_CONTENT_TYPE, body: JSON.stringify(body) }
}

/** Writes a reply with the headers the service always sends, unless the client has gone. */
export function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return
  res.writeHead(reply.status, {
    'Content-Type': reply.contentType,
    'Content-Length': Buffer.byteLength(reply.body),
    'x-amzn-RequestId': randomUUID(),
    Date: new Date().toUTCString(),
  })
  res.end(reply.body)
}

/** `Credential=<key id>/<yyyymmdd>/<region>/<service>/aws4_request` in a SigV4 `Authorization` header. */
const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/[^/,\s]+\/aws4_request/

/**
 * The Region a request is for: the one in its SigV4 credential scope (a client signs for the
 * Region it talks to, and each Region is a separate service with its own state). A request with
 * no `Authorization` header goes to the default Region; `undefined` for a header without a
 * credential scope, which AWS refuses with IncompleteSignatureException.
 */
export function signedRegion(req: IncomingMessage, defaultRegion: string): string | undefined {
  const header = req.headers.authorization
  if (header === undefined) return defaultRegion
  return CREDENTIAL_SCOPE.exec(header)?.[1]
}

/** The operation `X-Amz-Target` names after `prefix` (`'secretsmanager.'`), or `''`. */
export function targetOperation(req: IncomingMessage, prefix: string): string {
  const target = req.headers['x-amz-target']
  return typeof target === 'string' && target.startsWith(prefix) ? target.slice(prefix.length) : ''
}

/** A request body as a JSON object (an empty body is `{}`), or `undefined` when it is not one. */
export function parseInput(body: string): Input | undefined {
  try {
    const value: unknown = JSON.parse(body === '' ? '{}' : body)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Input) : undefined
  } catch {
    return undefined
  }
}

/** An error an AWS JSON emulator answers with; each service's subclass writes its wire body. */
export abstract class AwsJsonError extends Error {
  /** The `__type` on the wire, such as `'ResourceNotFoundException'`. */
  readonly type: string
  /** The HTTP status the emulator answers with. */
  readonly status: number

  constructor(type: string, message: string, status = 400) {
    super(message)
    this.type = type
    this.status = status
  }

  override get name(): string {
    return this.type
  }

  /** The JSON error body, exactly as sent. */
  abstract toWire(): { __type: string }
}

/** The errors every AWS JSON service answers with, built as the service's own error class. */
export function commonErrors<E extends AwsJsonError>(
  error: (type: string, message: string, status?: number) => E,
) {
  return {
    unknownOperation: () => error('UnknownOperationException', ''),
    serialization: (message: string) => error('SerializationException', message),
    /** A constraint violation in the request shape, worded like AWS's validation layer. */
    constraint: (member: string, text: string) =>
      error(
        'ValidationException',
        `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${text}`,
      ),
    /**
     * A request body over the size limit. AWS lists this among the errors every service can
     * return: HTTP 413, "The request entity is too large." See docs/wire-facts.md.
     */
    requestTooLarge: () => error('RequestEntityTooLargeException', 'The request entity is too large.', 413),
    /** An `Authorization` header without a SigV4 credential scope (AWS common error, HTTP 400). */
    incompleteSignature: () =>
      error(
        'IncompleteSignatureException',
        "Authorization header requires 'Credential' parameter. The request signature does not conform to AWS standards.",
      ),
  }
}
