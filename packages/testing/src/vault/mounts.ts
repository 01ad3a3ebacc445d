import { parseDuration } from './format.js'
import {
  badRequest,
  type Envelope,
  envelope,
  noContent,
  unsupported,
  type VaultReply,
  type VaultRequest,
} from './http.js'
import { KvV1, KvV2 } from './kv.js'

/** Paths Vault reserves for its own mounts. */
const RESERVED = new Set(['sys', 'auth', 'cubbyhole', 'identity'])

/** What `sys/mounts` needs to see of a namespace. */
export interface MountTable {
  kv: Map<string, KvV1 | KvV2>
  /** The database engine's mount, or undefined when this namespace has none. */
  databaseMount: string | undefined
}

function kvVersion(body: Record<string, unknown>): 1 | 2 | undefined {
  const type = body.type
  const options = body.options as { version?: unknown } | undefined
  if (type === 'kv-v2') return 2
  if (type === 'kv') return String(options?.version ?? '1') === '2' ? 2 : 1
  return undefined
}

function seconds(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '' || value === 'system') return undefined
  const parsed = parseDuration(value)
  if (parsed === undefined) badRequest(`invalid ${name}`)
  return parsed
}

function describe(engine: KvV1 | KvV2): object {
  return {
    accessor: engine.accessor,
    config: {
      default_lease_ttl: engine.tune.defaultLeaseTtl,
      force_no_cache: false,
      max_lease_ttl: engine.tune.maxLeaseTtl,
    },
    description: engine.tune.description,
    external_entropy_access: false,
    local: false,
    options: { version: String(engine.version) },
    plugin_version: '',
    running_plugin_version: 'v0.17.0+builtin',
    running_sha256: '',
    seal_wrap: false,
    type: 'kv',
  }
}

function other(type: string, description: string): object {
  return {
    accessor: `${type}_00000000`,
    config: { default_lease_ttl: 0, force_no_cache: false, max_lease_ttl: 0 },
    description,
    external_entropy_access: false,
    local: type === 'cubbyhole',
    options: null,
    plugin_version: '',
    running_plugin_version: `v1.17.0+builtin.vault`,
    running_sha256: '',
    seal_wrap: false,
    type,
  }
}

/** `data`'s fields at the top level too, as Vault's `sys/mounts` answers. */
function legacy(data: Record<string, unknown>): VaultReply {
  const body: Envelope & Record<string, unknown> = { ...data, ...envelope({ data }) }
  return { status: 200, body }
}

/**
 * `sys/mounts` (list), `sys/mounts/<path>` (enable a `kv` v1/v2 mount, disable) and
 * `sys/mounts/<path>/tune` (docs/wire-facts.md#vault-policies-mounts-and-namespaces).
 */
export function handleMounts(request: VaultRequest, table: MountTable): VaultReply {
  const rest = request.path.replace(/^sys\/mounts\/?/, '').replace(/\/+$/, '')
  if (rest === '') {
    if (request.method !== 'GET') unsupported()
    const data: Record<string, unknown> = {}
    for (const [name, engine] of [...table.kv].sort(([a], [b]) => a.localeCompare(b))) {
      data[`${name}/`] = describe(engine)
    }
    if (table.databaseMount !== undefined) data[`${table.databaseMount}/`] = other('database', '')
    data['cubbyhole/'] = other('cubbyhole', 'per-token private secret storage')
    data['identity/'] = other('identity', 'identity store')
    data['sys/'] = other('system', 'system endpoints used for control, policy and debugging')
    return legacy(data)
  }
  const tune = rest.endsWith('/tune')
  const path = tune ? rest.slice(0, -'/tune'.length) : rest
  const engine = table.kv.get(path)
  if (tune) {
    if (engine === undefined) badRequest(`cannot fetch sysview for path "${path}/"`)
    if (request.method === 'GET') {
      return legacy({
        default_lease_ttl: engine.tune.defaultLeaseTtl,
        description: engine.tune.description,
        force_no_cache: false,
        max_lease_ttl: engine.tune.maxLeaseTtl,
        options: { version: String(engine.version) },
      })
    }
    if (request.method !== 'POST' && request.method !== 'PUT') unsupported()
    const body = request.body ?? {}
    const defaultTtl = seconds(body.default_lease_ttl, 'default_lease_ttl')
    const maxTtl = seconds(body.max_lease_ttl, 'max_lease_ttl')
    if (defaultTtl !== undefined) engine.tune.defaultLeaseTtl = defaultTtl
    if (maxTtl !== undefined) engine.tune.maxLeaseTtl = maxTtl
    if (typeof body.description === 'string') engine.tune.description = body.description
    return noContent
  }
  switch (request.method) {
    case 'POST':
    case 'PUT': {
      const body = request.body ?? {}
      if (typeof body.type !== 'string' || body.type === '')
        badRequest('backend type must be specified as a string')
      // A mount may not sit inside another one, nor another one inside it.
      const taken = [
        ...table.kv.keys(),
        ...RESERVED,
        ...(table.databaseMount ? [table.databaseMount] : []),
      ].find((name) => name === path || path.startsWith(`${name}/`) || name.startsWith(`${path}/`))
      if (taken !== undefined) badRequest(`path is already in use at ${taken}/`)
      const version = kvVersion(body)
      if (version === undefined) badRequest(`plugin not found in the catalog: ${body.type}`)
      const created = version === 2 ? new KvV2(path) : new KvV1(path)
      const config = (body.config ?? {}) as Record<string, unknown>
      created.tune.defaultLeaseTtl = seconds(config.default_lease_ttl, 'default_lease_ttl') ?? 0
      created.tune.maxLeaseTtl = seconds(config.max_lease_ttl, 'max_lease_ttl') ?? 0
      if (typeof body.description === 'string') created.tune.description = body.description
      table.kv.set(path, created)
      return noContent
    }
    case 'DELETE':
      if (RESERVED.has(path)) badRequest(`cannot unmount "${path}/"`)
      table.kv.delete(path)
      return noContent
    default:
      return unsupported()
  }
}
