import {
  InvalidOptionsError,
  InvalidSecretNameError,
  type LoadContext,
  type LoadedSecret,
  ProviderClosedError,
  type SecretSource,
} from '@latchkey/core'
import { malformedReply, toVaultRequestError } from './errors.js'
import { checkConnectionOptions, type VaultConnectionOptions, VaultSession } from './session.js'

/** Options for {@link VaultDatabaseSource}. */
export interface VaultDatabaseSourceOptions extends VaultConnectionOptions {
  /** The database secrets engine mount. @default 'database' */
  mount?: string
  /**
   * On `close()`, revoke the leases this source obtained that have not expired yet (needs the
   * `update` capability on `sys/leases/revoke`; failures are reported to the logger). @default true
   */
  revokeOnClose?: boolean
}

interface Creds {
  lease_id?: unknown
  lease_duration?: unknown
  data?: { username?: unknown; password?: unknown }
}

/** `'creds/app'` or `'app'` → `'app'`. */
function roleOf(name: string, source: string): string {
  const role = name.startsWith('creds/') ? name.slice('creds/'.length) : name
  if (role === '' || role.includes('/') || role === '.' || role === '..') {
    throw new InvalidSecretNameError(`"${name}" is not a database role; use "creds/<role>" or "<role>"`, {
      secretName: name,
      source,
    })
  }
  return encodeURIComponent(role)
}

/**
 * Dynamic database credentials from Vault's database secrets engine. The secret name is
 * `creds/<role>` (or just `<role>`); each load creates a new user and returns
 * `{"username","password"}` as JSON, with the lease id as version and the lease duration as
 * `ttlMs`, so the cache replaces the credentials before the lease ends.
 */
export class VaultDatabaseSource implements SecretSource {
  readonly name = 'vault-database'
  readonly #session: VaultSession
  readonly #mount: string
  readonly #revokeOnClose: boolean
  /** Leases obtained and not yet expired: id → expiry (epoch ms). */
  readonly #leases = new Map<string, number>()
  #closed = false

  constructor(options: VaultDatabaseSourceOptions) {
    checkConnectionOptions(options, 'VaultDatabaseSource')
    const mount = (options.mount ?? 'database').replace(/^\/+|\/+$/g, '')
    if (mount === '')
      throw new InvalidOptionsError(
        'VaultDatabaseSource: mount must be a non-empty string such as "database"',
      )
    this.#mount = mount
    this.#revokeOnClose = options.revokeOnClose ?? true
    this.#session = new VaultSession(options)
  }

  async load(name: string, ctx?: LoadContext): Promise<LoadedSecret> {
    if (this.#closed) throw new ProviderClosedError({ secretName: name, source: this.name })
    const url = `${this.#mount}/creds/${roleOf(name, this.name)}`
    const body = (await this.#session.read(
      url,
      { secretName: name, source: this.name },
      ctx?.signal,
    )) as Creds
    const { username, password } = body?.data ?? {}
    const leaseId = body?.lease_id
    if (
      typeof username !== 'string' ||
      typeof password !== 'string' ||
      typeof leaseId !== 'string' ||
      leaseId === ''
    ) {
      throw malformedReply(
        { secretName: name, source: this.name },
        'database credentials with a username, a password and a lease',
      )
    }
    const seconds = Number(body.lease_duration) || 0
    this.#forgetExpired()
    this.#leases.set(leaseId, seconds > 0 ? Date.now() + seconds * 1000 : Number.POSITIVE_INFINITY)
    return {
      value: JSON.stringify({ username, password }),
      version: leaseId,
      ...(seconds > 0 ? { ttlMs: seconds * 1000 } : {}),
    }
  }

  /** Lease ids this source obtained that have not expired yet. */
  activeLeases(): string[] {
    this.#forgetExpired()
    return [...this.#leases.keys()]
  }

  /** Revokes the leases it obtained (unless `revokeOnClose: false`) and stops token renewal. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const leases = this.#revokeOnClose ? this.activeLeases() : []
    this.#leases.clear()
    if (leases.length > 0) {
      const results = await Promise.allSettled(
        leases.map((leaseId) =>
          this.#session.call((options) =>
            this.#session.client.write('sys/leases/revoke', { lease_id: leaseId }, options),
          ),
        ),
      )
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      if (failed.length > 0) {
        const cause = toVaultRequestError(failed[0]?.reason)
        const message = `could not revoke ${failed.length} of ${leases.length} Vault leases on close: ${cause.message}`
        this.#session.logger.warn(message)
      }
    }
    this.#session.close()
  }

  #forgetExpired(): void {
    const now = Date.now()
    for (const [id, expiresAt] of this.#leases) if (expiresAt <= now) this.#leases.delete(id)
  }
}
