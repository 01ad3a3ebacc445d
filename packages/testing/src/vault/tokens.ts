import { randomUUID } from 'node:crypto'
import { parseDuration, randomBase62, randomToken, timestamp } from './format.js'
import {
  badRequest,
  INVALID_TOKEN,
  noContent,
  noRoute,
  ok,
  PERMISSION_DENIED,
  VaultHttpError,
  type VaultReply,
  type VaultRequest,
} from './http.js'

/** A policy capability (Vault's names). */
export type VaultCapability = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo' | 'deny'

/**
 * One policy rule. `path` is a Vault API path without `/v1/` (KV v2 paths include `data/`):
 * a trailing `*` matches any suffix and `+` matches one path segment.
 */
export interface VaultPolicyRule {
  path: string
  /** @default ['read', 'list'] */
  capabilities?: VaultCapability[]
}

/** What a token may do and how long it lives. Shared by tokens, AppRole roles and Kubernetes roles. */
export interface VaultTokenOptions {
  /** Paths the token may use; a string is a path with `['read', 'list']`. @default [] (the default policy only) */
  allow?: Array<string | VaultPolicyRule>
  /** Policy names reported in `auth.policies` and lookups (besides `default`). @default [] */
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
}

/** Vault's system default and maximum TTL: 768 hours. */
export const SYSTEM_TTL = 2_764_800

interface Rule {
  pattern: RegExp
  capabilities: Set<VaultCapability>
}

/** A token as the emulator keeps it. */
export interface TokenEntry {
  readonly id: string
  readonly accessor: string
  readonly policies: string[]
  readonly rules: Rule[]
  readonly root: boolean
  /** Seconds; 0 for a token that never expires (root). */
  readonly ttl: number
  readonly explicitMaxTtl: number
  readonly issuedAt: number
  expiresAt: number
  readonly maxExpiresAt: number
  readonly renewable: boolean
  readonly displayName: string
  readonly meta: Record<string, string>
  /** The path that created it, e.g. `auth/approle/login`. */
  readonly path: string
  readonly entityId: string
  revoked: boolean
}

/** What every non-root token may do: Vault's `default` policy (the parts the emulator serves). */
const DEFAULT_RULES: VaultPolicyRule[] = [
  { path: 'auth/token/lookup-self', capabilities: ['read'] },
  { path: 'auth/token/renew-self', capabilities: ['update'] },
  { path: 'auth/token/revoke-self', capabilities: ['update'] },
  { path: 'sys/leases/renew', capabilities: ['update'] },
  { path: 'sys/leases/lookup', capabilities: ['update'] },
  { path: 'sys/renew', capabilities: ['update'] },
]

function compile(rule: string | VaultPolicyRule): Rule {
  const { path, capabilities = ['read', 'list'] } = typeof rule === 'string' ? { path: rule } : rule
  const clean = path.replace(/^\/+/, '')
  const prefix = clean.endsWith('*')
  const body = (prefix ? clean.slice(0, -1) : clean)
    .split('+')
    .map((part) => part.replace(/[.*?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+')
  return { pattern: new RegExp(`^${body}${prefix ? '.*' : ''}$`), capabilities: new Set(capabilities) }
}

/** The capability a request needs (POST/PUT pass with either `create` or `update`). */
function needed(request: VaultRequest): VaultCapability[] {
  if (request.list) return ['list']
  switch (request.method) {
    case 'GET':
    case 'HEAD':
      return ['read']
    case 'DELETE':
      return ['delete']
    case 'PATCH':
      return ['patch', 'update']
    default:
      return ['create', 'update']
  }
}

/** When a token ends: `now` for one revoked or expired by hand, else its expiry (epoch ms; Infinity for root). */
export function tokenEnd(entry: TokenEntry): number {
  return entry.revoked ? 0 : entry.expiresAt
}

/** Tokens, their policies and the `auth/token/*` endpoints. */
export class TokenStore {
  readonly #tokens = new Map<string, TokenEntry>()
  readonly #defaultRules = DEFAULT_RULES.map(compile)
  readonly #ended = new Set<(entry: TokenEntry) => void>()

  /**
   * Calls `listener` when a token is revoked (`revoke-self`) or expired by hand ({@link expire}).
   * A token that runs out by itself is noticed by whoever holds its expiry (the database engine's
   * lease timers), since nothing happens in Vault at that instant but the clock.
   */
  onEnd(listener: (entry: TokenEntry) => void): void {
    this.#ended.add(listener)
  }

  #end(entry: TokenEntry): void {
    for (const listener of this.#ended) listener(entry)
  }

  /** Creates a token; `path` records which endpoint issued it. */
  create(
    options: VaultTokenOptions & { root?: boolean; id?: string } = {},
    path = 'auth/token/create',
  ): TokenEntry {
    const now = Date.now()
    const maxTtl = Math.min(options.maxTtl ?? SYSTEM_TTL, SYSTEM_TTL)
    const ttl = options.root ? 0 : Math.min(options.ttl || SYSTEM_TTL, maxTtl)
    const entry: TokenEntry = {
      id: options.id ?? randomToken(),
      accessor: randomBase62(24),
      policies: options.root ? ['root'] : ['default', ...(options.policies ?? [])],
      rules: (options.allow ?? []).map(compile),
      root: options.root === true,
      ttl,
      explicitMaxTtl: options.maxTtl === undefined ? 0 : maxTtl,
      issuedAt: now,
      expiresAt: options.root ? Number.POSITIVE_INFINITY : now + ttl * 1000,
      maxExpiresAt: options.root ? Number.POSITIVE_INFINITY : now + maxTtl * 1000,
      renewable: options.root ? false : options.renewable !== false,
      displayName: options.displayName ?? (options.root ? 'root' : 'token'),
      meta: { ...options.meta },
      path,
      entityId: options.root ? '' : randomUUID(),
      revoked: false,
    }
    this.#tokens.set(entry.id, entry)
    return entry
  }

  /** Marks matching tokens as expired now. Returns how many. */
  expire(filter: { token?: string; path?: string } = {}): number {
    let count = 0
    const now = Date.now()
    for (const entry of this.#tokens.values()) {
      if (entry.root || entry.revoked || entry.expiresAt <= now) continue
      if (filter.token !== undefined && entry.id !== filter.token) continue
      if (filter.path !== undefined && !entry.path.startsWith(filter.path)) continue
      entry.expiresAt = now
      this.#end(entry)
      count++
    }
    return count
  }

  /** The valid token in the request's `X-Vault-Token` or `Authorization: Bearer` header; 403 otherwise. */
  authenticate(headers: Record<string, string | string[] | undefined>): TokenEntry {
    const raw = headers['x-vault-token'] ?? /^Bearer\s+(.+)$/i.exec(String(headers.authorization ?? ''))?.[1]
    const id = Array.isArray(raw) ? raw[0] : raw
    if (id === undefined || id === '') throw new VaultHttpError(403, ['permission denied'])
    const entry = this.#tokens.get(id)
    if (entry === undefined) throw new VaultHttpError(403, ['permission denied'])
    if (entry.revoked || Date.now() >= entry.expiresAt) throw new VaultHttpError(403, [INVALID_TOKEN])
    return entry
  }

  /** Throws 403 unless the token's policies allow the request. */
  authorize(entry: TokenEntry, request: VaultRequest): void {
    if (entry.root) return
    const wanted = needed(request)
    const rules = [...entry.rules, ...this.#defaultRules].filter((r) => r.pattern.test(request.path))
    const denied = rules.some((r) => r.capabilities.has('deny'))
    const allowed = rules.some((r) => wanted.some((c) => r.capabilities.has(c)))
    if (denied || !allowed) throw new VaultHttpError(403, [PERMISSION_DENIED])
  }

  /** The `auth` object of a login or renewal (docs/wire-facts.md#vault-response-envelope). */
  authBlock(entry: TokenEntry, metadata: Record<string, string> | null): object {
    return {
      client_token: entry.id,
      accessor: entry.accessor,
      policies: entry.policies,
      token_policies: entry.policies,
      metadata,
      lease_duration: this.#remaining(entry),
      renewable: entry.renewable,
      entity_id: entry.entityId,
      token_type: 'service',
      orphan: true,
      mfa_requirement: null,
      num_uses: 0,
    }
  }

  /** `auth/token/lookup-self`, `renew-self`, `revoke-self`. */
  handle(request: VaultRequest, entry: TokenEntry): VaultReply {
    switch (request.path) {
      case 'auth/token/lookup-self':
        return ok({ data: this.#lookup(entry), mount_type: 'token' })
      case 'auth/token/renew-self':
        return this.#renew(entry, request.body?.increment)
      case 'auth/token/revoke-self':
        entry.revoked = true
        this.#end(entry)
        return noContent
      default:
        return noRoute(request.path)
    }
  }

  #remaining(entry: TokenEntry): number {
    if (entry.expiresAt === Number.POSITIVE_INFINITY) return 0
    return Math.max(0, Math.round((entry.expiresAt - Date.now()) / 1000))
  }

  #lookup(entry: TokenEntry): object {
    return {
      accessor: entry.accessor,
      creation_time: Math.floor(entry.issuedAt / 1000),
      creation_ttl: entry.ttl,
      display_name: entry.displayName,
      entity_id: entry.entityId,
      expire_time: entry.expiresAt === Number.POSITIVE_INFINITY ? null : timestamp(entry.expiresAt),
      explicit_max_ttl: entry.explicitMaxTtl,
      id: entry.id,
      issue_time: timestamp(entry.issuedAt),
      meta: Object.keys(entry.meta).length === 0 ? null : entry.meta,
      num_uses: 0,
      orphan: !entry.root,
      path: entry.path,
      policies: entry.policies,
      renewable: entry.renewable,
      ttl: this.#remaining(entry),
      type: 'service',
    }
  }

  #renew(entry: TokenEntry, increment: unknown): VaultReply {
    if (!entry.renewable) badRequest('lease is not renewable')
    const now = Date.now()
    const requested = parseIncrement(increment) ?? entry.ttl
    const room = Math.max(0, Math.floor((entry.maxExpiresAt - now) / 1000))
    const granted = Math.min(requested, room)
    entry.expiresAt = now + granted * 1000
    const warnings =
      granted < requested
        ? [
            `TTL of "${requested}s" exceeded the effective max_ttl of "${granted}s"; TTL value is capped accordingly`,
          ]
        : null
    return ok({
      auth: this.authBlock(entry, Object.keys(entry.meta).length === 0 ? null : entry.meta),
      warnings,
      mount_type: 'token',
    })
  }
}

function parseIncrement(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '' || value === 0) return undefined
  const seconds = parseDuration(value)
  if (seconds === undefined) badRequest('invalid increment')
  return seconds
}
