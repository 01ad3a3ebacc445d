import type { IncomingHttpHeaders } from 'node:http'
import type { LimitedBody } from '../shared/body.js'
import type { DatabaseEngine } from './database.js'
import type { VaultCallLog, VaultFaultPlan } from './faults.js'
import {
  checkPatchContentType,
  noRoute,
  parseBody,
  SEALED,
  VaultHttpError,
  type VaultReply,
  type VaultRequest,
} from './http.js'
import type { KvV1, KvV2 } from './kv.js'
import type { LoginMethods } from './login.js'
import { isLeasePath, isStatusPath, leases, type SysState, status } from './sys.js'
import type { TokenStore } from './tokens.js'

/** Everything a request can reach. */
export interface Engines {
  tokens: TokenStore
  logins: LoginMethods
  /** The KV mounts of a namespace (`''` is the root namespace), created on first use. */
  kv(namespace: string): Map<string, KvV1 | KvV2>
  database: DatabaseEngine
  sys: SysState
}

/** Vault's default `max_request_size` for a listener: 32 MiB. */
export const DEFAULT_MAX_REQUEST_SIZE = 33_554_432

/** What Vault answers a body over `max_request_size` with (Go's `http.MaxBytesReader` text). */
export const REQUEST_TOO_LARGE = 'http: request body too large'

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

/** One request, from the HTTP server or from the raw `LIST` fallback. */
export interface Incoming {
  method: string
  url: string
  headers: IncomingHttpHeaders
  /** The body, or `{ tooLarge: true }` when it was over the size limit. */
  body(): Promise<LimitedBody>
}

async function route(
  request: VaultRequest,
  headers: IncomingHttpHeaders,
  engines: Engines,
): Promise<VaultReply> {
  const { path } = request
  if (isStatusPath(path)) return status(request, engines.sys)
  if (engines.sys.sealed) throw new VaultHttpError(503, [SEALED])
  if (engines.logins.isLogin(path)) return engines.logins.handle(request)
  const token = engines.tokens.authenticate(headers)
  engines.tokens.authorize(token, request)
  if (path.startsWith('auth/token/')) return engines.tokens.handle(request, token)
  if (isLeasePath(path)) return leases(request, engines.sys)
  // Namespaces separate data: a path in `team-a/` is not there without X-Vault-Namespace (docs/wire-facts.md#vault-namespaces).
  const { namespace, mount, rest } = splitNamespace(path, namespaceOf(headers), engines)
  const kv = engines.kv(namespace).get(mount)
  if (kv !== undefined) return kv.handle(request, rest)
  if (mount === engines.database.mount) return engines.database.handle(request, rest, token)
  return noRoute(path)
}

/**
 * The namespace, mount and rest of a path. Vault takes a namespace from the header, from the
 * front of the path (`/v1/team-a/secret/data/x`), or both joined (header `team-a`, path
 * `child/secret/…` → `team-a/child`): the segments before the first one that names a KV mount
 * are namespace segments (docs/wire-facts.md#vault-namespace-in-the-path).
 */
function splitNamespace(
  path: string,
  fromHeader: string,
  engines: Engines,
): { namespace: string; mount: string; rest: string } {
  const segments = path.split('/')
  const mountNames = new Set(engines.kv('').keys())
  const at = segments.findIndex((segment) => mountNames.has(segment))
  if (at <= 0 || segments[0] === engines.database.mount) {
    return { namespace: fromHeader, mount: segments[0] ?? '', rest: segments.slice(1).join('/') }
  }
  const prefix = segments.slice(0, at).join('/')
  return {
    namespace: fromHeader === '' ? prefix : `${fromHeader}/${prefix}`,
    mount: segments[at] as string,
    rest: segments.slice(at + 1).join('/'),
  }
}

/** Runs one request through faults, seal, auth and routing. Undefined means: drop the connection. */
export async function serve(
  incoming: Incoming,
  engines: Engines,
  faults: VaultFaultPlan,
  calls: VaultCallLog,
): Promise<VaultReply | undefined> {
  const url = new URL(incoming.url, 'http://vault.invalid')
  const method = incoming.method.toUpperCase()
  const path = decodePath(url.pathname.replace(/^\/v1\//, '')).replace(/^\/+|\/+$/g, '')
  const namespace = incoming.headers['x-vault-namespace']
  const call = calls.record({
    method,
    path,
    namespace: Array.isArray(namespace) ? namespace[0] : namespace,
    status: 0,
  })
  const latency = faults.latencyFor(path)
  if (latency > 0) await sleep(latency)
  const fault = faults.take(path)
  if (fault?.kind === 'drop') return undefined
  let reply: VaultReply
  try {
    const read = await incoming.body()
    if (!('text' in read)) throw new VaultHttpError(413, [REQUEST_TOO_LARGE])
    const text = read.text
    if (fault !== undefined) {
      call.status = fault.reply.status
      return fault.reply
    }
    if (!url.pathname.startsWith('/v1/')) throw new VaultHttpError(404, [])
    const list =
      method === 'LIST' || (method === 'GET' && ['true', '1'].includes(url.searchParams.get('list') ?? ''))
    if (method === 'PATCH') checkPatchContentType(incoming.headers['content-type'])
    const request: VaultRequest = { method, path, list, query: url.searchParams, body: parseBody(text) }
    reply = await route(request, incoming.headers, engines)
  } catch (error) {
    reply =
      error instanceof VaultHttpError
        ? { status: error.status, body: { errors: error.errors } }
        : { status: 500, body: { errors: [(error as Error).message] } }
  }
  call.status = reply.status
  return reply
}

/** `X-Vault-Namespace` without leading or trailing slashes (`'team-a/'` → `'team-a'`); `''` for the root. */
export function namespaceOf(headers: IncomingHttpHeaders): string {
  const raw = headers['x-vault-namespace']
  const value = Array.isArray(raw) ? raw[0] : raw
  return normalizeNamespace(value)
}

/** A namespace path as the emulator keys it: no leading or trailing slashes; `''` is the root. */
export function normalizeNamespace(value: string | undefined): string {
  return (value ?? '').trim().replace(/^\/+|\/+$/g, '')
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}
