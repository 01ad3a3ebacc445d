import { parseDuration } from './format.js'
import {
  badRequest,
  noContent,
  noRoute,
  notFound,
  ok,
  PERMISSION_DENIED,
  VaultHttpError,
  type VaultReply,
  type VaultRequest,
} from './http.js'
import { type TokenRole, TokenRoles } from './token-roles.js'
import { type TokenCreation, type TokenEntry, type TokenStore, tokenEnd } from './tokens.js'

/** Go's `%q` of a `[]string`: `["a" "b"]`. */
function goQuoted(values: string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(' ')}]`
}

function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (Array.isArray(value)) return value.map(String).filter((s) => s !== '')
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

function seconds(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined
  const parsed = parseDuration(value)
  if (parsed === undefined) badRequest(`"${name}" value could not be parsed`)
  return parsed
}

function field(body: Record<string, unknown> | undefined, name: string): string {
  const value = body?.[name]
  return typeof value === 'string' ? value : ''
}

/** The policies of a token created under a role (Vault's `handleCreateCommon` rules). */
function rolePolicies(role: TokenRole, requested: string[] | undefined, parent: TokenEntry): string[] {
  const withDefault = !role.noDefaultPolicy && !role.disallowedPolicies.includes('default')
  const sanitize = (list: string[]) => [...new Set([...(withDefault ? ['default'] : []), ...list])].sort()
  let policies = requested === undefined ? undefined : sanitize(requested)
  if (role.allowedPolicies.length > 0) {
    const allowed = sanitize(role.allowedPolicies)
    if (policies === undefined) policies = allowed
    else if (!policies.every((p) => allowed.includes(p))) {
      badRequest(
        `token policies (${goQuoted(policies)}) must be subset of the role's allowed policies (${goQuoted(allowed)})`,
      )
    }
  } else if (policies === undefined) {
    policies = sanitize(parent.policies.filter((p) => p !== 'root'))
  }
  for (const policy of policies) {
    if (role.disallowedPolicies.includes(policy))
      badRequest(`token policy "${policy}" is disallowed by this role`)
  }
  return policies
}

/** The `auth/token/*` endpoints (docs/wire-facts.md#vault-token-management). */
export class TokenEndpoints {
  readonly roles = new TokenRoles()

  constructor(readonly store: TokenStore) {}

  handle(request: VaultRequest, caller: TokenEntry, namespace: string): VaultReply {
    const action = request.path.slice('auth/token/'.length)
    if (action === 'roles' || action.startsWith('roles/')) {
      return this.roles.handle(request, action.slice('roles/'.length).replace(/^roles$/, ''))
    }
    if (action === 'accessors') {
      if (!request.list) noRoute(request.path)
      this.#sudo(caller, request.path)
      const keys = this.store.accessors()
      if (keys.length === 0) notFound()
      return ok({ data: { keys } })
    }
    if (action === 'lookup-self') return ok({ data: this.store.lookup(caller), mount_type: 'token' })
    if (request.method !== 'POST' && request.method !== 'PUT') return noRoute(request.path)
    if (action === 'create' || action === 'create-orphan') {
      return this.#create(request, caller, namespace, action === 'create-orphan', undefined)
    }
    if (action.startsWith('create/')) {
      const name = action.slice('create/'.length)
      const role = this.roles.get(name)
      if (role === undefined) badRequest(`unknown role ${name}`)
      return this.#create(request, caller, namespace, false, role)
    }
    switch (action) {
      case 'lookup':
        return ok({ data: this.store.lookup(this.#byToken(request, 403)), mount_type: 'token' })
      case 'lookup-accessor':
        return ok({ data: this.store.lookup(this.#byAccessor(request), false), mount_type: 'token' })
      case 'renew-self':
        return this.#renew(caller, request.body?.increment, true)
      case 'renew':
        return this.#renew(this.#byToken(request, 400), request.body?.increment, true)
      case 'renew-accessor':
        return this.#renew(this.#byAccessor(request), request.body?.increment, false)
      case 'revoke-self':
        return this.#revoke(caller)
      case 'revoke':
        return this.#revokeOptional(field(request.body, 'token'))
      case 'revoke-accessor':
        return this.#revoke(this.#byAccessor(request))
      case 'revoke-orphan': {
        this.#sudo(caller, request.path)
        const token = this.store.find({ id: field(request.body, 'token') })
        if (token !== undefined) this.#revoke(token, true)
        return noContent
      }
      default:
        return noRoute(request.path)
    }
  }

  #sudo(caller: TokenEntry, path: string): void {
    if (!this.store.hasSudo(caller, path)) throw new VaultHttpError(403, [PERMISSION_DENIED])
  }

  /** `token` from the body: 403 `bad token` (lookup) or 400 `token not found` (renew) when it is not live. */
  #byToken(request: VaultRequest, status: 400 | 403): TokenEntry {
    const id = field(request.body, 'token')
    if (id === '') badRequest('missing token')
    const entry = this.store.find({ id })
    if (entry === undefined)
      throw new VaultHttpError(status, [status === 403 ? 'bad token' : 'token not found'])
    return entry
  }

  #byAccessor(request: VaultRequest): TokenEntry {
    const accessor = field(request.body, 'accessor')
    if (accessor === '') badRequest('missing accessor')
    const entry = this.store.find({ accessor })
    if (entry === undefined) badRequest('invalid accessor')
    return entry
  }

  #revoke(entry: TokenEntry, orphanChildren = false): VaultReply {
    if (entry.type === 'batch') badRequest('batch tokens cannot be revoked')
    this.store.revoke(entry, orphanChildren)
    return noContent
  }

  /** `revoke` of a token that is not there is a no-op, as in Vault. */
  #revokeOptional(id: string): VaultReply {
    if (id === '') badRequest('missing token')
    const entry = this.store.find({ id })
    return entry === undefined ? noContent : this.#revoke(entry)
  }

  #create(
    request: VaultRequest,
    parent: TokenEntry,
    namespace: string,
    orphan: boolean,
    role: TokenRole | undefined,
  ): VaultReply {
    if (parent.type === 'batch') badRequest('batch tokens cannot create more tokens')
    if (parent.numUses > 0) badRequest('restricted use token cannot generate child tokens')
    const body = request.body ?? {}
    const sudo = this.store.hasSudo(parent, request.path)
    const requestedType = field(body, 'type')
    let type = requestedType === '' ? 'service' : requestedType
    if (role !== undefined) {
      if (role.tokenType === 'service' || role.tokenType === 'batch') type = role.tokenType
      else if (role.tokenType === 'default-batch' && requestedType === '') type = 'batch'
    }
    if (type !== 'service' && type !== 'batch') badRequest("invalid 'token_type' value")
    const numUses = role?.numUses || Number(body.num_uses ?? 0)
    if (!Number.isInteger(numUses)) badRequest('invalid num_uses')
    if (type === 'batch' && numUses !== 0) badRequest('batch tokens cannot have "num_uses" set')
    if (type === 'batch' && (seconds(body.explicit_max_ttl, 'explicit_max_ttl') ?? 0) !== 0) {
      badRequest('batch tokens cannot have "explicit_max_ttl" set')
    }
    const period = role?.period || seconds(body.period, 'period')
    if (type === 'batch' && (period ?? 0) !== 0) badRequest('batch tokens cannot have "period" set')
    if (numUses < 0) badRequest('number of uses cannot be negative')
    if (field(body, 'id') !== '' && !sudo) badRequest('root or sudo privileges required to specify token id')
    const requested = stringList(body.policies)
    const noDefault = body.no_default_policy === true || body.no_default_policy === 'true'
    let policies: string[]
    let inherit = false
    if (role !== undefined && (role.allowedPolicies.length > 0 || role.disallowedPolicies.length > 0)) {
      policies = rolePolicies(role, requested, parent)
    } else if (requested === undefined) {
      policies = parent.policies
      inherit = true
    } else {
      const own = parent.policies.filter((p) => p !== 'default')
      if (!sudo && !requested.filter((p) => p !== 'default').every((p) => own.includes(p))) {
        badRequest('child policies must be subset of parent')
      }
      // `default` comes along for a sudo caller, else when the parent has it.
      const addDefault = sudo || parent.policies.includes('default')
      policies = addDefault ? [...requested, 'default'] : requested
    }
    if (noDefault) policies = policies.filter((p) => p !== 'default')
    const root = policies.includes('root')
    if (root && !parent.root) badRequest('root tokens may not be created without parent token being root')
    if (root && type === 'batch') badRequest('batch tokens cannot be root tokens')
    const noParent = body.no_parent === true || body.no_parent === 'true'
    if (role === undefined && noParent && !sudo) {
      badRequest('root or sudo privileges required to create orphan token')
    }
    const isOrphan = role !== undefined ? role.orphan : orphan || noParent
    const ttl = role?.ttl || seconds(body.ttl ?? body.lease, 'ttl')
    const explicitMax = role?.explicitMaxTtl || seconds(body.explicit_max_ttl, 'explicit_max_ttl')
    const maxTtl = explicitMax || role?.maxTtl || undefined
    if (role === undefined && period !== undefined && period > 0 && !sudo) {
      badRequest('root or sudo privileges required to create periodic token')
    }
    const displayName = field(body, 'display_name')
    const cidrs = role?.boundCidrs.length ? role.boundCidrs : isOrphan ? [] : parent.boundCidrs
    const meta = body.meta
    const options: TokenCreation = {
      ...(field(body, 'id') === '' ? {} : { id: field(body, 'id') }),
      root,
      policies: root ? ['root'] : policies,
      noDefaultPolicy: !policies.includes('default'),
      ...(inherit ? { rules: parent.rules } : {}),
      ...(ttl === undefined ? {} : { ttl }),
      ...(maxTtl === undefined ? {} : { maxTtl }),
      ...(period === undefined || period === 0 ? {} : { period }),
      renewable: body.renewable !== false && body.renewable !== 'false' && role?.renewable !== false,
      displayName: displayName === '' ? 'token' : `token-${displayName}`.replace(/[^a-zA-Z0-9-]/g, '-'),
      meta: typeof meta === 'object' && meta !== null ? (meta as Record<string, string>) : {},
      numUses,
      boundCidrs: cidrs,
      type,
      namespace,
      ...(isOrphan ? {} : { parent }),
      ...(role === undefined ? {} : { role: role.name }),
    }
    const path =
      role === undefined
        ? request.path
        : `auth/token/create/${role.name}${role.pathSuffix === '' ? '' : `/${role.pathSuffix}`}`
    const entry = this.store.create(options, path)
    const metadata = Object.keys(entry.meta).length === 0 ? null : entry.meta
    return ok({ auth: this.store.authBlock(entry, metadata), mount_type: 'token' })
  }

  #renew(entry: TokenEntry, increment: unknown, withId: boolean): VaultReply {
    if (entry.type === 'batch') badRequest('batch tokens cannot be renewed')
    if (!entry.renewable) badRequest('lease is not renewable')
    const now = Date.now()
    // A periodic token is renewed to its period whatever the increment.
    const requested = entry.period > 0 ? entry.period : (parseIncrement(increment) ?? entry.ttl)
    const room = Math.max(0, Math.floor((Math.min(entry.maxExpiresAt, parentEnd(entry)) - now) / 1000))
    const granted = Math.min(requested, room)
    entry.expiresAt = now + granted * 1000
    const warnings =
      granted < requested
        ? [
            `TTL of "${requested}s" exceeded the effective max_ttl of "${granted}s"; TTL value is capped accordingly`,
          ]
        : null
    const auth = this.store.authBlock(entry, Object.keys(entry.meta).length === 0 ? null : entry.meta)
    return ok({ auth: withId ? auth : { ...auth, client_token: '' }, warnings, mount_type: 'token' })
  }
}

function parentEnd(entry: TokenEntry): number {
  return entry.parent === undefined ? Number.POSITIVE_INFINITY : tokenEnd(entry.parent)
}

function parseIncrement(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '' || value === 0) return undefined
  const seconds = parseDuration(value)
  if (seconds === undefined) badRequest('invalid increment')
  return seconds
}
