import { randomUUID } from 'node:crypto'
import { randomHex } from './format.js'
import { badRequest, noRoute, ok, VaultHttpError, type VaultReply, type VaultRequest } from './http.js'
import type { TokenStore, VaultTokenOptions } from './tokens.js'

/** An AppRole role for {@link VaultEmulator.addAppRole}. */
export interface VaultAppRoleOptions {
  /** The role name (reported as `metadata.role_name`). */
  roleName: string
  /** @default a random UUID */
  roleId?: string
  /** @default a random UUID */
  secretId?: string
  /** The auth mount. @default 'approle' */
  mount?: string
  /** The namespace the role lives in; a login reaches it with `X-Vault-Namespace`. @default the root namespace */
  namespace?: string
  /**
   * The role's `bind_secret_id`: whether a login must present a `secret_id`. With `false` a login
   * with `role_id` alone works (and a `secret_id`, if sent, is not checked). @default true
   */
  bindSecretId?: boolean
  /**
   * What issued tokens may do and how long they live (`ttl` = the role's `token_ttl`, `maxTtl` its
   * `token_max_ttl`, `renewable: false` for tokens that cannot be renewed).
   */
  token?: VaultTokenOptions
}

/** A Kubernetes auth role for {@link VaultEmulator.addKubernetesRole}. */
export interface VaultKubernetesRoleOptions {
  /** The role name sent as `role` at login. */
  role: string
  /** The service-account JWT the role accepts. @default a random JWT-shaped string */
  jwt?: string
  /** @default 'default' */
  serviceAccountName?: string
  /** @default 'default' */
  serviceAccountNamespace?: string
  /** The auth mount. @default 'kubernetes' */
  mount?: string
  /** The namespace the role lives in; a login reaches it with `X-Vault-Namespace`. @default the root namespace */
  namespace?: string
  /** What issued tokens may do and how long they live. */
  token?: VaultTokenOptions
}

interface AppRole {
  roleName: string
  bindSecretId: boolean
  secretIds: Set<string>
  token: VaultTokenOptions
}

interface KubernetesRole {
  jwts: Set<string>
  serviceAccountName: string
  serviceAccountNamespace: string
  serviceAccountUid: string
  token: VaultTokenOptions
}

function fakeJwt(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part({ sub: 'system:serviceaccount', jti: randomUUID() })}.${randomHex(32)}`
}

/** Auth mounts are per namespace: the key of `mount` in `namespace`. */
function mountKey(namespace: string | undefined, mount: string): string {
  const ns = (namespace ?? '').trim().replace(/^\/+|\/+$/g, '')
  return ns === '' ? mount : `${ns}\u0000${mount}`
}

/** A login field that must be a non-empty string: a 400 `missing <name>` otherwise. */
function required(body: Record<string, unknown> | undefined, name: string): string {
  const value = body?.[name]
  if (typeof value !== 'string' || value === '') badRequest(`missing ${name}`)
  return value
}

/** The AppRole and Kubernetes login endpoints. */
export class LoginMethods {
  readonly #approle = new Map<string, Map<string, AppRole>>()
  readonly #kubernetes = new Map<string, Map<string, KubernetesRole>>()

  constructor(readonly tokens: TokenStore) {}

  addAppRole(options: VaultAppRoleOptions): { roleId: string; secretId: string } {
    const mount = mountKey(options.namespace, options.mount ?? 'approle')
    const roleId = options.roleId ?? randomUUID()
    const secretId = options.secretId ?? randomUUID()
    const roles = this.#approle.get(mount) ?? new Map<string, AppRole>()
    this.#approle.set(mount, roles)
    const existing = roles.get(roleId)
    if (existing !== undefined) existing.secretIds.add(secretId)
    else
      roles.set(roleId, {
        roleName: options.roleName,
        bindSecretId: options.bindSecretId !== false,
        secretIds: new Set([secretId]),
        token: { ...options.token },
      })
    return { roleId, secretId }
  }

  addKubernetesRole(options: VaultKubernetesRoleOptions): { role: string; jwt: string } {
    const mount = mountKey(options.namespace, options.mount ?? 'kubernetes')
    const jwt = options.jwt ?? fakeJwt()
    const roles = this.#kubernetes.get(mount) ?? new Map<string, KubernetesRole>()
    this.#kubernetes.set(mount, roles)
    const existing = roles.get(options.role)
    if (existing !== undefined) existing.jwts.add(jwt)
    else {
      roles.set(options.role, {
        jwts: new Set([jwt]),
        serviceAccountName: options.serviceAccountName ?? 'default',
        serviceAccountNamespace: options.serviceAccountNamespace ?? 'default',
        serviceAccountUid: randomUUID(),
        token: { ...options.token },
      })
    }
    return { role: options.role, jwt }
  }

  /** A login in `namespace` (`''`: the root); the token it issues belongs to that namespace. */
  handle(request: VaultRequest, namespace = ''): VaultReply {
    const mount = mountKey(namespace, request.path.slice('auth/'.length, -'/login'.length))
    if (request.method !== 'POST' && request.method !== 'PUT') return noRoute(request.path)
    const approle = this.#approle.get(mount)
    if (approle !== undefined) return this.#appRoleLogin(request, approle, namespace)
    const kubernetes = this.#kubernetes.get(mount)
    if (kubernetes !== undefined) return this.#kubernetesLogin(request, kubernetes, namespace)
    return noRoute(request.path)
  }

  #appRoleLogin(request: VaultRequest, roles: Map<string, AppRole>, namespace: string): VaultReply {
    const roleId = required(request.body, 'role_id')
    const role = roles.get(roleId)
    // A secret_id is asked for only when the role binds one (bind_secret_id, docs/wire-facts.md#vault-approle-login).
    if (role === undefined || role.bindSecretId) {
      const secretId = required(request.body, 'secret_id')
      if (role === undefined || !role.secretIds.has(secretId)) badRequest('invalid role or secret ID')
    }
    if (role === undefined) badRequest('invalid role or secret ID')
    const metadata = { role_name: role.roleName }
    const entry = this.tokens.create(
      { displayName: 'approle', ...role.token, meta: { ...role.token.meta, ...metadata }, namespace },
      request.path,
    )
    return ok({ auth: this.tokens.authBlock(entry, metadata), mount_type: 'approle' })
  }

  #kubernetesLogin(request: VaultRequest, roles: Map<string, KubernetesRole>, namespace: string): VaultReply {
    const name = required(request.body, 'role')
    const jwt = required(request.body, 'jwt')
    const role = roles.get(name)
    if (role === undefined) badRequest(`invalid role name "${name}"`)
    if (!role.jwts.has(jwt)) throw new VaultHttpError(403, ['permission denied'])
    const metadata = {
      role: name,
      service_account_name: role.serviceAccountName,
      service_account_namespace: role.serviceAccountNamespace,
      service_account_secret_name: '',
      service_account_uid: role.serviceAccountUid,
    }
    const entry = this.tokens.create(
      {
        displayName: `kubernetes-${role.serviceAccountNamespace}-${role.serviceAccountName}`,
        ...role.token,
        meta: { ...role.token.meta, ...metadata },
        namespace,
      },
      request.path,
    )
    return ok({ auth: this.tokens.authBlock(entry, metadata), mount_type: 'kubernetes' })
  }
}
