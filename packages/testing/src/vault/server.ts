import type { IncomingHttpHeaders } from 'node:http'
import type { LimitedBody } from '../shared/body.js'
import type { DatabaseEngine } from './database.js'
import type { VaultCallLog, VaultFaultPlan } from './faults.js'
import {
  checkPatchContentType,
  noRoute,
  PERMISSION_DENIED,
  parseBody,
  SEALED,
  VaultHttpError,
  type VaultReply,
  type VaultRequest,
} from './http.js'
import type { LoginMethods } from './login.js'
import { handleMounts } from './mounts.js'
import type { Namespaces } from './namespaces.js'
import type { PolicyStore } from './policies.js'
import { isLeasePath, isStatusPath, leases, type SysState, status } from './sys.js'
import type { TokenEndpoints } from './token-endpoints.js'
import { type TokenEntry, type TokenStore, tokenHeader } from './tokens.js'
import { type Wrapping, wrapTtlOf } from './wrapping.js'

/** Everything a request can reach. */
export interface Engines {
  tokens: TokenStore
  tokenEndpoints: TokenEndpoints
  policies: PolicyStore
  logins: LoginMethods
  namespaces: Namespaces
  /** The database engine of a namespace (`''` is the root), if it has one. */
  database(namespace: string): DatabaseEngine | undefined
  /** The database mount name (the same in every namespace). */
  databaseMount: string
  wrapping: Wrapping
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
  /** The client's address (`bound_cidrs`). */
  remoteAddress: string
  /** The body, or `{ tooLarge: true }` when it was over the size limit. */
  body(): Promise<LimitedBody>
}

/** A request with the namespace it is in and the path inside that namespace. */
interface Located {
  namespace: string
  mount: string
  rest: string
}

/**
 * Wrapping tokens may call `unwrap`/`rewrap` themselves, and `lookup` needs no token
 * (docs/wire-facts.md#vault-response-wrapping): those calls go to the wrapping store before any
 * token check.
 */
function wrappingCall(request: VaultRequest, headers: IncomingHttpHeaders, engines: Engines): boolean {
  if (!engines.wrapping.isPath(request.path) || request.path === 'sys/wrapping/wrap') return false
  if (request.path === 'sys/wrapping/lookup') return true
  const header = tokenHeader(headers)
  const bodyToken = typeof request.body?.token === 'string' && request.body.token !== ''
  return engines.wrapping.holds(header) || (!bodyToken && engines.tokens.find({ id: header }) === undefined)
}

async function route(
  request: VaultRequest,
  incoming: Incoming,
  engines: Engines,
  wrapTtl: number | undefined,
): Promise<VaultReply> {
  const { path } = request
  const { headers } = incoming
  if (isStatusPath(path)) return status(request, engines.sys)
  if (engines.sys.sealed) throw new VaultHttpError(503, [SEALED])
  const fromHeader = namespaceOf(headers)
  // A login may name its namespace at the front of the path too (`team-a/auth/approle/login`).
  const login = /^(?:(.+)\/)?(auth\/[^/]*\/login)$/.exec(path)
  const inMount = engines.namespaces.mountNames(fromHeader).some((m) => path.startsWith(`${m}/`))
  if (login !== null && !inMount) {
    const namespace = [fromHeader, login[1] ?? ''].filter((p) => p !== '').join('/')
    return engines.logins.handle({ ...request, path: login[2] as string }, namespace)
  }
  if (wrappingCall(request, headers, engines)) {
    return engines.wrapping.handle(request, tokenHeader(headers), wrapTtl)
  }
  // Namespaces separate data: a path in `team-a/` is not there without X-Vault-Namespace (docs/wire-facts.md#vault-namespaces).
  const located = splitNamespace(path, fromHeader, engines)
  const token = engines.tokens.authenticate(headers, incoming.remoteAddress)
  // A token works in its own namespace and those below it; its policies' paths are relative to it.
  const within = relativeTo(token.namespace, located)
  if (within === undefined) throw new VaultHttpError(403, [PERMISSION_DENIED])
  engines.tokens.authorize(token, { ...request, path: within })
  const last = engines.tokens.use(token)
  try {
    return await dispatch(request, located, token, engines, wrapTtl)
  } finally {
    // num_uses: the last use revokes the token, and the leases it made, once the request is done.
    if (last) engines.tokens.revoke(token)
  }
}

async function dispatch(
  request: VaultRequest,
  located: Located,
  token: TokenEntry,
  engines: Engines,
  wrapTtl: number | undefined,
): Promise<VaultReply> {
  const { path } = request
  const { namespace, mount, rest } = located
  if (path.startsWith('auth/token/')) return engines.tokenEndpoints.handle(request, token, namespace)
  if (engines.wrapping.isPath(path)) return engines.wrapping.handle(request, undefined, wrapTtl)
  if (engines.policies.isPath(path)) return engines.policies.handle(request)
  if (path === 'sys/mounts' || path.startsWith('sys/mounts/')) {
    const table = { kv: engines.namespaces.kv(namespace), databaseMount: engines.database(namespace)?.mount }
    return handleMounts(request, table)
  }
  if (path === 'sys/namespaces' || path.startsWith('sys/namespaces/')) {
    return engines.namespaces.handle(request, namespace)
  }
  if (isLeasePath(path)) return leases(request, engines.sys)
  const kv = engines.namespaces.kv(namespace).get(mount)
  if (kv !== undefined) return kv.handle(request, rest)
  const database = engines.database(namespace)
  if (database !== undefined && mount === database.mount) return database.handle(request, rest, token)
  return noRoute(path)
}

/**
 * The request's path as a policy of a token from `tokenNamespace` sees it: unchanged in the
 * token's own namespace, with the child namespace in front below it; undefined outside it.
 */
function relativeTo(tokenNamespace: string, located: Located): string | undefined {
  const inner = [located.mount, located.rest].filter((p) => p !== '').join('/')
  if (located.namespace === tokenNamespace) return inner
  const prefix = tokenNamespace === '' ? '' : `${tokenNamespace}/`
  if (!located.namespace.startsWith(prefix)) return undefined
  return `${located.namespace.slice(prefix.length)}/${inner}`
}

/**
 * The namespace, mount and rest of a path. Vault takes a namespace from the header, from the
 * front of the path (`/v1/team-a/secret/data/x`), or both joined (header `team-a`, path
 * `child/secret/…` → `team-a/child`): the segments before the first one that names a KV mount
 * are namespace segments (docs/wire-facts.md#vault-namespace-in-the-path).
 */
function splitNamespace(path: string, fromHeader: string, engines: Engines): Located {
  const segments = path.split('/')
  const plain = { namespace: fromHeader, mount: segments[0] ?? '', rest: segments.slice(1).join('/') }
  if (segments[0] === 'sys' || segments[0] === 'auth') return plain
  for (let at = 0; at < segments.length; at++) {
    const namespace = [fromHeader, ...segments.slice(0, at)].filter((p) => p !== '').join('/')
    const inner = segments.slice(at).join('/')
    const names = engines.namespaces.mountNames(namespace)
    if (engines.database(namespace) !== undefined || at === 0) names.push(engines.databaseMount)
    // The longest mount path that starts the rest: mounts may have several segments (`team/kv`).
    const mount = names
      .filter((name) => inner === name || inner.startsWith(`${name}/`))
      .sort((x, y) => y.length - x.length)[0]
    if (mount !== undefined) return { namespace, mount, rest: inner.slice(mount.length + 1) }
  }
  return plain
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
    const wrapTtl = wrapTtlOf(incoming.headers['x-vault-wrap-ttl'])
    reply = await route(request, incoming, engines, wrapTtl)
    // X-Vault-Wrap-TTL: a 200 with a body is kept under a wrapping token; the caller gets wrap_info.
    if (wrapTtl !== undefined && reply.status === 200 && reply.body !== undefined && !isStatusPath(path)) {
      reply = engines.wrapping.wrap(reply, wrapTtl, path)
    }
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
