import type { VaultRequest } from './http.js'

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

/** A rule compiled to a matcher. */
export interface Rule {
  pattern: RegExp
  capabilities: Set<VaultCapability>
}

/** The capability names Vault accepts in a policy. */
export const CAPABILITIES: ReadonlySet<string> = new Set([
  'create',
  'read',
  'update',
  'patch',
  'delete',
  'list',
  'sudo',
  'deny',
  'subscribe',
])

export function compile(rule: string | VaultPolicyRule): Rule {
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
export function needed(request: Pick<VaultRequest, 'list' | 'method'>): VaultCapability[] {
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

/** Whether `rules` allow `wanted` on `path`: some matching rule grants it and none denies. */
export function allows(rules: readonly Rule[], path: string, wanted: readonly VaultCapability[]): boolean {
  const matching = rules.filter((r) => r.pattern.test(path))
  if (matching.some((r) => r.capabilities.has('deny'))) return false
  return matching.some((r) => wanted.some((c) => r.capabilities.has(c)))
}

/**
 * Vault's `default` policy, the parts for the paths the emulator serves: a token may look itself
 * up, renew and revoke itself, renew and look up leases, and use response wrapping.
 */
export const DEFAULT_RULES: VaultPolicyRule[] = [
  { path: 'auth/token/lookup-self', capabilities: ['read'] },
  { path: 'auth/token/renew-self', capabilities: ['update'] },
  { path: 'auth/token/revoke-self', capabilities: ['update'] },
  { path: 'sys/leases/renew', capabilities: ['update'] },
  { path: 'sys/leases/lookup', capabilities: ['update'] },
  { path: 'sys/renew', capabilities: ['update'] },
  { path: 'sys/wrapping/wrap', capabilities: ['update'] },
  { path: 'sys/wrapping/lookup', capabilities: ['update'] },
  { path: 'sys/wrapping/unwrap', capabilities: ['update'] },
]

/** Rules as HCL, as `GET sys/policy/<name>` prints a policy. */
export function toHcl(rules: readonly VaultPolicyRule[]): string {
  return rules
    .map(
      (r) =>
        `path "${r.path}" {\n  capabilities = [${(r.capabilities ?? ['read', 'list']).map((c) => `"${c}"`).join(', ')}]\n}\n`,
    )
    .join('\n')
}
