import { createServer, type IncomingHttpHeaders, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  DatabaseEngine,
  type VaultDatabaseConnectionOptions,
  type VaultDatabaseRoleOptions,
  type VaultLease,
} from './database.js'
import { VaultCallLog, type VaultCalls, VaultFaultPlan, type VaultFaults } from './faults.js'
import {
  noRoute,
  parseBody,
  parseListRequest,
  SEALED,
  send,
  sendRaw,
  VaultHttpError,
  type VaultReply,
  type VaultRequest,
} from './http.js'
import { type KvData, KvV1, KvV2 } from './kv.js'
import { LoginMethods, type VaultAppRoleOptions, type VaultKubernetesRoleOptions } from './login.js'
import { createSysState, isLeasePath, isStatusPath, leases, type SysState, status } from './sys.js'
import { TokenStore, type VaultTokenOptions } from './tokens.js'

/** Options for {@link startVaultEmulator}. */
export interface VaultEmulatorOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number
  /** Address to listen on. @default '127.0.0.1' */
  host?: string
  /** The root token. @default a random `hvs.` token */
  rootToken?: string
  /** KV mounts and their versions. @default { secret: 2, kv: 1 } */
  kvMounts?: Record<string, 1 | 2>
  /** Mount of the database secrets engine. @default 'database' */
  databaseMount?: string
}

/** Options of the KV helpers. */
export interface VaultKvOptions {
  /** The KV mount. @default 'secret' */
  mount?: string
}

/** Direct access to the emulator's KV mounts, bypassing HTTP and policies. */
export interface VaultKvHelpers {
  /** Writes `data` at `path` (a new version on KV v2). Returns the new version (KV v1: 0). */
  write(path: string, data: KvData, options?: VaultKvOptions): number
  /** Writes a new version of an existing key, as a rotation does. Returns the new version. */
  rotate(path: string, data: KvData, options?: VaultKvOptions): number
  /** KV v2: soft-deletes the given versions (default the latest). KV v1: deletes the key. */
  delete(path: string, options?: VaultKvOptions & { versions?: number[] }): void
  /** KV v2: destroys the given versions (default the latest) for good. */
  destroy(path: string, options?: VaultKvOptions & { versions?: number[] }): void
}

/** Direct access to the database secrets engine. */
export interface VaultDatabaseHelpers {
  /** The engine's mount. */
  readonly mount: string
  /** Adds (or replaces) a connection to PostgreSQL. */
  configure(options: VaultDatabaseConnectionOptions): void
  /** Adds (or replaces) a dynamic role. */
  createRole(options: VaultDatabaseRoleOptions): void
  /** Leases that are neither revoked nor expired. */
  leases(): VaultLease[]
  /** Errors of revocations that ran when leases expired. */
  readonly revocationErrors: readonly Error[]
}

/** A running Vault emulator. */
export interface VaultEmulator {
  /** Base URL, e.g. `http://127.0.0.1:54321` (node-vault's `endpoint`). */
  readonly endpoint: string
  /** The root token: every capability, never expires, not renewable. */
  readonly token: string
  /** KV helpers. */
  readonly kv: VaultKvHelpers
  /** Database engine helpers. */
  readonly database: VaultDatabaseHelpers
  /** Creates a token with the given policy rules and lifetime; returns it. */
  createToken(options?: VaultTokenOptions): string
  /**
   * Expires tokens now: one `token`, or all issued under `path` (such as `'auth/approle/login'`),
   * or every non-root token. Returns how many.
   */
  expireTokens(filter?: { token?: string; path?: string }): number
  /** Registers an AppRole role (the mount is created on first use). Returns its credentials. */
  addAppRole(options: VaultAppRoleOptions): { roleId: string; secretId: string }
  /** Registers a Kubernetes auth role and a JWT it accepts (call again to accept more). */
  addKubernetesRole(options: VaultKubernetesRoleOptions): { role: string; jwt: string }
  /** Seals: every call except `sys/health` and `sys/seal-status` gets 503 `Vault is sealed`. */
  seal(): void
  unseal(): void
  readonly sealed: boolean
  /** Fault injection. */
  readonly faults: VaultFaults
  /** Per-path call counters. */
  readonly calls: VaultCalls
  /** Stops the server, revokes open database leases and closes database connections. */
  close(): Promise<void>
}

interface Engines {
  tokens: TokenStore
  logins: LoginMethods
  kv: Map<string, KvV1 | KvV2>
  database: DatabaseEngine
  sys: SysState
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

/** One request, from the HTTP server or from the raw `LIST` fallback. */
interface Incoming {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body(): Promise<string>
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
  const slash = path.indexOf('/')
  const mount = slash === -1 ? path : path.slice(0, slash)
  const rest = slash === -1 ? '' : path.slice(slash + 1)
  const kv = engines.kv.get(mount)
  if (kv !== undefined) return kv.handle(request, rest)
  if (mount === engines.database.mount) return engines.database.handle(request, rest, token.displayName)
  return noRoute(path)
}

/** Runs one request through faults, seal, auth and routing. Undefined means: drop the connection. */
async function serve(
  incoming: Incoming,
  engines: Engines,
  faults: VaultFaultPlan,
  calls: VaultCallLog,
): Promise<VaultReply | undefined> {
  const url = new URL(incoming.url, 'http://vault.invalid')
  const method = incoming.method.toUpperCase()
  const path = decodeURIComponent(url.pathname.replace(/^\/v1\//, '')).replace(/^\/+|\/+$/g, '')
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
    const text = await incoming.body()
    if (fault !== undefined) throw new VaultHttpError(fault.status, fault.errors)
    if (!url.pathname.startsWith('/v1/')) throw new VaultHttpError(404, [])
    const list =
      method === 'LIST' || (method === 'GET' && ['true', '1'].includes(url.searchParams.get('list') ?? ''))
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

/**
 * Starts a local Vault emulator over real HTTP that answers like Vault (see WIRE-FACTS.md section A):
 * KV v2 and v1 mounts, token auth with path policies, AppRole and Kubernetes login, a database
 * engine that creates real PostgreSQL roles with leases, sealing, and fault injection.
 */
export async function startVaultEmulator(options: VaultEmulatorOptions = {}): Promise<VaultEmulator> {
  const tokens = new TokenStore()
  const root = tokens.create(
    { root: true, ...(options.rootToken === undefined ? {} : { id: options.rootToken }) },
    'auth/token/root',
  )
  const database = new DatabaseEngine(options.databaseMount ?? 'database')
  const kv = new Map<string, KvV1 | KvV2>()
  for (const [mount, version] of Object.entries(options.kvMounts ?? { secret: 2, kv: 1 })) {
    kv.set(mount, version === 1 ? new KvV1(mount) : new KvV2(mount))
  }
  const engines: Engines = {
    tokens,
    logins: new LoginMethods(tokens),
    kv,
    database,
    sys: createSysState(database),
  }
  const faults = new VaultFaultPlan()
  const calls = new VaultCallLog()

  const server = createServer((req, res) => {
    const incoming = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: () => readBody(req),
    }
    serve(incoming, engines, faults, calls).then(
      (reply) => (reply === undefined ? req.socket.destroy() : send(res, reply)),
      () => req.socket.destroy(),
    )
  })
  server.on('clientError', (error: Error & { rawPacket?: Buffer }, socket) => {
    const list = parseListRequest(error.rawPacket)
    if (list === undefined) {
      socket.destroy()
      return
    }
    serve({ method: 'LIST', ...list, body: async () => '' }, engines, faults, calls).then(
      (reply) => (reply === undefined ? socket.destroy() : sendRaw(socket, reply)),
      () => socket.destroy(),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address

  const mountOf = (o: VaultKvOptions | undefined) => {
    const name = o?.mount ?? 'secret'
    const engine = kv.get(name)
    if (engine === undefined) throw new Error(`vault emulator: no KV mount "${name}"`)
    return engine
  }
  const clean = (path: string) => path.replace(/^\/+|\/+$/g, '')

  let closed = false
  return {
    endpoint: `http://${host}:${address.port}`,
    token: root.id,
    kv: {
      write(path, data, o) {
        const engine = mountOf(o)
        if (engine instanceof KvV2) return engine.write(clean(path), data)
        engine.write(clean(path), data)
        return 0
      },
      rotate(path, data, o) {
        const engine = mountOf(o)
        if (engine instanceof KvV2 && engine.currentVersion(clean(path)) === undefined) {
          throw new Error('vault emulator: rotate() needs an existing key; use write() first')
        }
        return this.write(path, data, o)
      },
      delete(path, o) {
        const engine = mountOf(o)
        if (engine instanceof KvV2) engine.softDelete(clean(path), o?.versions)
        else engine.delete(clean(path))
      },
      destroy(path, o) {
        const engine = mountOf(o)
        if (!(engine instanceof KvV2)) throw new Error('vault emulator: destroy() needs a KV v2 mount')
        engine.destroy(clean(path), o?.versions)
      },
    },
    database: {
      mount: database.mount,
      configure: (o) => database.configure(o),
      createRole: (o) => database.createRole(o),
      leases: () => database.leases(),
      revocationErrors: database.revocationErrors,
    },
    createToken: (o) => tokens.create(o).id,
    expireTokens: (filter) => tokens.expire(filter),
    addAppRole: (o) => engines.logins.addAppRole(o),
    addKubernetesRole: (o) => engines.logins.addKubernetesRole(o),
    seal() {
      engines.sys.sealed = true
    },
    unseal() {
      engines.sys.sealed = false
    },
    get sealed() {
      return engines.sys.sealed
    },
    faults,
    calls,
    async close() {
      if (closed) return
      closed = true
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await stopped
      await database.close()
    },
  }
}
