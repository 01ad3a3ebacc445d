import {
  InvalidOptionsError,
  type LoadContext,
  type LoadedSecret,
  SecretAccessDeniedError,
  type SecretSource,
  SecretUnavailableError,
} from '@latchkey/core'
import {
  checkTokenInteger,
  checkTokenOptions,
  checkTokenString,
  databaseTokenSecret,
} from '@latchkey/core/internal'

/** The OAuth scope of Cloud SQL IAM database authentication tokens. */
export const SQL_LOGIN_SCOPE = 'https://www.googleapis.com/auth/sqlservice.login'

/** The part of a google-auth-library client the source uses (`OAuth2Client`, `Compute`, `JWT`, …). */
export interface CloudSqlAuthClient {
  getAccessToken(): Promise<{ token?: string | null }>
  credentials: { expiry_date?: number | null }
}

/** What `auth` may be: a `GoogleAuth` (anything with `getClient()`) or a client itself. */
export type CloudSqlAuth = { getClient(): Promise<CloudSqlAuthClient> } | CloudSqlAuthClient

/** Options for {@link CloudSqlIamAuthSource}. */
export interface CloudSqlIamAuthSourceOptions {
  /**
   * The database user: for a service account its email without `.gserviceaccount.com`
   * (PostgreSQL), for a user account the email.
   */
  username: string
  /**
   * A `GoogleAuth` (built with the `sqlservice.login` scope) or an auth client.
   * @default `new GoogleAuth({ scopes: [SQL_LOGIN_SCOPE] })` from `google-auth-library` (optional peer): Application Default Credentials
   */
  auth?: CloudSqlAuth
  /** How long before the token's expiry the cached value ends. @default 300_000 */
  expiryMarginMs?: number
}

const PREFIX = 'CloudSqlIamAuthSource'
const SOURCE = 'google-cloud-sql-iam'
const KNOWN = ['username', 'auth', 'expiryMarginMs'] as const
/** Google access tokens live one hour; used only when the client reports no expiry. */
const DEFAULT_LIFETIME_MS = 3_600_000

/** `invalid_grant`, `invalid_client`, a 4xx other than 429: retrying cannot fix it. */
function isPermanent(error: unknown): boolean {
  const { status, code, response } = (error ?? {}) as {
    status?: unknown
    code?: unknown
    response?: { status?: unknown; data?: { error?: unknown } }
  }
  const http = [status, code, response?.status].find((v) => typeof v === 'number') as number | undefined
  if (http !== undefined) return http >= 400 && http < 500 && http !== 429
  const oauth = response?.data?.error
  return oauth === 'invalid_grant' || oauth === 'invalid_client' || oauth === 'unauthorized_client'
}

/**
 * A `SecretSource` of Cloud SQL IAM database authentication tokens (OAuth access tokens with the
 * `sqlservice.login` scope), for `RotatingPool`: each load asks google-auth-library for the current
 * token and returns `{ username, password }` (the RDS format; give `host`/`port` to the pool), a new
 * version per token and a `ttlMs` that ends `expiryMarginMs` before the token's `expiry_date`.
 *
 * A refused credential (HTTP 4xx other than 429, `invalid_grant`) gives `SecretAccessDeniedError`
 * (permanent); a network failure, 429 or 5xx, or no credentials found yet, gives
 * `SecretUnavailableError` (transient).
 */
export class CloudSqlIamAuthSource implements SecretSource {
  readonly name = SOURCE
  readonly #username: string
  readonly #margin: number
  #client: Promise<CloudSqlAuthClient> | undefined
  readonly #auth: CloudSqlAuth | undefined

  /** @throws {InvalidOptionsError} (`ERR_SECRET_INVALID_OPTIONS`) naming a wrong or unknown option. */
  constructor(options: CloudSqlIamAuthSourceOptions) {
    const record = checkTokenOptions(PREFIX, options, KNOWN)
    checkTokenString(PREFIX, record, 'username', true)
    checkTokenInteger(PREFIX, record, 'expiryMarginMs', false, 0, 3_600_000)
    const auth = record.auth as { getClient?: unknown; getAccessToken?: unknown } | undefined
    if (
      auth !== undefined &&
      (typeof auth !== 'object' ||
        auth === null ||
        (typeof auth.getClient !== 'function' && typeof auth.getAccessToken !== 'function'))
    ) {
      throw new InvalidOptionsError(
        `${PREFIX}: { auth } must be a GoogleAuth or an auth client (getClient() or getAccessToken())`,
      )
    }
    this.#username = options.username
    this.#margin = options.expiryMarginMs ?? 300_000
    this.#auth = options.auth
  }

  async load(name: string, _ctx?: LoadContext): Promise<LoadedSecret> {
    const started = Date.now()
    let token: string | null | undefined
    let expiry: number | null | undefined
    try {
      const client = await this.#getClient()
      token = (await client.getAccessToken()).token
      expiry = client.credentials?.expiry_date
    } catch (error) {
      if (error instanceof InvalidOptionsError) throw error
      const options = { secretName: name, source: SOURCE, cause: error }
      const message = `${PREFIX} could not get an access token for ${SQL_LOGIN_SCOPE}`
      throw isPermanent(error)
        ? new SecretAccessDeniedError(options, message)
        : new SecretUnavailableError(options, message)
    }
    if (typeof token !== 'string' || token.length === 0) {
      throw new SecretUnavailableError(
        { secretName: name, source: SOURCE },
        `${PREFIX}: the auth client returned no access token`,
      )
    }
    const expiresAt =
      typeof expiry === 'number' && Number.isFinite(expiry) ? expiry : started + DEFAULT_LIFETIME_MS
    return databaseTokenSecret({ username: this.#username, token, expiresAt }, Date.now(), this.#margin)
  }

  #getClient(): Promise<CloudSqlAuthClient> {
    this.#client ??= this.#resolveClient().catch((error: unknown) => {
      this.#client = undefined
      throw error
    })
    return this.#client
  }

  async #resolveClient(): Promise<CloudSqlAuthClient> {
    let auth = this.#auth
    if (auth === undefined) {
      let library: typeof import('google-auth-library')
      try {
        library = await import('google-auth-library')
      } catch (error) {
        throw new InvalidOptionsError(
          `${PREFIX}: no { auth } was given and google-auth-library is not installed; install it or pass a GoogleAuth`,
          { cause: error },
        )
      }
      auth = new library.GoogleAuth({ scopes: [SQL_LOGIN_SCOPE] }) as unknown as CloudSqlAuth
    }
    return 'getClient' in auth && typeof auth.getClient === 'function'
      ? await auth.getClient()
      : (auth as CloudSqlAuthClient)
  }
}
