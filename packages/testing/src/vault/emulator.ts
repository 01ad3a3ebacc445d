import { createServer } from 'node:http'
import { readLimitedBody } from '../shared/body.js'
import { invalid } from '../shared/fault-plan.js'
import { httpEndpoint, listen } from '../shared/http-server.js'
import { DatabaseEngine } from './database.js'
import { VaultCallLog, VaultFaultPlan } from './faults.js'
import { parseListRequest, send, sendRaw, VaultHttpError } from './http.js'
import { type KvData, KvV2 } from './kv.js'
import { checkCustomMetadata } from './kv-metadata.js'
import { LoginMethods } from './login.js'
import { Namespaces } from './namespaces.js'
import { PolicyStore } from './policies.js'
import { DEFAULT_MAX_REQUEST_SIZE, type Engines, normalizeNamespace, serve } from './server.js'
import { createSysState } from './sys.js'
import { TokenEndpoints } from './token-endpoints.js'
import { TokenStore } from './tokens.js'
import type { VaultEmulator, VaultEmulatorOptions, VaultKvOptions } from './types.js'
import { Wrapping } from './wrapping.js'

/** Runs a helper's check; what Vault would answer 400 becomes an `InvalidOptionsError` naming the option. */
function helperChecked<T>(check: () => T, option: string, value: unknown, allowed: string): T {
  try {
    return check()
  } catch (error) {
    if (error instanceof VaultHttpError)
      invalid(option, value, `${allowed} (${error.errors[0] ?? 'refused'})`)
    throw error
  }
}

/**
 * Starts a local Vault emulator over real HTTP that answers like Vault (see docs/wire-facts.md#hashicorp-vault):
 * KV v2 and v1 mounts (custom metadata, mounts enabled at run time), token management (child,
 * orphan, role, batch, periodic, use-limited and CIDR-bound tokens) checked against ACL policies,
 * namespaces with their own mounts, logins, tokens and database engine, response wrapping,
 * AppRole and Kubernetes login, a database engine that creates real PostgreSQL roles with leases
 * and rotates static roles, sealing, and fault injection.
 */
export async function startVaultEmulator(options: VaultEmulatorOptions = {}): Promise<VaultEmulator> {
  const policies = new PolicyStore()
  const tokens = new TokenStore(policies)
  const root = tokens.create(
    { root: true, ...(options.rootToken === undefined ? {} : { id: options.rootToken }) },
    'auth/token/root',
  )
  const databaseMount = options.databaseMount ?? 'database'
  // Each namespace may have its own database engine (the root namespace always has one).
  const databases = new Map<string, DatabaseEngine>([['', new DatabaseEngine(databaseMount)]])
  const databaseIn = (namespace: string): DatabaseEngine => {
    let engine = databases.get(namespace)
    if (engine === undefined) {
      engine = new DatabaseEngine(databaseMount)
      databases.set(namespace, engine)
    }
    return engine
  }
  tokens.onEnd((entry) => {
    for (const engine of databases.values()) engine.revokeLeasesOf(entry)
  })
  const namespaces = new Namespaces(Object.entries(options.kvMounts ?? { secret: 2, kv: 1 }))
  namespaces.onDelete((namespace) => {
    tokens.revokeNamespace(namespace)
    const engine = databases.get(namespace)
    databases.delete(namespace)
    void engine?.close().catch(() => undefined)
  })
  const engines: Engines = {
    tokens,
    tokenEndpoints: new TokenEndpoints(tokens),
    policies,
    logins: new LoginMethods(tokens),
    namespaces,
    database: (namespace) => databases.get(namespace),
    databaseMount,
    wrapping: new Wrapping(),
    sys: createSysState(() => databases.values()),
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
      remoteAddress: req.socket.remoteAddress ?? '',
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
    const remoteAddress = (socket as { remoteAddress?: string }).remoteAddress ?? ''
    serve(
      { method: 'LIST', ...list, remoteAddress, body: async () => ({ text: '' }) },
      engines,
      faults,
      calls,
    )
      .then((reply) => (reply === undefined ? socket.destroy() : sendRaw(socket, reply)))
      .catch(() => socket.destroy())
  })
  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1')

  const mountOf = (o: VaultKvOptions | undefined) => {
    const name = o?.mount ?? 'secret'
    const engine = namespaces.kv(normalizeNamespace(o?.namespace)).get(name)
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
        const custom = settings.customMetadata
        engine.setMetadata(clean(path), {
          ...settings,
          ...(custom === undefined || custom === null
            ? {}
            : {
                customMetadata: helperChecked(
                  () => checkCustomMetadata(custom),
                  'kv.setMetadata customMetadata',
                  custom,
                  'a map of up to 64 printable strings (keys ≤ 128 bytes, values ≤ 512 bytes)',
                ),
              }),
        })
      },
      destroy(path, o) {
        const engine = mountOf(o)
        if (!(engine instanceof KvV2)) throw new Error('vault emulator: destroy() needs a KV v2 mount')
        engine.destroy(clean(path), o?.versions)
      },
    },
    database: {
      mount: databaseMount,
      configure: (o) => databaseIn(normalizeNamespace(o.namespace)).configure(o),
      createRole: (o) => databaseIn(normalizeNamespace(o.namespace)).createRole(o),
      createStaticRole: async (o) => {
        if (typeof o?.name !== 'string' || o.name === '' || o.name.includes('/')) {
          invalid('database.createStaticRole name', o?.name, 'a role name without "/"')
        }
        if (typeof o.username !== 'string' || o.username === '') {
          invalid('database.createStaticRole username', o.username, 'the name of an existing database user')
        }
        if (!Number.isInteger(o.rotationPeriod) || o.rotationPeriod < 5) {
          invalid(
            'database.createStaticRole rotationPeriod',
            o.rotationPeriod,
            'an integer number of seconds, at least 5 (as Vault)',
          )
        }
        await databaseIn(normalizeNamespace(o.namespace)).createStaticRole(o)
      },
      leases: () => [...databases.values()].flatMap((engine) => engine.leases()),
      get revocationErrors() {
        return [...databases.values()].flatMap((engine) => engine.revocationErrors)
      },
    },
    createToken: (o) => {
      if (o?.numUses !== undefined && (!Number.isSafeInteger(o.numUses) || o.numUses < 0)) {
        invalid('createToken numUses', o.numUses, 'a non-negative integer (0: no limit)')
      }
      if (o?.type !== undefined && o.type !== 'service' && o.type !== 'batch') {
        invalid('createToken type', o.type, "'service' or 'batch'")
      }
      const create = () => tokens.create({ ...o, namespace: normalizeNamespace(o?.namespace) }).id
      return helperChecked(
        create,
        'createToken boundCidrs',
        o?.boundCidrs,
        'CIDR blocks such as "10.0.0.0/8"',
      )
    },
    writePolicy: (name, policy) => {
      if (typeof name !== 'string' || name === '' || name === 'root') {
        invalid('writePolicy name', name, "a policy name other than 'root'")
      }
      helperChecked(
        () => policies.write(name.toLowerCase(), policy),
        'writePolicy policy',
        policy,
        'an HCL or JSON policy document',
      )
    },
    expireTokens: (filter) => tokens.expire(filter),
    addAppRole: (o) => {
      if (o.namespace !== undefined) namespaces.kv(normalizeNamespace(o.namespace))
      return engines.logins.addAppRole(o)
    },
    addKubernetesRole: (o) => {
      if (o.namespace !== undefined) namespaces.kv(normalizeNamespace(o.namespace))
      return engines.logins.addKubernetesRole(o)
    },
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
      await Promise.all([...databases.values()].map((engine) => engine.close()))
    },
  }
}
