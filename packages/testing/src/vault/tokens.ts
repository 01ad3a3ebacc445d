import { randomUUID } from 'node:crypto'
import { BlockList, isIPv4, isIPv6 } from 'node:net'
import { randomBase62, randomToken, timestamp } from './format.js'
import { INVALID_TOKEN, PERMISSION_DENIED, VaultHttpError, type VaultRequest } from './http.js'
import type { PolicyStore } from './policies.js'
import { allows, compile, needed, type Rule, type VaultPolicyRule } from './policy-rules.js'

export type { VaultCapability, VaultPolicyRule } from './policy-rules.js'

/** What a token may do and how long it lives. Shared by tokens, AppRole roles and Kubernetes roles. */
export interface VaultTokenOptions {
  /** Paths the token may use; a string is a path with `['read', 'list']`. @default [] (the default policy only) */
  allow?: Array<string | VaultPolicyRule>
  /**
   * Policy names, reported in `auth.policies` and lookups (besides `default`); a name written with
   * `sys/policy` grants that policy's rules. @default []
   */
  policies?: string[]
  /** TTL in seconds; 0 means Vault's system default (768 h). @default 0 */
  ttl?: number
  /** Most the token can live in seconds, renewals included. @default 2_764_800 (768 h) */
  maxTtl?: number
  /** Whether `renew-self` works. @default true */
  renewable?: boolean
  /** The token's display name, which also appears in database usernames. @default 'token' */
  displayName?: string
  /** Token metadata. @default {} */
  meta?: Record<string, string>
  /** Requests the token may make (`num_uses`); it is revoked after the last one. 0: no limit. @default 0 */
  numUses?: number
  /**
   * CIDR blocks (`'10.0.0.0/8'`, `'127.0.0.1/32'`, IPv6 too) a request must come from (`bound_cidrs`);
   * a request from elsewhere gets 403 `permission denied`. @default [] (any address)
   */
  boundCidrs?: string[]
  /** `'batch'`: not renewable, no accessor, cannot create tokens. @default 'service' */
  type?: 'service' | 'batch'
  /** The namespace the token belongs to; it works there and in the namespaces below. @default the root namespace */
  namespace?: string
}

/** Vault's system default and maximum TTL: 768 hours. */
export const SYSTEM_TTL = 2_764_800

/** A token as the emulator keeps it. */
export interface TokenEntry {
  readonly id: string
  /** `''` for a batch token (they have none). */
  readonly accessor: string
  readonly policies: string[]
  readonly rules: Rule[]
  readonly root: boolean
  readonly type: 'service' | 'batch'
  /** Seconds; 0 for a token that never expires (root). */
  readonly ttl: number
  readonly explicitMaxTtl: number
  readonly issuedAt: number
  expiresAt: number
  readonly maxExpiresAt: number
  /** A periodic token's period in seconds; 0 for none. */
  readonly period: number
  readonly renewable: boolean
  readonly displayName: string
  readonly meta: Record<string, string>
  /** The path that created it, e.g. `auth/approle/login`. */
  readonly path: string
  readonly entityId: string
  /** The token that created it; undefined for an orphan. Revoking the parent revokes it. */
  parent: TokenEntry | undefined
  readonly children: Set<TokenEntry>
  /** Uses left; 0 for no limit. */
  usesLeft: number
  readonly numUses: number
  readonly boundCidrs: string[]
  readonly role: string
  /** `X-Vault-Namespace` it was created in (`''`: the root namespace). */
  readonly namespace: string
  revoked: boolean
}

/** How a token is made, beyond its {@link VaultTokenOptions}. */
export interface TokenCreation extends VaultTokenOptions {
  root?: boolean
  id?: string
  parent?: TokenEntry
  role?: string
  namespace?: string
  /** Compiled rules to take as they are (a child inherits its parent's). */
  rules?: Rule[]
  /** Leave out the `default` policy (`no_default_policy`). */
  noDefaultPolicy?: boolean
  /** Seconds: a periodic token's TTL, reset to it at every renewal; no max TTL but `maxTtl` (explicit). */
  period?: number
}

/** When a token ends (epoch ms; Infinity for root): revoked, expired, or its parent ended. */
export function tokenEnd(entry: TokenEntry): number {
  const own = entry.revoked ? 0 : entry.expiresAt
  return entry.parent === undefined ? own : Math.min(own, tokenEnd(entry.parent))
}

/** The request's token: `X-Vault-Token`, else `Authorization: Bearer …`; `''` for none. */
export function tokenHeader(headers: Record<string, string | string[] | undefined>): string {
  const raw = headers['x-vault-token'] ?? /^Bearer\s+(.+)$/i.exec(String(headers.authorization ?? ''))?.[1]
  return (Array.isArray(raw) ? raw[0] : raw) ?? ''
}

/** `::ffff:1.2.3.4` → `1.2.3.4`. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address
}

function cidrList(cidrs: string[]): BlockList {
  const list = new BlockList()
  for (const cidr of cidrs) {
    const [address = '', bits] = cidr.split('/')
    const type = isIPv6(address) ? 'ipv6' : 'ipv4'
    if (!isIPv4(address) && !isIPv6(address)) throw new VaultHttpError(400, [`invalid CIDR: ${cidr}`])
    const prefix = bits === undefined ? (type === 'ipv4' ? 32 : 128) : Number(bits)
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (type === 'ipv4' ? 32 : 128)) {
      throw new VaultHttpError(400, [`invalid CIDR: ${cidr}`])
    }
    list.addSubnet(address, prefix, type)
  }
  return list
}

/** Tokens, their tree, policies and use counts. The `auth/token/*` endpoints are in token-endpoints.ts. */
export class TokenStore {
  readonly #tokens = new Map<string, TokenEntry>()
  readonly #byAccessor = new Map<string, TokenEntry>()
  readonly #cidrs = new WeakMap<TokenEntry, BlockList>()
  readonly #ended = new Set<(entry: TokenEntry) => void>()

  constructor(readonly policies: PolicyStore) {}

  /**
   * Calls `listener` when a token is revoked or expired by hand ({@link expire}), once per token of
   * the revoked tree. A token that runs out by itself is noticed by whoever holds its expiry (the
   * database engine's lease timers), since nothing happens in Vault at that instant but the clock.
   */
  onEnd(listener: (entry: TokenEntry) => void): void {
    this.#ended.add(listener)
  }

  /** Creates a token; `path` records which endpoint issued it. */
  create(options: TokenCreation = {}, path = 'auth/token/create'): TokenEntry {
    const now = Date.now()
    const batch = options.type === 'batch'
    const maxTtl = Math.min(options.maxTtl ?? SYSTEM_TTL, SYSTEM_TTL)
    const period = options.period ?? 0
    let ttl = options.root
      ? 0
      : period > 0
        ? Math.min(period, maxTtl)
        : Math.min(options.ttl || SYSTEM_TTL, maxTtl)
    const parentEnd = options.parent === undefined ? Number.POSITIVE_INFINITY : tokenEnd(options.parent)
    if (!options.root && parentEnd !== Number.POSITIVE_INFINITY) {
      ttl = Math.max(0, Math.min(ttl, Math.floor((parentEnd - now) / 1000)))
    }
    const cidrs = options.boundCidrs ?? []
    const entry: TokenEntry = {
      id: options.id ?? (batch ? `hvb.${randomBase62(24)}` : randomToken()),
      accessor: batch ? '' : randomBase62(24),
      policies: options.root
        ? ['root']
        : // Sorted and without duplicates, as Vault's SanitizePolicies leaves them.
          [...new Set([...(options.noDefaultPolicy ? [] : ['default']), ...(options.policies ?? [])])].sort(),
      rules: options.rules ?? (options.allow ?? []).map(compile),
      root: options.root === true,
      type: batch ? 'batch' : 'service',
      ttl,
      explicitMaxTtl: options.maxTtl === undefined ? 0 : maxTtl,
      issuedAt: now,
      expiresAt: options.root ? Number.POSITIVE_INFINITY : now + ttl * 1000,
      // A periodic token has no max TTL unless an explicit one is set.
      maxExpiresAt:
        options.root || (period > 0 && options.maxTtl === undefined)
          ? Number.POSITIVE_INFINITY
          : now + maxTtl * 1000,
      period,
      renewable: options.root || batch ? false : options.renewable !== false,
      displayName: options.displayName ?? (options.root ? 'root' : 'token'),
      meta: { ...options.meta },
      path,
      entityId: options.root ? '' : (options.parent?.entityId ?? randomUUID()),
      parent: options.parent,
      children: new Set(),
      usesLeft: options.numUses ?? 0,
      numUses: options.numUses ?? 0,
      boundCidrs: [...cidrs],
      role: options.role ?? '',
      namespace: options.namespace ?? '',
      revoked: false,
    }
    if (cidrs.length > 0) this.#cidrs.set(entry, cidrList(cidrs))
    options.parent?.children.add(entry)
    this.#tokens.set(entry.id, entry)
    if (entry.accessor !== '') this.#byAccessor.set(entry.accessor, entry)
    return entry
  }

  /** A live token by id or accessor; undefined when unknown, revoked or expired. */
  find(by: { id?: string; accessor?: string }): TokenEntry | undefined {
    const entry =
      by.id !== undefined ? this.#tokens.get(by.id) : this.#byAccessor.get(by.accessor ?? '\u0000')
    return entry !== undefined && tokenEnd(entry) > Date.now() ? entry : undefined
  }

  /** Accessors of live tokens, for `LIST auth/token/accessors`. */
  accessors(): string[] {
    const now = Date.now()
    return [...this.#byAccessor.values()].filter((e) => tokenEnd(e) > now).map((e) => e.accessor)
  }

  /** Marks matching tokens as expired now, and revokes their trees. Returns how many. */
  expire(filter: { token?: string; path?: string } = {}): number {
    let count = 0
    const now = Date.now()
    for (const entry of [...this.#tokens.values()]) {
      if (entry.root || tokenEnd(entry) <= now) continue
      if (filter.token !== undefined && entry.id !== filter.token) continue
      if (filter.path !== undefined && !entry.path.startsWith(filter.path)) continue
      entry.expiresAt = now
      this.revoke(entry)
      count++
    }
    return count
  }

  /** Revokes every token of a deleted namespace (and of the namespaces below it). */
  revokeNamespace(namespace: string): void {
    for (const entry of [...this.#tokens.values()]) {
      if (entry.namespace === namespace || entry.namespace.startsWith(`${namespace}/`)) this.revoke(entry)
    }
  }

  /**
   * Revokes a token and, unless `orphanChildren`, every token below it; each one's leases go with
   * it (the `onEnd` listeners). With `orphanChildren` the direct children become orphans.
   */
  revoke(entry: TokenEntry, orphanChildren = false): void {
    if (orphanChildren) {
      for (const child of entry.children) child.parent = undefined
      entry.children.clear()
    }
    for (const child of [...entry.children]) this.revoke(child)
    entry.children.clear()
    entry.parent?.children.delete(entry)
    const wasLive = !entry.revoked
    entry.revoked = true
    if (wasLive) for (const listener of this.#ended) listener(entry)
  }

  /** The valid token in the request's `X-Vault-Token` or `Authorization: Bearer` header; 403 otherwise. */
  authenticate(headers: Record<string, string | string[] | undefined>, remoteAddress = ''): TokenEntry {
    const id = tokenHeader(headers)
    if (id === '') throw new VaultHttpError(403, ['permission denied'])
    const entry = this.#tokens.get(id)
    if (entry === undefined) throw new VaultHttpError(403, ['permission denied'])
    if (tokenEnd(entry) <= Date.now()) throw new VaultHttpError(403, [INVALID_TOKEN])
    // bound_cidrs: a request from an address outside every block is refused (not for a root token without a TTL).
    const cidrs = this.#cidrs.get(entry)
    if (cidrs !== undefined && !(entry.root && entry.ttl === 0)) {
      const address = plainAddress(remoteAddress)
      if (!cidrs.check(address, isIPv6(address) ? 'ipv6' : 'ipv4')) {
        throw new VaultHttpError(403, ['permission denied'])
      }
    }
    return entry
  }

  /** Counts one use of a use-limited token; true when that was its last (revoke it after the request). */
  use(entry: TokenEntry): boolean {
    if (entry.numUses === 0) return false
    entry.usesLeft = Math.max(0, entry.usesLeft - 1)
    return entry.usesLeft === 0
  }

  /** The token's rules: its own, then those of each policy it names. */
  rulesOf(entry: TokenEntry): Rule[] {
    return [...entry.rules, ...entry.policies.flatMap((name) => this.policies.rulesOf(name))]
  }

  /** Throws 403 unless the token's policies allow the request. */
  authorize(entry: TokenEntry, request: VaultRequest): void {
    if (entry.root) return
    if (!allows(this.rulesOf(entry), request.path, needed(request))) {
      throw new VaultHttpError(403, [PERMISSION_DENIED])
    }
  }

  /** Root, or `sudo` on `path`. */
  hasSudo(entry: TokenEntry, path: string): boolean {
    return entry.root || allows(this.rulesOf(entry), path, ['sudo'])
  }

  /** Seconds left (0 for a token that never expires). */
  remaining(entry: TokenEntry): number {
    const end = tokenEnd(entry)
    if (end === Number.POSITIVE_INFINITY) return 0
    return Math.max(0, Math.round((end - Date.now()) / 1000))
  }

  /** The `auth` object of a login, token creation or renewal (docs/wire-facts.md#vault-response-envelope). */
  authBlock(entry: TokenEntry, metadata: Record<string, string> | null): object {
    return {
      client_token: entry.id,
      accessor: entry.accessor,
      policies: entry.policies,
      token_policies: entry.policies,
      metadata,
      lease_duration: this.remaining(entry),
      renewable: entry.renewable,
      entity_id: entry.entityId,
      token_type: entry.type,
      orphan: entry.parent === undefined,
      mfa_requirement: null,
      num_uses: entry.numUses,
    }
  }

  /** Lookup data as Vault answers it (`id` is `''` when looked up by accessor). */
  lookup(entry: TokenEntry, withId = true): object {
    return {
      accessor: entry.accessor,
      ...(entry.boundCidrs.length > 0 ? { bound_cidrs: entry.boundCidrs } : {}),
      creation_time: Math.floor(entry.issuedAt / 1000),
      creation_ttl: entry.ttl,
      display_name: entry.displayName,
      entity_id: entry.entityId,
      expire_time: entry.expiresAt === Number.POSITIVE_INFINITY ? null : timestamp(tokenEnd(entry)),
      explicit_max_ttl: entry.explicitMaxTtl,
      id: withId ? entry.id : '',
      issue_time: timestamp(entry.issuedAt),
      meta: Object.keys(entry.meta).length === 0 ? null : entry.meta,
      num_uses: entry.usesLeft,
      orphan: !entry.root && entry.parent === undefined,
      path: entry.path,
      ...(entry.period > 0 ? { period: entry.period } : {}),
      policies: entry.policies,
      renewable: entry.renewable,
      ...(entry.role === '' ? {} : { role: entry.role }),
      ttl: this.remaining(entry),
      type: entry.type,
    }
  }
}
