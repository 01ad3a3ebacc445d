import { parseDuration } from './format.js'
import * as http from './http.js'

/** A token store role (`auth/token/roles/<name>`), as the emulator keeps it. */
export interface TokenRole {
  name: string
  allowedPolicies: string[]
  disallowedPolicies: string[]
  orphan: boolean
  renewable: boolean
  pathSuffix: string
  /** `service`, `batch`, `default-service` or `default-batch`. */
  tokenType: string
  ttl: number
  maxTtl: number
  explicitMaxTtl: number
  numUses: number
  /** Seconds; 0 for tokens that are not periodic. */
  period: number
  boundCidrs: string[]
  noDefaultPolicy: boolean
}

const TOKEN_TYPES = new Set(['service', 'batch', 'default-service', 'default-batch', 'default'])

/** A list parameter: a JSON array or a comma-separated string. */
function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter((s) => s !== '')
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')
  return []
}

function seconds(value: unknown, name: string): number {
  if (value === undefined || value === null || value === '') return 0
  const parsed = parseDuration(value)
  if (parsed === undefined) http.badRequest(`invalid ${name}`)
  return parsed
}

/** The token store's roles and the `auth/token/roles` endpoints (docs/wire-facts.md#vault-token-management). */
export class TokenRoles {
  readonly #roles = new Map<string, TokenRole>()

  get(name: string): TokenRole | undefined {
    return this.#roles.get(name)
  }

  handle(request: http.VaultRequest, name: string): http.VaultReply {
    if (name === '') {
      if (!request.list) http.unsupported()
      if (this.#roles.size === 0) http.notFound()
      return http.ok({ data: { keys: [...this.#roles.keys()].sort() } })
    }
    switch (request.method) {
      case 'GET': {
        const role = this.#roles.get(name)
        if (role === undefined) http.notFound()
        return http.ok({ data: this.#read(role) })
      }
      case 'POST':
      case 'PUT':
        this.#write(name, request.body ?? {})
        return http.noContent
      case 'DELETE':
        this.#roles.delete(name)
        return http.noContent
      default:
        return http.unsupported()
    }
  }

  #write(name: string, body: Record<string, unknown>): void {
    const previous = this.#roles.get(name)
    const tokenType = String(body.token_type ?? previous?.tokenType ?? 'default-service')
    if (!TOKEN_TYPES.has(tokenType)) http.badRequest("invalid 'token_type' value")
    const pick = <T>(key: string, parse: (v: unknown) => T, fallback: T): T =>
      body[key] === undefined ? fallback : parse(body[key])
    const numUses = pick('token_num_uses', Number, previous?.numUses ?? 0)
    if (!Number.isInteger(numUses) || numUses < 0) http.badRequest('token_num_uses cannot be negative')
    this.#roles.set(name, {
      name,
      allowedPolicies: pick('allowed_policies', list, previous?.allowedPolicies ?? []),
      disallowedPolicies: pick('disallowed_policies', list, previous?.disallowedPolicies ?? []),
      orphan: pick('orphan', (v) => v === true || v === 'true', previous?.orphan ?? false),
      renewable: pick('renewable', (v) => v !== false && v !== 'false', previous?.renewable ?? true),
      pathSuffix: pick('path_suffix', String, previous?.pathSuffix ?? ''),
      tokenType: tokenType === 'default' ? 'default-service' : tokenType,
      ttl: pick('token_ttl', (v) => seconds(v, 'token_ttl'), previous?.ttl ?? 0),
      maxTtl: pick('token_max_ttl', (v) => seconds(v, 'token_max_ttl'), previous?.maxTtl ?? 0),
      explicitMaxTtl: pick(
        'token_explicit_max_ttl',
        (v) => seconds(v, 'token_explicit_max_ttl'),
        previous?.explicitMaxTtl ?? 0,
      ),
      numUses,
      period: pick(
        'token_period',
        (v) => seconds(v, 'token_period'),
        pick('period', (v) => seconds(v, 'period'), previous?.period ?? 0),
      ),
      boundCidrs: pick('token_bound_cidrs', list, pick('bound_cidrs', list, previous?.boundCidrs ?? [])),
      noDefaultPolicy: pick(
        'token_no_default_policy',
        (v) => v === true || v === 'true',
        previous?.noDefaultPolicy ?? false,
      ),
    })
  }

  #read(role: TokenRole): object {
    return {
      allowed_entity_aliases: null,
      allowed_policies: role.allowedPolicies,
      disallowed_policies: role.disallowedPolicies,
      explicit_max_ttl: role.explicitMaxTtl,
      name: role.name,
      orphan: role.orphan,
      path_suffix: role.pathSuffix,
      period: role.period,
      renewable: role.renewable,
      token_bound_cidrs: role.boundCidrs,
      token_explicit_max_ttl: role.explicitMaxTtl,
      token_max_ttl: role.maxTtl,
      token_no_default_policy: role.noDefaultPolicy,
      token_num_uses: role.numUses,
      token_period: role.period,
      token_ttl: role.ttl,
      token_type: role.tokenType,
    }
  }
}
