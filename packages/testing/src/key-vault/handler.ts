import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { guardHandler, pause, readBodyText } from '../shared/http-server.js'
import type {
  KeyVaultCustomFault,
  KeyVaultFaultKind,
  KeyVaultFaultPlan,
  KeyVaultOperation,
} from './faults.js'
import {
  NAME_PATTERN,
  RECOVERABLE_DAYS,
  type StoredSecret,
  type StoredVersion,
  type VaultStore,
  type VersionProperties,
} from './store.js'

/** The largest request body the emulator reads (a 25 KiB value JSON-escaped, with room to spare). */
export const KEY_VAULT_MAX_REQUEST_BYTES = 262_144

/** One request the emulator received. Holds names and versions, never secret values. */
export interface KeyVaultCall {
  /** The REST operation, or `'Unknown'` for a path or method the emulator does not serve. */
  operation: KeyVaultOperation | 'Unknown'
  /** The secret name in the path, when there is one. */
  secretName?: string
  /** The version in the path, when there is one (empty for "latest"). */
  version?: string
  /** The `api-version` query parameter as sent. */
  apiVersion?: string
  /** Whether the request carried the bearer token the emulator's credential hands out. */
  authorized: boolean
  /** HTTP status of the reply; 0 while pending or when no reply was sent. */
  status: number
  /** The injected fault that answered the call, if one did. */
  fault?: KeyVaultFaultKind | 'custom' | 'drop'
}

export interface KeyVaultHandlerContext {
  store: VaultStore
  faults: KeyVaultFaultPlan
  record: (call: KeyVaultCall) => void
  closing: AbortSignal
  vaultUrl: () => string
  /** `WWW-Authenticate` value of a 401. */
  challenge: string
  /** The token the fake credential hands out. */
  token: string
  apiVersions: ReadonlySet<string>
}

interface Reply {
  status: number
  body?: string
  contentType?: string
  headers?: Record<string, string>
}

const JSON_TYPE = 'application/json; charset=utf-8'

function json(status: number, value: unknown, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify(value), contentType: JSON_TYPE, ...(headers ? { headers } : {}) }
}

function failure(
  status: number,
  code: string,
  message: string,
  inner?: string,
  headers?: Record<string, string>,
): Reply {
  return json(
    status,
    { error: { code, message, ...(inner === undefined ? {} : { innererror: { code: inner } }) } },
    headers,
  )
}

const NOT_FOUND_HINT =
  'If you recently deleted this secret you may be able to recover it using the correct recovery command.'

function notFound(nameOrId: string): Reply {
  return failure(
    404,
    'SecretNotFound',
    `A secret with (name/id) ${nameOrId} was not found in this key vault. ${NOT_FOUND_HINT}`,
  )
}

function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, {
    'Cache-Control': 'no-cache',
    'x-ms-request-id': randomUUID(),
    'x-ms-keyvault-service-version': 'latchkey-emulator',
    ...(reply.body === undefined
      ? { 'Content-Length': '0' }
      : { 'Content-Type': reply.contentType ?? JSON_TYPE }),
    ...reply.headers,
  })
  res.end(reply.body)
}

function faultReply(
  fault: Exclude<KeyVaultFaultKind, 'enabledString'> | KeyVaultCustomFault,
  retryAfter: number,
): Reply {
  switch (fault) {
    case 'unauthorized':
      return failure(401, 'Unauthorized', 'AKV10032: Invalid issuer.')
    case 'throttled':
      return failure(
        429,
        'Throttled',
        'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached',
        undefined,
        { 'Retry-After': String(retryAfter) },
      )
    case 'internal':
      return failure(500, 'InternalServerError', 'The service encountered an internal error.')
    case 'unavailable':
      return failure(503, 'ServiceUnavailable', 'The service is temporarily unavailable.', undefined, {
        'Retry-After': String(retryAfter),
      })
    case 'forbidden':
      return failure(
        403,
        'Forbidden',
        'The user, group or application does not have secrets get permission on key vault.',
        'AccessDenied',
      )
    default: {
      const headers = fault.retryAfter === undefined ? undefined : { 'Retry-After': String(fault.retryAfter) }
      if (fault.body !== undefined) {
        return {
          status: fault.status,
          body: fault.body,
          contentType: fault.contentType ?? JSON_TYPE,
          ...(headers ? { headers } : {}),
        }
      }
      if (fault.code === undefined || fault.code === '')
        return { status: fault.status, ...(headers ? { headers } : {}) }
      return failure(fault.status, fault.code, fault.message ?? '', undefined, headers)
    }
  }
}

const seconds = (ms: number): number => Math.floor(ms / 1000)

function attributes(version: StoredVersion) {
  return {
    enabled: version.enabled,
    ...(version.notBefore === undefined ? {} : { nbf: seconds(version.notBefore) }),
    ...(version.expiresOn === undefined ? {} : { exp: seconds(version.expiresOn) }),
    created: seconds(version.created),
    updated: seconds(version.updated),
    recoveryLevel: 'Recoverable+Purgeable',
    recoverableDays: RECOVERABLE_DAYS,
  }
}

function bundle(base: string, secret: StoredSecret, version: StoredVersion, withValue: boolean) {
  return {
    ...(withValue ? { value: version.value } : {}),
    ...(version.contentType === undefined ? {} : { contentType: version.contentType }),
    id: `${base}/secrets/${secret.name}/${version.id}`,
    attributes: attributes(version),
    ...(version.tags === undefined ? {} : { tags: version.tags }),
  }
}

function deletedBundle(base: string, secret: StoredSecret) {
  const latest = secret.versions.at(-1) as StoredVersion
  const deletedAt = secret.deletedAt ?? 0
  return {
    recoveryId: `${base}/deletedsecrets/${secret.name}`,
    deletedDate: seconds(deletedAt),
    scheduledPurgeDate: seconds(deletedAt + RECOVERABLE_DAYS * 86_400_000),
    ...bundle(base, secret, latest, false),
  }
}

/** Properties from a request body (`contentType`, `attributes.enabled/nbf/exp`, `tags`); undefined when malformed. */
function propertiesOf(body: Record<string, unknown>): VersionProperties | undefined {
  const props: VersionProperties = {}
  if (body.contentType !== undefined && body.contentType !== null) {
    if (typeof body.contentType !== 'string') return undefined
    props.contentType = body.contentType
  }
  const attrs = body.attributes
  if (attrs !== undefined && attrs !== null) {
    if (typeof attrs !== 'object' || Array.isArray(attrs)) return undefined
    const { enabled, nbf, exp } = attrs as Record<string, unknown>
    if (enabled !== undefined && enabled !== null) {
      if (typeof enabled !== 'boolean') return undefined
      props.enabled = enabled
    }
    for (const [key, value] of [
      ['notBefore', nbf],
      ['expiresOn', exp],
    ] as const) {
      if (value === undefined || value === null) continue
      if (typeof value !== 'number' || !Number.isFinite(value)) return undefined
      props[key] = value * 1000
    }
  }
  if (body.tags !== undefined && body.tags !== null) {
    if (typeof body.tags !== 'object' || Array.isArray(body.tags)) return undefined
    props.tags = body.tags as Record<string, string>
  }
  return props
}

interface Route {
  operation: KeyVaultOperation | 'Unknown'
  name?: string
  version?: string
}

/** Which operation a method and path are (paths as the SDK writes them: `/secrets/{name}/` reads the latest version). */
function route(method: string, segments: string[]): Route {
  const [collection, name, third, fourth] = segments
  if (collection === 'secrets') {
    if (name === undefined) return { operation: method === 'GET' ? 'getSecrets' : 'Unknown' }
    if (third === undefined) {
      if (method === 'PUT') return { operation: 'setSecret', name }
      if (method === 'DELETE') return { operation: 'deleteSecret', name }
      if (method === 'GET') return { operation: 'getSecret', name, version: '' }
      return { operation: 'Unknown', name }
    }
    if (fourth !== undefined) return { operation: 'Unknown', name }
    if (third === 'versions' && method === 'GET') return { operation: 'getSecretVersions', name }
    if (method === 'GET') return { operation: 'getSecret', name, version: third }
    if (method === 'PATCH') return { operation: 'updateSecret', name, version: third }
    return { operation: 'Unknown', name, version: third }
  }
  if (collection === 'deletedsecrets' && name !== undefined) {
    if (third === undefined && method === 'GET') return { operation: 'getDeletedSecret', name }
    if (third === undefined && method === 'DELETE') return { operation: 'purgeDeletedSecret', name }
    if (third === 'recover' && fourth === undefined && method === 'POST')
      return { operation: 'recoverDeletedSecret', name }
  }
  return { operation: 'Unknown', ...(name === undefined ? {} : { name }) }
}

/**
 * Answers one HTTPS request the way Key Vault's secrets API does: latency first, then the
 * `api-version` check, then the bearer-token check (a 401 challenge without a valid token), then
 * injected faults, then the operation. Nothing it does throws out of it.
 */
export function createKeyVaultHandler(context: KeyVaultHandlerContext) {
  return guardHandler(answer(context), (res) =>
    send(res, failure(500, 'InternalServerError', 'The emulator failed to answer the request.')),
  )
}

function answer(context: KeyVaultHandlerContext) {
  const { faults, record, closing, challenge, token, apiVersions } = context
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBodyText(req, KEY_VAULT_MAX_REQUEST_BYTES)
    if (text === null) return
    const url = new URL(req.url ?? '/', 'https://emulator.invalid')
    let segments: string[]
    try {
      segments = url.pathname.split('/').slice(1).map(decodeURIComponent)
    } catch {
      segments = ['?']
    }
    // `/secrets/{name}/` (the SDK's "latest version" path) has an empty last segment.
    if (segments.at(-1) === '' && segments.length === 3) segments.pop()
    const method = req.method ?? 'GET'
    const target = route(method, segments)
    const apiVersion = url.searchParams.get('api-version') ?? undefined
    const authorized = req.headers.authorization === `Bearer ${token}`
    const call: KeyVaultCall = {
      operation: target.operation,
      ...(target.name === undefined ? {} : { secretName: target.name }),
      ...(target.version === undefined ? {} : { version: target.version }),
      ...(apiVersion === undefined ? {} : { apiVersion }),
      authorized,
      status: 0,
    }
    record(call)
    const respond = (reply: Reply) => {
      call.status = reply.status
      send(res, reply)
    }

    const latency = faults.latencyFor(target.operation)
    if (latency > 0) await pause(latency, closing)
    if (closing.aborted || req.socket.destroyed) return

    if (apiVersion === undefined || apiVersion === '') {
      return respond(failure(400, 'BadParameter', 'The api-version query parameter is missing.'))
    }
    if (!apiVersions.has(apiVersion)) {
      return respond(failure(400, 'BadParameter', `The specified version (${apiVersion}) is not recognized.`))
    }
    if (!authorized) {
      return respond(
        failure(401, 'Unauthorized', 'Request is missing a Bearer or PoP token.', undefined, {
          'WWW-Authenticate': challenge,
        }),
      )
    }

    const fault = faults.apply(target.operation, call, req.socket)
    if (fault === 'dropped') return
    const lying = fault?.fault === 'enabledString'
    if (fault !== undefined && fault.fault !== 'enabledString') {
      return respond(faultReply(fault.fault, fault.retryAfter))
    }

    if (text === undefined) return respond(failure(413, 'RequestTooLarge', 'The request body is too large.'))
    let body: Record<string, unknown> = {}
    if (text !== '') {
      try {
        const parsed: unknown = JSON.parse(text)
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error('not an object')
        body = parsed as Record<string, unknown>
      } catch {
        return respond(failure(400, 'BadParameter', 'The request body is not a JSON object.'))
      }
    }
    const reply = operate(context, target, body)
    respond(lying && reply.status === 200 ? enabledAsString(reply) : reply)
  }
}

/** The `'enabledString'` lie: `attributes.enabled` sent as the string `"false"`. */
function enabledAsString(reply: Reply): Reply {
  try {
    const parsed = JSON.parse(String(reply.body)) as { attributes?: Record<string, unknown> }
    if (typeof parsed.attributes !== 'object' || parsed.attributes === null) return reply
    parsed.attributes.enabled = 'false'
    return { ...reply, body: JSON.stringify(parsed) }
  } catch {
    return reply
  }
}

function operate(context: KeyVaultHandlerContext, target: Route, body: Record<string, unknown>): Reply {
  const { store } = context
  const base = context.vaultUrl()
  const name = target.name ?? ''
  if (target.operation === 'Unknown') return failure(404, 'NotFound', 'The requested resource was not found.')
  if (target.operation === 'getSecrets') {
    const value = store.list().map((secret) => {
      const latest = secret.versions.at(-1) as StoredVersion
      const { id: _id, ...rest } = bundle(base, secret, latest, false)
      return { id: `${base}/secrets/${secret.name}`, ...rest }
    })
    return json(200, { value, nextLink: null })
  }
  if (!NAME_PATTERN.test(name)) {
    return failure(400, 'BadParameter', `The request URI contains an invalid name: ${name}`)
  }
  switch (target.operation) {
    case 'getSecret': {
      const secret = store.live(name)
      const version =
        target.version === ''
          ? secret?.versions.at(-1)
          : secret?.versions.find((v) => v.id === target.version)
      if (secret === undefined || version === undefined) {
        return notFound(target.version === '' ? name : `${name}/${target.version}`)
      }
      if (!version.enabled) {
        return failure(
          403,
          'Forbidden',
          'Operation get is not allowed on a disabled secret.',
          'SecretDisabled',
        )
      }
      return json(200, bundle(base, secret, version, true))
    }
    case 'getSecretVersions': {
      const secret = store.live(name)
      if (secret === undefined) return notFound(name)
      return json(200, { value: secret.versions.map((v) => bundle(base, secret, v, false)), nextLink: null })
    }
    case 'setSecret': {
      const props = propertiesOf(body)
      if (typeof body.value !== 'string' || props === undefined) {
        return failure(
          400,
          'BadParameter',
          'The request body must hold a string "value" and valid properties.',
        )
      }
      if (store.deleted(name) !== undefined) {
        return failure(
          409,
          'Conflict',
          `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
          'ObjectIsDeletedButRecoverable',
        )
      }
      const version = store.put(name, body.value, props)
      return json(200, bundle(base, store.live(name) as StoredSecret, version, true))
    }
    case 'updateSecret': {
      const secret = store.live(name)
      const version = secret?.versions.find((v) => v.id === target.version)
      if (secret === undefined || version === undefined) return notFound(`${name}/${target.version}`)
      const props = propertiesOf(body)
      if (props === undefined)
        return failure(400, 'BadParameter', 'The request body holds invalid properties.')
      store.update(version, props)
      return json(200, bundle(base, secret, version, false))
    }
    case 'deleteSecret': {
      const secret = store.live(name)
      if (secret === undefined) return notFound(name)
      store.softDelete(secret)
      return json(200, deletedBundle(base, secret))
    }
    case 'getDeletedSecret': {
      const secret = store.deleted(name)
      if (secret === undefined) return failure(404, 'SecretNotFound', `Deleted Secret not found: ${name}`)
      return json(200, deletedBundle(base, secret))
    }
    case 'recoverDeletedSecret': {
      const secret = store.deleted(name)
      if (secret === undefined) return failure(404, 'SecretNotFound', `Deleted Secret not found: ${name}`)
      store.recover(secret)
      return json(200, bundle(base, secret, secret.versions.at(-1) as StoredVersion, false))
    }
    case 'purgeDeletedSecret': {
      const secret = store.deleted(name)
      if (secret === undefined) return failure(404, 'SecretNotFound', `Deleted Secret not found: ${name}`)
      store.purge(secret)
      return { status: 204 }
    }
  }
  return failure(404, 'NotFound', 'The requested resource was not found.')
}
