import {
  InvalidOptionsError,
  InvalidSecretNameError,
  type LoadContext,
  type LoadedSecret,
  ProviderClosedError,
  type SecretSource,
} from '@latchkey/core'
import { checkSourceOptionNames, optionKeys } from '@latchkey/core/internal'
import type { TokenLife } from './auth.js'
import { malformedReply, toVaultRequestError } from './errors.js'
import { CONNECTION_OPTION_KEYS, checkBoolean, checkString, resolveConnectionOptions } from './options.js'
import { type VaultConnectionOptions, VaultSession } from './session.js'

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

/** A lease this source obtained: when it ends (its own TTL or its token's end), and under which token. */
interface HeldLease {
  name: string
  endsAt: number
  generation: number
}

interface Creds {
  lease_id?: unknown
  lease_duration?: unknown
  data?: { username?: unknown; password?: unknown }
}

/** `'creds/app'` or `'app'` → dynamic `'app'`; `'static-creds/app'` → static `'app'`. */
function roleOf(name: string, source: string): { kind: 'creds' | 'static-creds'; role: string } {
  const kind = name.startsWith('static-creds/') ? 'static-creds' : 'creds'
  const role = name.startsWith(`${kind}/`) ? name.slice(kind.length + 1) : name
  if (role === '' || role.includes('/') || role === '.' || role === '..') {
    throw new InvalidSecretNameError(
      `"${name}" is not a database role; use "creds/<role>", "static-creds/<role>" or "<role>"`,
      { secretName: name, source },
    )
  }
  return { kind, role: encodeURIComponent(role) }
}

interface StaticCreds {
  data?: { username?: unknown; password?: unknown; ttl?: unknown; last_vault_rotation?: unknown }
}

/**
 * Dynamic database credentials from Vault's database secrets engine. The secret name is
 * `creds/<role>` (or just `<role>`); each load creates a new user and returns
 * `{"username","password"}` as JSON, with the lease id as version. `ttlMs` is the lease's usable
 * life: the shorter of the lease duration and the remaining life of the token that obtained it,
 * because Vault revokes a service token's leases when the token expires or is revoked
 * (docs/wire-facts.md#vault-leases-and-tokens). When a new login replaces the token, the
 * credentials obtained under the old one are reloaded at once (through `watch`), before it ends.
 *
 * `static-creds/<role>` reads a static role instead: Vault owns an existing user's password and
 * rotates it every `rotation_period`; the version is `last_vault_rotation` and `ttlMs` the time
 * until the next rotation (docs/wire-facts.md#vault-database-static-roles). No lease is involved.
 */
export class VaultDatabaseSource implements SecretSource {
  readonly name = 'vault-database'
  readonly #session: VaultSession
  readonly #mount: string
  readonly #revokeOnClose: boolean
  /** Leases obtained and not yet ended, by id. */
  readonly #leases = new Map<string, HeldLease>()
  /** What the cache asked to be told about, by secret name. */
  readonly #watchers = new Map<string, Set<() => void>>()
  #closed = false

  constructor(options: VaultDatabaseSourceOptions) {
    checkSourceOptionNames(options, DATABASE_OPTION_KEYS, 'VaultDatabaseSource')
    const settings = resolveConnectionOptions(options, 'VaultDatabaseSource')
    const mount = (checkString('VaultDatabaseSource', 'mount', options.mount) ?? 'database').replace(
      /^\/+|\/+$/g,
      '',
    )
    if (mount === '')
      throw new InvalidOptionsError(
        'VaultDatabaseSource: option mount must be a non-empty string such as "database"',
      )
    this.#mount = mount
    this.#revokeOnClose = checkBoolean('VaultDatabaseSource', 'revokeOnClose', options.revokeOnClose) ?? true
    this.#session = new VaultSession(options, settings)
    this.#session.auth.onReplaced((replaced) => this.#reloadMadeBy(replaced))
  }

  async load(name: string, ctx?: LoadContext): Promise<LoadedSecret> {
    if (this.#closed) throw new ProviderClosedError({ secretName: name, source: this.name })
    const { kind, role } = roleOf(name, this.name)
    if (kind === 'static-creds') return this.#loadStatic(name, role, ctx)
    const url = `${this.#mount}/creds/${role}`
    await this.#session.auth.ready()
    const asked = Date.now()
    const { result, token } = await this.#session.readAs(
      url,
      { secretName: name, source: this.name },
      ctx?.signal,
    )
    const body = result as Creds
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
    // The lease runs from when it was asked for; it also ends with the token that obtained it.
    const endsAt = Math.min(seconds > 0 ? asked + seconds * 1000 : Number.POSITIVE_INFINITY, token.expiresAt)
    this.#forgetEnded()
    this.#leases.set(leaseId, { name, endsAt, generation: token.generation })
    const ttlMs = endsAt === Number.POSITIVE_INFINITY ? undefined : Math.max(1, endsAt - Date.now())
    return {
      value: JSON.stringify({ username, password }),
      version: leaseId,
      ...(ttlMs === undefined ? {} : { ttlMs }),
    }
  }

  /** A static role's current password; it changes at the next rotation, so it is held until then. */
  async #loadStatic(name: string, role: string, ctx: LoadContext | undefined): Promise<LoadedSecret> {
    await this.#session.auth.ready()
    const { result } = await this.#session.readAs(
      `${this.#mount}/static-creds/${role}`,
      { secretName: name, source: this.name },
      ctx?.signal,
    )
    const { username, password, ttl, last_vault_rotation: rotated } = (result as StaticCreds)?.data ?? {}
    if (
      typeof username !== 'string' ||
      typeof password !== 'string' ||
      typeof rotated !== 'string' ||
      typeof ttl !== 'number' ||
      !Number.isFinite(ttl) ||
      ttl < 0
    ) {
      throw malformedReply(
        { secretName: name, source: this.name },
        'static database credentials with a username, a password, a ttl and last_vault_rotation',
      )
    }
    // ttl 0 means the rotation is due now: hold the value for at most a second.
    return {
      value: JSON.stringify({ username, password }),
      version: rotated,
      ttlMs: Math.max(1_000, ttl * 1_000),
    }
  }

  /**
   * The cache subscribes to each name it holds: when a new login replaces the token, the
   * credentials obtained under the old token are reloaded before Vault revokes them with it.
   */
  watch(name: string, onChange: () => void): () => void {
    const listeners = this.#watchers.get(name) ?? new Set()
    this.#watchers.set(name, listeners)
    listeners.add(onChange)
    return () => {
      listeners.delete(onChange)
      if (listeners.size === 0) this.#watchers.delete(name)
    }
  }

  /** Lease ids this source obtained that have not ended yet (neither their TTL nor their token). */
  activeLeases(): string[] {
    this.#forgetEnded()
    return [...this.#leases.keys()]
  }

  /** Revokes the leases it obtained (unless `revokeOnClose: false`) and stops token renewal. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const leases = this.#revokeOnClose ? this.activeLeases() : []
    this.#leases.clear()
    this.#watchers.clear()
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

  #forgetEnded(): void {
    const now = Date.now()
    for (const [id, lease] of this.#leases) if (lease.endsAt <= now) this.#leases.delete(id)
  }

  /** A login replaced the token of `replaced.generation`: reload what was obtained under it. */
  #reloadMadeBy(replaced: TokenLife): void {
    if (this.#closed) return
    this.#forgetEnded()
    const names = new Set<string>()
    for (const lease of this.#leases.values()) {
      if (lease.generation === replaced.generation) names.add(lease.name)
    }
    for (const name of names) {
      for (const onChange of [...(this.#watchers.get(name) ?? [])]) onChange()
    }
  }
}

const DATABASE_OPTION_KEYS = optionKeys<VaultDatabaseSourceOptions>({
  ...CONNECTION_OPTION_KEYS,
  mount: true,
  revokeOnClose: true,
})
