import { createServer } from 'node:http'
import { readLimitedBody } from '../shared/body.js'
import { invalid } from '../shared/fault-plan.js'
import { httpEndpoint, listen } from '../shared/http-server.js'
import { DatabaseEngine } from './database.js'
import { VaultCallLog, VaultFaultPlan } from './faults.js'
import { parseListRequest, send, sendRaw } from './http.js'
import { type KvData, KvV1, KvV2 } from './kv.js'
import { LoginMethods } from './login.js'
import { DEFAULT_MAX_REQUEST_SIZE, type Engines, normalizeNamespace, serve } from './server.js'
import { createSysState } from './sys.js'
import { TokenStore } from './tokens.js'
import type { VaultEmulator, VaultEmulatorOptions, VaultKvOptions } from './types.js'

/**
 * Starts a local Vault emulator over real HTTP that answers like Vault (see docs/wire-facts.md#hashicorp-vault):
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
  tokens.onEnd((entry) => database.revokeLeasesOf(entry))
  const kvMounts = Object.entries(options.kvMounts ?? { secret: 2, kv: 1 })
  // Each namespace has its own KV mounts (the same names and versions), made on first use.
  const namespaces = new Map<string, Map<string, KvV1 | KvV2>>()
  const kvIn = (namespace: string): Map<string, KvV1 | KvV2> => {
    let mounts = namespaces.get(namespace)
    if (mounts === undefined) {
      mounts = new Map(
        kvMounts.map(([mount, version]) => [mount, version === 1 ? new KvV1(mount) : new KvV2(mount)]),
      )
      namespaces.set(namespace, mounts)
    }
    return mounts
  }
  const engines: Engines = {
    tokens,
    logins: new LoginMethods(tokens),
    kv: kvIn,
    database,
    sys: createSysState(database),
  }
  const faults = new VaultFaultPlan()
  const calls = new VaultCallLog()
  const maxRequestSize = options.maxRequestSize ?? DEFAULT_MAX_REQUEST_SIZE
  if (!Number.isSafeInteger(maxRequestSize) || maxRequestSize < 1) {
    invalid('startVaultEmulator option maxRequestSize', maxRequestSize, 'a positive integer number of bytes')
  }

  // Whatever goes wrong while answering ends that one connection, never the host process.
  const server = createServer((req, res) => {
    res.on('error', () => undefined)
    const incoming = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: () => readLimitedBody(req, maxRequestSize),
    }
    serve(incoming, engines, faults, calls)
      .then((reply) => (reply === undefined ? req.socket.destroy() : send(res, reply)))
      .catch(() => req.socket.destroy())
  })
  server.on('clientError', (error: Error & { rawPacket?: Buffer }, socket) => {
    const list = parseListRequest(error.rawPacket)
    if (list === undefined) {
      socket.destroy()
      return
    }
    serve({ method: 'LIST', ...list, body: async () => ({ text: '' }) }, engines, faults, calls)
      .then((reply) => (reply === undefined ? socket.destroy() : sendRaw(socket, reply)))
      .catch(() => socket.destroy())
  })
  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1')

  const mountOf = (o: VaultKvOptions | undefined) => {
    const name = o?.mount ?? 'secret'
    const engine = kvIn(normalizeNamespace(o?.namespace)).get(name)
    if (engine === undefined) throw new Error(`vault emulator: no KV mount "${name}"`)
    return engine
  }
  const clean = (path: string) => path.replace(/^\/+|\/+$/g, '')
  const write = (path: string, data: KvData, o?: VaultKvOptions): number => {
    const engine = mountOf(o)
    if (engine instanceof KvV2) return engine.write(clean(path), data)
    engine.write(clean(path), data)
    return 0
  }

  let closed = false
  return {
    endpoint: httpEndpoint(address),
    token: root.id,
    kv: {
      write,
      rotate(path, data, o) {
        const engine = mountOf(o)
        if (engine instanceof KvV2 && engine.currentVersion(clean(path)) === undefined) {
          throw new Error('vault emulator: rotate() needs an existing key; use write() first')
        }
        return write(path, data, o)
      },
      delete(path, o) {
        const engine = mountOf(o)
        if (engine instanceof KvV2) engine.softDelete(clean(path), o?.versions)
        else engine.delete(clean(path))
      },
      setMetadata(path, settings, o) {
        const engine = mountOf(o)
        if (!(engine instanceof KvV2)) throw new Error('vault emulator: setMetadata() needs a KV v2 mount')
        engine.setMetadata(clean(path), settings)
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
