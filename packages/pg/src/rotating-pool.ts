import type { CachedSecretProvider, SecretProviderLike } from '@latchkey/core'
import { resolveProvider, startupMargin } from '@latchkey/core/internal'
import pg from 'pg'
import { AuthRetrier } from './auth-retry.js'
import { SecretCredentials } from './credentials.js'
import { type RotatingPoolOptions, resolveOptions } from './options.js'
import { checkPoolInternals, type PendingItem, type PoolInternals } from './pool-internals.js'
import { type ClientClass, rotatingClientClass } from './rotating-client.js'

/** Payload of the pool's `'rotate'` event: versions only, never a value. */
export interface PoolRotateEvent {
  /** The credentials secret's name. */
  name: string
  oldVersion: string
  newVersion: string
}

type PoolEvent = 'error' | 'release' | 'connect' | 'acquire' | 'remove'

function base(): PoolInternals {
  return pg.Pool.prototype as unknown as PoolInternals
}

/**
 * A drop-in `pg.Pool` (`instanceof pg.Pool`, same API, events and counters) whose connections log
 * in with credentials from a latchkey secret. Each new connection uses the current credentials,
 * username included; a connection refused with SQLSTATE 28P01 or 28000 forces a refresh of the
 * secret and is retried, so the query waits instead of failing; on rotation, idle connections with
 * the old credentials close and busy ones are retired on release.
 *
 * @example
 * const pool = new RotatingPool({ source: new AwsSecretsManagerSource(), secret: 'prod/db', max: 10 })
 * const { rows } = await pool.query('SELECT 1')
 */
export class RotatingPool extends pg.Pool {
  readonly #provider: CachedSecretProvider
  readonly #ownsProvider: boolean
  readonly #credentials: SecretCredentials
  readonly #retireOnRotate: boolean
  readonly #retrier: AuthRetrier | undefined
  readonly #unsubscribe: () => void

  constructor(options: RotatingPoolOptions) {
    const resolved = resolveOptions(options)
    const { provider, owned } = resolveProvider(resolved.providerOptions, 'RotatingPool')
    let credentials: SecretCredentials
    try {
      credentials = new SecretCredentials(provider, resolved.credentials)
    } catch (error) {
      if (owned) void provider.close()
      throw error
    }
    const Base = (resolved.poolConfig.Client ?? pg.Client) as ClientClass
    const connectionTimeout = resolved.poolConfig.connectionTimeoutMillis ?? 0
    const firstLoadBudget =
      connectionTimeout > 0 ? connectionTimeout - startupMargin(connectionTimeout) : undefined
    const Client = rotatingClientClass(Base, credentials, firstLoadBudget)
    super({ ...resolved.poolConfig, Client: Client as typeof pg.Client })
    try {
      // RotatingPool overrides and drives pg-pool's private members: fail here, clearly, if the
      // installed pg-pool does not have them, rather than misbehave later under load.
      // An unconnected pg Client (no socket is opened) shows the fields the login relies on.
      checkPoolInternals(base(), this, new pg.Client(this.options))
    } catch (error) {
      if (owned) void provider.close()
      throw error
    }
    if (this.options.connectionString !== undefined) {
      // A connection string may carry a password: keep it out of util.inspect like pg does `password`.
      Object.defineProperty(this.options, 'connectionString', { enumerable: false })
    }
    this.#provider = provider
    this.#ownsProvider = owned
    this.#credentials = credentials
    this.#retireOnRotate = resolved.retireOnRotate
    this.#retrier =
      resolved.authRetry === undefined
        ? undefined
        : new AuthRetrier(resolved.authRetry, {
            refresh: () => provider.refresh(credentials.secretName),
            version: () => credentials.version,
            requeue: (item) => this.#requeue(item),
            unqueue: (item) => this.#unqueue(item),
            ending: () => this.ending,
          })
    this.#unsubscribe = credentials.onRotate((event) => this.#rotated(event.oldVersion, event.newVersion))
  }

  /** The provider the credentials come from. */
  get provider(): SecretProviderLike {
    return this.#provider
  }

  /** How many refused logins (28P01/28000) were retried since the pool was created. */
  get authRetries(): number {
    return this.#retrier?.retries ?? 0
  }

  override on(event: 'rotate', listener: (event: PoolRotateEvent) => void): this
  override on<K extends PoolEvent>(
    event: K,
    listener: K extends 'error' | 'release'
      ? (err: Error, client: pg.PoolClient) => void
      : (client: pg.PoolClient) => void,
  ): this
  // biome-ignore lint/suspicious/noExplicitAny: EventEmitter listeners take any arguments
  override on(event: string, listener: (...args: any[]) => void): this {
    return super.on(event as PoolEvent, listener)
  }

  /**
   * Ends every connection, stops following rotations and, when the pool built the provider from a
   * `source`, closes it.
   */
  override end(): Promise<void>
  override end(callback: () => void): void
  override end(callback?: (error?: Error) => void): Promise<void> | undefined {
    if (this.ending) {
      if (callback === undefined) return super.end()
      super.end(callback)
      return undefined
    }
    this.#unsubscribe()
    this.#retrier?.close()
    const ended = super.end().finally(() => (this.#ownsProvider ? this.#provider.close() : undefined))
    if (callback === undefined) return ended
    ended.then(() => callback(), callback)
    return undefined
  }

  /** @internal pg-pool opens a connection for a checkout here; a refused login is retried. */
  protected newClient(item: PendingItem): void {
    this.#retrier?.track(item)
    base().newClient.call(this, item)
  }

  /** @internal pg-pool takes a client back here; one with rotated-out credentials is closed. */
  protected _release(client: pg.PoolClient, idleListener: unknown, error?: unknown): void {
    if (this.#retireOnRotate && this.#credentials.isStale(client)) this.#internals._expired.add(client)
    base()._release.call(this, client, idleListener, error)
  }

  get #internals(): PoolInternals {
    return this as unknown as PoolInternals
  }

  #rotated(oldVersion: string, newVersion: string): void {
    if (this.#retireOnRotate && !this.ending) {
      const internals = this.#internals
      for (const { client } of [...internals._idle]) {
        if (this.#credentials.isStale(client)) this.#removeIdle(client)
      }
    }
    // After the idle old connections are gone, so a retried checkout cannot be handed one of them.
    this.#retrier?.wake()
    this.emit('rotate', {
      name: this.#credentials.secretName,
      oldVersion,
      newVersion,
    } satisfies PoolRotateEvent)
  }

  /** Ends an idle client, then serves the queue (pg-pool 3.5.2's `_remove` takes no callback). */
  #removeIdle(client: pg.PoolClient): void {
    const internals = this.#internals
    if (base()._remove.length >= 2) {
      internals._remove(client, () => internals._pulseQueue())
    } else {
      internals._remove(client)
      internals._pulseQueue()
    }
  }

  #requeue(item: PendingItem): void {
    const internals = this.#internals
    internals._pendingQueue.unshift(item)
    internals._pulseQueue()
  }

  #unqueue(item: PendingItem): boolean {
    const queue = this.#internals._pendingQueue
    const at = queue.indexOf(item)
    if (at === -1) return false
    queue.splice(at, 1)
    return true
  }
}
