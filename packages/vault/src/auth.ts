import { readFile } from 'node:fs/promises'
import { ProviderClosedError, SecretAccessDeniedError, type SecretLogger } from '@latchkey/core'
import type NodeVault from 'node-vault'
import { statusOf, toVaultRequestError } from './errors.js'
import { timerDelay } from './options.js'

/** Use a fixed token (from `VAULT_TOKEN`, Vault Agent, a sidecar…). It is renewed when renewable; it cannot be replaced. */
export interface VaultTokenAuth {
  type: 'token'
  token: string
  /** Renew the token before it expires when Vault says it is renewable. @default true */
  renew?: boolean
}

/** Log in with AppRole (`POST auth/<mount>/login` with `role_id`, `secret_id`). */
export interface VaultAppRoleAuth {
  type: 'approle'
  roleId: string
  /** Omit for roles with `bind_secret_id = false`. */
  secretId?: string
  /** The AppRole auth mount. @default 'approle' */
  mount?: string
}

/** Log in with a Kubernetes service-account JWT (`POST auth/<mount>/login` with `role`, `jwt`). */
export interface VaultKubernetesAuth {
  type: 'kubernetes'
  /** The Vault role bound to the service account. */
  role: string
  /** The JWT itself. When omitted it is read from `jwtPath` at every login (projected tokens rotate). */
  jwt?: string
  /** @default '/var/run/secrets/kubernetes.io/serviceaccount/token' */
  jwtPath?: string
  /** The Kubernetes auth mount. @default 'kubernetes' */
  mount?: string
}

/** How a Vault source authenticates. */
export type VaultAuth = VaultTokenAuth | VaultAppRoleAuth | VaultKubernetesAuth

/** Where Kubernetes mounts the service-account token. */
export const DEFAULT_JWT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token'

/** Fraction of a token's TTL after which it is renewed (or replaced by a new login). */
const RENEW_AT = 2 / 3
/** A token this close to its expiry is not used; a login-based source logs in again first. */
const EXPIRY_MARGIN_MS = 1_000

type Next = 'renew' | 'login' | 'none'

/**
 * The token an answer was obtained with, as far as the source knows it: `generation` counts the
 * logins (0 for a fixed token), `expiresAt` is when that token ends unless it is renewed
 * (epoch ms; `Infinity` when Vault gave no TTL or it was not looked up yet). Vault revokes the
 * leases a service token created when the token expires or is revoked (docs/wire-facts.md#vault-leases-and-tokens).
 */
export interface TokenLife {
  readonly generation: number
  readonly expiresAt: number
}

/** Told when a login replaced the token of `generation`, which ends at `expiresAt` (epoch ms). */
export type TokenReplacedListener = (replaced: TokenLife) => void

/**
 * Owns one Vault token: logs in (AppRole, Kubernetes) or takes a fixed token, renews it with
 * `renew-self` at 2/3 of its TTL (an unref'd timer), and logs in again when it cannot be renewed
 * (not renewable, max TTL reached, renewal refused) or when Vault rejects it with 403.
 */
export class VaultAuthenticator {
  readonly #client: NodeVault.client
  readonly #auth: VaultAuth
  readonly #headers: Record<string, string>
  readonly #logger: SecretLogger
  #token: string | undefined
  #ttlMs = 0
  #expiresAt = Number.POSITIVE_INFINITY
  /** The TTL a fresh token gets, in seconds; a renewal granting less has hit the max TTL. */
  #fullTtl = 0
  #login: Promise<string> | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  #lookedUp = false
  #lookup: Promise<void> | undefined
  #generation = 0
  readonly #replaced = new Set<TokenReplacedListener>()
  #closed = false

  constructor(
    client: NodeVault.client,
    auth: VaultAuth,
    options: { namespace?: string; logger: SecretLogger },
  ) {
    this.#client = client
    this.#auth = auth
    this.#headers = options.namespace === undefined ? {} : { 'X-Vault-Namespace': options.namespace }
    this.#logger = options.logger
    if (auth.type === 'token') this.#token = auth.token
  }

  /** True for AppRole and Kubernetes: a rejected token can be replaced by logging in again. */
  get canLogin(): boolean {
    return this.#auth.type !== 'token'
  }

  /** node-vault request options that send `token` (and the namespace, if any). */
  requestOptions(token: string | undefined): { headers: Record<string, string> } {
    return {
      headers: token === undefined ? { ...this.#headers } : { ...this.#headers, 'X-Vault-Token': token },
    }
  }

  /** A token to use now: logs in first when there is none or it is about to expire. */
  async token(): Promise<string> {
    if (this.#closed) throw new ProviderClosedError()
    if (this.#auth.type === 'token') {
      if (!this.#lookedUp && this.#auth.renew !== false) this.#lookUpFixedToken()
      return this.#auth.token
    }
    const margin = Math.min(EXPIRY_MARGIN_MS, this.#ttlMs / 10)
    if (this.#token !== undefined && Date.now() < this.#expiresAt - margin) return this.#token
    return this.#loginOnce()
  }

  /**
   * Called after Vault answered 403 to `rejected`. Returns a different token to retry with (logging
   * in again when `rejected` is still the current one), or undefined when the token cannot be replaced.
   */
  async reauthenticate(rejected: string): Promise<string | undefined> {
    if (!this.canLogin || this.#closed) return undefined
    if (this.#login !== undefined) return this.#login
    if (this.#token !== undefined && this.#token !== rejected) return this.#token
    return this.#loginOnce()
  }

  /**
   * How long `token` (one {@link token} just returned) lives: its generation and expiry. A token
   * that is no longer the current one has been replaced and gets no renewal, so its expiry stands.
   */
  life(token: string): TokenLife {
    if (token !== this.#token) return { generation: -1, expiresAt: Date.now() }
    return { generation: this.#generation, expiresAt: this.#expiresAt }
  }

  /**
   * Resolves once a fixed token's TTL is known (one `lookup-self`, also with `renew: false`; a
   * failed lookup leaves it unknown). Login-based auth learns the TTL from each login.
   */
  async ready(): Promise<void> {
    if (this.#auth.type !== 'token' || this.#closed) return
    if (!this.#lookedUp) this.#lookUpFixedToken()
    await this.#lookup
  }

  /** Calls `listener` each time a new login replaces the token. Returns the unsubscribe function. */
  onReplaced(listener: TokenReplacedListener): () => void {
    this.#replaced.add(listener)
    return () => this.#replaced.delete(listener)
  }

  /** Stops the renewal timer. */
  close(): void {
    this.#closed = true
    this.#replaced.clear()
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #loginOnce(): Promise<string> {
    this.#login ??= this.#doLogin().finally(() => {
      this.#login = undefined
    })
    return this.#login
  }

  async #doLogin(): Promise<string> {
    const auth = this.#auth
    if (auth.type === 'token') return auth.token
    const mount = auth.mount ?? (auth.type === 'approle' ? 'approle' : 'kubernetes')
    const body =
      auth.type === 'approle'
        ? { role_id: auth.roleId, ...(auth.secretId === undefined ? {} : { secret_id: auth.secretId }) }
        : { role: auth.role, jwt: auth.jwt ?? (await this.#readJwt(auth.jwtPath ?? DEFAULT_JWT_PATH)) }
    // A plain write to an explicit path: node-vault's kubernetesLogin() posts to `auth//login` unless
    // given a mount_point (docs/wire-facts.md#vault-node-vault-client), and its *Login commands overwrite `client.token`, which
    // would change the identity of a client the application shares with other code.
    let response: { auth?: { client_token?: unknown; lease_duration?: unknown; renewable?: unknown } }
    try {
      response = await this.#client.write(`auth/${mount}/login`, body, this.requestOptions(undefined))
    } catch (error) {
      const status = statusOf(error)
      if (
        status !== undefined &&
        status >= 400 &&
        status < 500 &&
        status !== 408 &&
        status !== 412 &&
        status !== 429
      ) {
        throw new SecretAccessDeniedError(
          { cause: toVaultRequestError(error) },
          `Vault login at auth/${mount}/login was refused with status ${status}`,
        )
      }
      throw error
    }
    const token = response?.auth?.client_token
    if (typeof token !== 'string' || token === '') {
      throw new Error(`Vault login at auth/${mount}/login returned no client_token`)
    }
    const ttl = Number(response.auth?.lease_duration) || 0
    this.#fullTtl = ttl
    if (this.#closed) return token
    const previous =
      this.#token === undefined ? undefined : { generation: this.#generation, expiresAt: this.#expiresAt }
    this.#generation++
    this.#use(token, ttl)
    this.#schedule(ttl, response.auth?.renewable === true ? 'renew' : 'login')
    if (previous !== undefined) this.#announceReplaced(previous)
    return token
  }

  /** Listener errors are the listener's business: they never change what the login does. */
  #announceReplaced(previous: TokenLife): void {
    for (const listener of [...this.#replaced]) {
      try {
        listener(previous)
      } catch {
        // ignored on purpose
      }
    }
  }

  async #readJwt(path: string): Promise<string> {
    try {
      return (await readFile(path, 'utf8')).trim()
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'unknown error'
      throw new SecretAccessDeniedError(
        { cause: new Error(`reading ${path} failed: ${code}`) },
        `could not read the Kubernetes service account token at ${path} (${code})`,
      )
    }
  }

  #use(token: string, ttlSeconds: number): void {
    this.#token = token
    this.#ttlMs = ttlSeconds * 1000
    this.#expiresAt = ttlSeconds > 0 ? Date.now() + this.#ttlMs : Number.POSITIVE_INFINITY
  }

  #schedule(ttlSeconds: number, next: Next): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#closed || ttlSeconds <= 0 || next === 'none') return
    this.#scheduleIn(ttlSeconds * 1000 * RENEW_AT, next)
  }

  #scheduleIn(ms: number, next: Exclude<Next, 'none'>): void {
    // A TTL over ~24.8 days would overflow Node's timer (it would fire after 1 ms, in a loop).
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      if (next === 'renew') void this.#renew()
      else this.#loginOnce().catch((error) => this.#warn('logging in to Vault again failed', error))
    }, timerDelay(ms))
    this.#timer.unref()
  }

  /** Looks up a fixed token once to learn its TTL, and schedules renewal when it is renewable. */
  #lookUpFixedToken(): void {
    this.#lookedUp = true
    const token = this.#token
    const renew = this.#auth.type === 'token' && this.#auth.renew !== false
    this.#lookup = this.#client
      .read('auth/token/lookup-self', this.requestOptions(token))
      .then((response: { data?: { ttl?: unknown; creation_ttl?: unknown; renewable?: unknown } }) => {
        const ttl = Number(response?.data?.ttl) || 0
        this.#fullTtl = Number(response?.data?.creation_ttl) || ttl
        if (token !== undefined) this.#use(token, ttl)
        this.#schedule(ttl, renew && response?.data?.renewable === true ? 'renew' : 'none')
      })
      .catch((error: unknown) => {
        // A transient failure tries again on the next use; a refused token shows up on reads.
        const status = statusOf(error)
        if (status === undefined || status === 429 || status >= 500) this.#lookedUp = false
      })
  }

  async #renew(): Promise<void> {
    const token = this.#token
    if (token === undefined || this.#closed) return
    try {
      const response = await this.#client.write(
        'auth/token/renew-self',
        this.#fullTtl > 0 ? { increment: this.#fullTtl } : {},
        this.requestOptions(token),
      )
      if (this.#closed || this.#token !== token) return
      const granted = Number(response?.auth?.lease_duration) || 0
      this.#use(token, granted)
      const capped = granted < this.#fullTtl || response?.auth?.renewable === false
      this.#schedule(granted, !capped ? 'renew' : this.canLogin ? 'login' : 'none')
    } catch (error) {
      if (this.#closed || this.#token !== token) return
      const status = statusOf(error)
      if (status !== undefined && status < 500 && status !== 429) {
        // Not renewable or no longer valid: a new login is the only way on.
        if (this.canLogin) this.#loginOnce().catch((e) => this.#warn('logging in to Vault again failed', e))
        return
      }
      this.#warn('renewing the Vault token failed; retrying', error)
      const left = this.#expiresAt - Date.now()
      if (left > EXPIRY_MARGIN_MS) this.#scheduleIn(Math.max(EXPIRY_MARGIN_MS, left / 3), 'renew')
    }
  }

  #warn(message: string, error: unknown): void {
    if (this.#closed) return
    const cause = toVaultRequestError(error)
    this.#logger.warn(`${message}: ${cause.message}`, {
      statusCode: cause.statusCode,
      networkCode: cause.networkCode,
    })
  }
}
