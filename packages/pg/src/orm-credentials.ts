import { InvalidOptionsError, type SecretInfo } from '@latchkey/core'
import { describeType } from '@latchkey/core/internal'

/** The part of a provider the ORM helpers use: `CachedSecretProvider` fits. */
export interface OrmCredentialsProvider {
  getJson<T = unknown>(name: string): Promise<T>
  describe(name: string): SecretInfo | undefined
}

/** Login fields read from an RDS-format JSON secret. */
export interface OrmCredentials {
  user: string
  password: string
  host?: string
  port?: number
  database?: string
}

/** Throws `InvalidOptionsError` naming the argument unless `provider` and `secret` are usable. */
export function checkOrmArguments(helper: string, provider: unknown, secret: unknown): void {
  const p = provider as Partial<OrmCredentialsProvider> | null
  if (describeType(p) !== 'object' || typeof p?.getJson !== 'function' || typeof p.describe !== 'function') {
    throw new InvalidOptionsError(
      `${helper}: { provider } must be a CachedSecretProvider (getJson() and describe())`,
    )
  }
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new InvalidOptionsError(
      `${helper}: { secret } must be a non-empty string, got ${describeType(secret)}`,
    )
  }
}

/**
 * Reads `{ username, password, host?, port?, dbname? }` from the secret. Throws `InvalidOptionsError`
 * naming the field (never its value) when the secret does not have that shape.
 */
export async function readOrmCredentials(
  helper: string,
  provider: OrmCredentialsProvider,
  secret: string,
): Promise<{ credentials: OrmCredentials; version: string | undefined }> {
  const json = await provider.getJson<Record<string, unknown>>(secret)
  const version = provider.describe(secret)?.version
  if (describeType(json) !== 'object') {
    throw new InvalidOptionsError(`${helper}: secret ${secret} must be a JSON object { username, password }`)
  }
  for (const key of ['username', 'password'] as const) {
    if (typeof json[key] !== 'string') {
      throw new InvalidOptionsError(`${helper}: secret ${secret} has no string field ${key}`)
    }
  }
  const credentials: OrmCredentials = { user: json.username as string, password: json.password as string }
  if (typeof json.host === 'string') credentials.host = json.host
  if (typeof json.port === 'number' || typeof json.port === 'string') credentials.port = Number(json.port)
  if (typeof json.dbname === 'string') credentials.database = json.dbname
  return { credentials, version }
}

/**
 * The login the helpers handed out last, to tell whether a connection still holds it. A connection
 * is read as pg's `Client` keeps it: `user`, and `password` (non-enumerable). It holds the current
 * login while the secret's version is the one read last, its cache entry has not expired (for a
 * token source: the token has not either, as the entry ends first; an entry served stale while
 * reloads fail counts as current), and the connection logged in with that user and password.
 */
export class CurrentLogin {
  #version: string | undefined
  #user: string | undefined
  #password: string | undefined

  constructor(
    private readonly provider: OrmCredentialsProvider,
    private readonly secret: string,
  ) {}

  remember(credentials: OrmCredentials, version: string | undefined): void {
    this.#version = version
    this.#user = credentials.user
    this.#password = credentials.password
  }

  /** False for a connection to retire: made with other credentials, or the entry has expired. */
  holds(connection: unknown): boolean {
    const info = this.provider.describe(this.secret)
    if (info === undefined || info.version !== this.#version) return false
    // An entry served stale (reloads failing) keeps its connections: a new one would log in with the same value.
    if (info.expiresAt <= Date.now() && !info.stale) return false
    const login = connection as { user?: unknown; password?: unknown } | null
    return (
      typeof login === 'object' &&
      login !== null &&
      login.user === this.#user &&
      login.password === this.#password
    )
  }
}
