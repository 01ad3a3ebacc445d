import type { IncomingMessage, ServerResponse } from 'node:http'
import { guardHandler, pause, type Reply, readBodyText } from '../shared/http-server.js'
import { errorBody, GoogleSecretManagerEmulatorError } from './errors.js'
import {
  faultReply,
  type GoogleFaultKind,
  type GoogleFaultPlan,
  type GoogleSecretManagerRpc,
  JSON_TYPE,
  jsonReply,
} from './faults.js'
import {
  checksumOf,
  PROJECT,
  SECRET_ID,
  type SecretStore,
  STATE_NUMBER,
  type StoredSecret,
  type StoredVersion,
} from './store.js'

/**
 * The largest request body read: 1 MiB. A payload is at most 64 KiB (as base64, about 87 KiB), so
 * no valid request comes near it; a larger one is refused with 413.
 */
export const MAX_REQUEST_BYTES = 1_048_576
/** The largest payload the service stores: 64 KiB. */
export const MAX_PAYLOAD_BYTES = 65_536

/** One request the emulator received. Holds resource names, never payloads. */
export interface GoogleRecordedCall {
  /** The RPC the path and method name, or `'Unknown'`. */
  rpc: GoogleSecretManagerRpc | 'Unknown'
  /** HTTP method and path (without the query string), e.g. `GET /v1/projects/p/secrets/s/versions/latest:access`. */
  request: string
  /** The resource the call names, e.g. `projects/p/secrets/s/versions/latest`. */
  resource: string
  /** HTTP status of the reply; 0 while pending, or when no reply was sent (dropped, or the client went away). */
  status: number
  /** True when the request carried `$alt=json;enum-encoding=int` (the REST transport asks for numeric enums). */
  numericEnums: boolean
  /** True when the `Authorization` header carried the emulator's token. */
  authorized: boolean
  /** The `x-goog-request-params` header (the routing header), when sent. */
  requestParams?: string
  /** The `x-goog-api-client` header, when sent. */
  apiClient?: string
  /** The injected fault that answered the call, if one did. */
  fault?: GoogleFaultKind | 'custom' | 'drop'
}

export interface HandlerContext {
  store: SecretStore
  token: string
  faults: GoogleFaultPlan
  record: (call: GoogleRecordedCall) => void
  /** Aborted when the emulator closes, to end pending latency. */
  closing: AbortSignal
}

interface Route {
  rpc: GoogleSecretManagerRpc
  project: string
  secret?: string
  version?: string
}

const VERSION_VERB =
  /^\/v1\/projects\/([^/:]+)\/secrets\/([^/:]+)\/versions\/([^/:]+)(?::(access|disable|enable|destroy))?$/
const SECRET_VERB = /^\/v1\/projects\/([^/:]+)\/secrets\/([^/:]+)(?::(addVersion))?$/
const SECRETS = /^\/v1\/projects\/([^/:]+)\/secrets$/

const VERB_RPC: Record<string, GoogleSecretManagerRpc> = {
  access: 'AccessSecretVersion',
  disable: 'DisableSecretVersion',
  enable: 'EnableSecretVersion',
  destroy: 'DestroySecretVersion',
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** Which RPC a method and path are, and the names in the path. */
function route(method: string, path: string): Route | undefined {
  let match = VERSION_VERB.exec(path)
  if (match) {
    const [, project, secret, version, verb] = match.map((part) => (part === undefined ? part : decode(part)))
    const rpc = verb === undefined ? 'GetSecretVersion' : VERB_RPC[verb]
    const expected = verb === undefined || verb === 'access' ? 'GET' : 'POST'
    if (rpc === undefined || method !== expected) return undefined
    return { rpc, project: project as string, secret: secret as string, version: version as string }
  }
  match = SECRET_VERB.exec(path)
  if (match) {
    const project = decode(match[1] as string)
    const secret = decode(match[2] as string)
    if (match[3] === 'addVersion')
      return method === 'POST' ? { rpc: 'AddSecretVersion', project, secret } : undefined
    if (method === 'GET') return { rpc: 'GetSecret', project, secret }
    if (method === 'DELETE') return { rpc: 'DeleteSecret', project, secret }
    return undefined
  }
  match = SECRETS.exec(path)
  if (match && method === 'POST') return { rpc: 'CreateSecret', project: decode(match[1] as string) }
  return undefined
}

function resourceOf(r: Route | undefined, secretId?: string | null): string {
  if (r === undefined) return ''
  const secret = r.secret ?? secretId ?? ''
  const base = `projects/${r.project}/secrets/${secret}`
  return r.version === undefined ? base : `${base}/versions/${r.version}`
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, {
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
  })
  res.end(reply.body)
}

function versionJson(secret: StoredSecret, version: StoredVersion, numericEnums: boolean): object {
  return {
    name: `projects/${secret.project}/secrets/${secret.id}/versions/${version.number}`,
    createTime: version.createTime,
    ...(version.destroyTime === undefined ? {} : { destroyTime: version.destroyTime }),
    state: numericEnums ? STATE_NUMBER[version.state] : version.state,
    replicationStatus: { automatic: {} },
    etag: version.etag,
    clientSpecifiedPayloadChecksum: version.clientChecksum,
  }
}

function secretJson(secret: StoredSecret): object {
  return {
    name: `projects/${secret.project}/secrets/${secret.id}`,
    replication: { automatic: {} },
    createTime: secret.createTime,
    ...(Object.keys(secret.labels).length > 0 ? { labels: secret.labels } : {}),
    etag: secret.etag,
  }
}

function parseBody(text: string): Record<string, unknown> {
  if (text.trim() === '') return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new GoogleSecretManagerEmulatorError('INVALID_ARGUMENT', 'Invalid JSON payload received.')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GoogleSecretManagerEmulatorError(
      'INVALID_ARGUMENT',
      'Invalid JSON payload received. Expected an object.',
    )
  }
  return value as Record<string, unknown>
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/

/** Runs one routed call against the store; throws {@link GoogleSecretManagerEmulatorError} as the service answers. */
function run(
  store: SecretStore,
  r: Route,
  body: Record<string, unknown>,
  query: URLSearchParams,
  numericEnums: boolean,
  corruptChecksum: boolean,
  corruptData = false,
): Reply {
  if (!PROJECT.test(r.project)) {
    throw new GoogleSecretManagerEmulatorError(
      'INVALID_ARGUMENT',
      `Resource ID [${resourceOf(r)}] is not in a valid format.`,
    )
  }
  if (r.rpc === 'CreateSecret') {
    const id = query.get('secretId') ?? ''
    const labels =
      typeof body.labels === 'object' && body.labels !== null ? (body.labels as Record<string, string>) : {}
    return jsonReply(200, secretJson(store.create(r.project, id, labels)))
  }
  if (!SECRET_ID.test(r.secret ?? '')) {
    throw new GoogleSecretManagerEmulatorError(
      'INVALID_ARGUMENT',
      `Resource ID [${resourceOf(r)}] is not in a valid format.`,
    )
  }
  const secret = store.secret(r.project, r.secret as string)
  switch (r.rpc) {
    case 'GetSecret':
      return jsonReply(200, secretJson(secret))
    case 'DeleteSecret':
      store.delete(r.project, secret.id)
      return jsonReply(200, {})
    case 'AddSecretVersion': {
      const payload = (body.payload ?? {}) as Record<string, unknown>
      const data = typeof payload.data === 'string' ? payload.data : ''
      if (!BASE64.test(data))
        throw new GoogleSecretManagerEmulatorError('INVALID_ARGUMENT', "Invalid value at 'payload.data'.")
      const bytes = Buffer.from(data, 'base64')
      if (bytes.byteLength > MAX_PAYLOAD_BYTES) {
        throw new GoogleSecretManagerEmulatorError(
          'INVALID_ARGUMENT',
          'Secret Payload cannot exceed 65536 bytes.',
        )
      }
      const sent = payload.dataCrc32c
      const actual = checksumOf(bytes)
      if (sent !== undefined && Number(sent) !== actual) {
        throw new GoogleSecretManagerEmulatorError(
          'INVALID_ARGUMENT',
          'Checksum mismatch: the payload was corrupted in transit.',
        )
      }
      const version = store.addVersion(secret, bytes, { value: actual, client: sent !== undefined })
      return jsonReply(200, versionJson(secret, version, numericEnums))
    }
    default:
      break
  }
  const version = store.version(secret, r.version as string)
  const name = `projects/${secret.project}/secrets/${secret.id}/versions/${version.number}`
  switch (r.rpc) {
    case 'GetSecretVersion':
      return jsonReply(200, versionJson(secret, version, numericEnums))
    case 'DisableSecretVersion':
    case 'EnableSecretVersion':
    case 'DestroySecretVersion':
      store.setState(
        version,
        r.rpc === 'DisableSecretVersion'
          ? 'DISABLED'
          : r.rpc === 'EnableSecretVersion'
            ? 'ENABLED'
            : 'DESTROYED',
      )
      return jsonReply(200, versionJson(secret, version, numericEnums))
    default: {
      if (version.state !== 'ENABLED' || version.data === undefined) {
        throw new GoogleSecretManagerEmulatorError(
          'FAILED_PRECONDITION',
          `Secret Version [${name}] is in ${version.state} state.`,
        )
      }
      const crc = version.crc32c
      const sentCrc = corruptChecksum ? ((crc ?? 0) ^ 0x5a5a5a5a) >>> 0 : crc
      return jsonReply(200, {
        name,
        payload: {
          // '*' is outside both base64 alphabets; a lenient decoder skips it and decodes the rest shifted
          data: corruptData
            ? `*${version.data.toString('base64').slice(1)}`
            : version.data.toString('base64'),
          ...(sentCrc === undefined ? {} : { dataCrc32c: String(sentCrc) }),
        },
      })
    }
  }
}

/**
 * Answers one HTTP request the way Secret Manager's REST API does, faults first. Nothing it does
 * can throw out of it: an unexpected error becomes a 500 `INTERNAL` reply.
 */
export function createHandler(context: HandlerContext) {
  return guardHandler(answer(context), (res) =>
    send(res, jsonReply(500, errorBody('INTERNAL', 'Internal error encountered.'))),
  )
}

function answer(context: HandlerContext) {
  const { store, token, faults, record, closing } = context
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBodyText(req, MAX_REQUEST_BYTES)
    if (text === null) return
    const url = new URL(req.url ?? '/', 'http://emulator')
    const method = req.method ?? 'GET'
    const r = route(method, url.pathname)
    const alt = url.searchParams.get('$alt') ?? ''
    const numericEnums = alt.split(';').includes('enum-encoding=int')
    const header = (name: string) => {
      const value = req.headers[name]
      return typeof value === 'string' ? value : undefined
    }
    const requestParams = header('x-goog-request-params')
    const apiClient = header('x-goog-api-client')
    const call: GoogleRecordedCall = {
      rpc: r?.rpc ?? 'Unknown',
      request: `${method} ${url.pathname}`,
      resource: resourceOf(r, url.searchParams.get('secretId')),
      status: 0,
      numericEnums,
      authorized: header('authorization') === `Bearer ${token}`,
      ...(requestParams === undefined ? {} : { requestParams }),
      ...(apiClient === undefined ? {} : { apiClient }),
    }
    record(call)
    const respond = (reply: Reply) => {
      call.status = reply.status
      send(res, reply)
    }
    const fail = (error: GoogleSecretManagerEmulatorError) =>
      respond(jsonReply(error.httpStatus, error.toWire()))
    if (text === undefined) {
      return respond(jsonReply(413, errorBody('INVALID_ARGUMENT', 'Request payload size exceeds the limit.')))
    }

    const latency = faults.latencyFor(call.rpc)
    if (latency > 0) await pause(latency, closing)
    if (closing.aborted || req.socket.destroyed) return

    const action = faults.take(call.rpc)
    if (action?.kind === 'drop') {
      call.fault = 'drop'
      req.socket.destroy()
      return
    }
    const corruptChecksum = action?.kind === 'fail' && action.fault === 'checksumMismatch'
    const corruptData = action?.kind === 'fail' && action.fault === 'invalidBase64'
    if (action?.kind === 'fail' && action.fault !== 'checksumMismatch' && action.fault !== 'invalidBase64') {
      call.fault = typeof action.fault === 'string' ? action.fault : 'custom'
      return respond(faultReply(action.fault, call.resource))
    }
    if (corruptChecksum && call.rpc === 'AccessSecretVersion') call.fault = 'checksumMismatch'
    if (corruptData && call.rpc === 'AccessSecretVersion') call.fault = 'invalidBase64'

    if (header('authorization') === undefined) {
      return fail(
        new GoogleSecretManagerEmulatorError(
          'UNAUTHENTICATED',
          'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        ),
      )
    }
    if (!call.authorized) {
      return fail(
        new GoogleSecretManagerEmulatorError(
          'UNAUTHENTICATED',
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        ),
      )
    }
    if (r === undefined) {
      return respond({
        status: 404,
        contentType: JSON_TYPE,
        body: JSON.stringify(
          errorBody('NOT_FOUND', `The requested URL ${url.pathname} was not found on this server.`),
        ),
      })
    }
    try {
      respond(run(store, r, parseBody(text), url.searchParams, numericEnums, corruptChecksum, corruptData))
    } catch (error) {
      if (error instanceof GoogleSecretManagerEmulatorError) return fail(error)
      respond(jsonReply(500, errorBody('INTERNAL', 'Internal error encountered.')))
    }
  }
}
