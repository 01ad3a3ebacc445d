import {
  type CachedSecretProvider,
  InvalidSecretJsonError,
  type SecretErrorOptions,
  type SecretHandle,
  SecretTimeoutError,
} from '@latchkey/core'
import { parseSecretJson } from '@latchkey/core/internal'

/** What a new connection logs in with. `password` is never enumerable. */
export interface DatabaseCredentials {
  readonly user: string
  readonly password: string
  readonly host?: string
  readonly port?: number
  readonly database?: string
  /** Version of the secret these credentials came from. */
  readonly version: string
}

/** Where credentials come from: a JSON secret, or a password secret plus a fixed user. */
export type CredentialSpec =
  | { kind: 'json'; secret: string }
  | { kind: 'password'; secret: string; user: string }

/**
 * The current database credentials of one pool, read synchronously from a {@link SecretHandle},
 * and the version each connection was opened with.
 */
export class SecretCredentials {
  readonly #handle: SecretHandle
  readonly #spec: CredentialSpec
  readonly #source: string
  readonly #opened = new WeakMap<object, string>()
  #cached: DatabaseCredentials | undefined

  constructor(provider: CachedSecretProvider, spec: CredentialSpec) {
    this.#spec = spec
    this.#source = provider.source.name
    this.#handle = provider.handle(spec.secret)
  }

  /** The secret's name, as given in the options. */
  get secretName(): string {
    return this.#spec.secret
  }

  /** Version of the current credentials, or `undefined` while none are loaded. */
  get version(): string | undefined {
    return this.#handle.version
  }

  /**
   * The current credentials; waits for the first load (at most `budget` ms when given). Rejects with
   * the typed error of a bad secret.
   */
  async current(budget?: number): Promise<DatabaseCredentials> {
    if (!this.#handle.loaded) {
      if (budget === undefined) await this.#handle.ready()
      else await this.#firstLoad(budget)
    }
    return this.currentSync()
  }

  /**
   * The first load, bounded by `budget` ms: past it, a `SecretTimeoutError` naming the secret (the
   * load goes on, and a later connect shares it).
   */
  async #firstLoad(budget: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new SecretTimeoutError(budget, {
            secretName: this.#spec.secret,
            source: this.#source,
            cause: new Error(
              `the connection's budget (connectionTimeoutMillis less a margin: ${budget} ms) ran out before the credentials loaded`,
            ),
          }),
        )
      }, budget)
    })
    try {
      await Promise.race([this.#handle.ready(), deadline])
    } finally {
      clearTimeout(timer)
    }
  }

  /** The current credentials without waiting. Throws when none are loaded or the secret is malformed. */
  currentSync(): DatabaseCredentials {
    const version = this.#handle.version
    if (this.#cached !== undefined && this.#cached.version === version) return this.#cached
    const value = this.#handle.reveal()
    const { password, ...fields } =
      this.#spec.kind === 'password' ? { user: this.#spec.user, password: value } : this.#fromJson(value)
    const credentials = hidePassword({ ...fields, version: version ?? '' }, password)
    this.#cached = credentials
    return credentials
  }

  /** Calls `listener` after each rotation of the secret. Returns the unsubscribe function. */
  onRotate(listener: (event: { oldVersion: string; newVersion: string }) => void): () => void {
    return this.#handle.onChange(({ oldVersion, newVersion }) => listener({ oldVersion, newVersion }))
  }

  /** Records that `client` logged in with the credentials of `version`. */
  remember(client: object, version: string): void {
    this.#opened.set(client, version)
  }

  /** True when `client` logged in with credentials that have since rotated. */
  isStale(client: object): boolean {
    const opened = this.#opened.get(client)
    const current = this.#handle.version
    return opened !== undefined && current !== undefined && this.#handle.loaded && opened !== current
  }

  #fromJson(value: string): Omit<DatabaseCredentials, 'version'> & { password: string } {
    const context: SecretErrorOptions = { secretName: this.#spec.secret, source: this.#source }
    const json = parseSecretJson(value, context)
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new InvalidSecretJsonError('must be a JSON object with "username" and "password" fields', context)
    }
    const fields = json as Record<string, unknown>
    const user = requiredString(fields, 'username', context)
    const password = requiredString(fields, 'password', context)
    const host = optionalString(fields, 'host', context)
    const database = optionalString(fields, 'dbname', context)
    const port = optionalPort(fields, context)
    return {
      user,
      password,
      ...(host === undefined ? {} : { host }),
      ...(port === undefined ? {} : { port }),
      ...(database === undefined ? {} : { database }),
    }
  }
}

function hidePassword(fields: Omit<DatabaseCredentials, 'password'>, password: string): DatabaseCredentials {
  const credentials = { ...fields }
  Object.defineProperty(credentials, 'password', { value: password, enumerable: false })
  return Object.freeze(credentials) as DatabaseCredentials
}

function requiredString(fields: Record<string, unknown>, field: string, context: SecretErrorOptions): string {
  const value = fields[field]
  if (!Object.hasOwn(fields, field) || value === undefined || value === null) {
    throw new InvalidSecretJsonError(`has no "${field}" field`, { ...context, field })
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidSecretJsonError(`field "${field}" must be a non-empty string`, { ...context, field })
  }
  return value
}

function optionalString(
  fields: Record<string, unknown>,
  field: string,
  context: SecretErrorOptions,
): string | undefined {
  const value = fields[field]
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') {
    throw new InvalidSecretJsonError(`field "${field}" must be a string`, { ...context, field })
  }
  return value
}

function optionalPort(fields: Record<string, unknown>, context: SecretErrorOptions): number | undefined {
  const value = fields.port
  if (value === undefined || value === null || value === '') return undefined
  const port = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidSecretJsonError('field "port" must be a port number', { ...context, field: 'port' })
  }
  return port
}
