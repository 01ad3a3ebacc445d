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

/** The OAuth scope Azure Database for PostgreSQL and MySQL accept Entra tokens for. */
export const OSS_RDBMS_SCOPE = 'https://ossrdbms-aad.database.windows.net/.default'

/** Any `TokenCredential` from `@azure/identity` (or your own) fits. */
export interface EntraTokenCredential {
  getToken(
    scopes: string | string[],
    options?: { abortSignal?: AbortSignal },
  ): Promise<{ token: string; expiresOnTimestamp: number } | null>
}

/** Options for {@link EntraDatabaseTokenSource}. */
export interface EntraDatabaseTokenSourceOptions {
  /** The database user: the Entra user, group or managed identity name created in the server. */
  username: string
  /** The credential that mints tokens. @default `DefaultAzureCredential` from `@azure/identity` (optional peer) */
  credential?: EntraTokenCredential
  /** The scope requested. @default 'https://ossrdbms-aad.database.windows.net/.default' */
  scope?: string
  /** How long before `expiresOnTimestamp` the cached value ends. @default 300_000 */
  expiryMarginMs?: number
}

const PREFIX = 'EntraDatabaseTokenSource'
const SOURCE = 'azure-entra-database'
const KNOWN = ['username', 'credential', 'scope', 'expiryMarginMs'] as const

/** A credential failure that retrying cannot fix: no credential in the chain, a rejected client (4xx but 429). */
function isPermanent(error: unknown): boolean {
  const { name, statusCode } = (error ?? {}) as { name?: unknown; statusCode?: unknown }
  if (name === 'CredentialUnavailableError' || name === 'AuthenticationRequiredError') return true
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500 && statusCode !== 429
}

/**
 * A `SecretSource` of Microsoft Entra access tokens for Azure Database for PostgreSQL (passwordless
 * login), for `RotatingPool`: each load asks the credential for one token of `scope` and returns
 * `{ username, password }` (the RDS format; give `host`/`port` to the pool), a new version per token
 * and a `ttlMs` that ends `expiryMarginMs` before `expiresOnTimestamp`. Single-flight and
 * refresh-ahead from the cache: one token per lifetime, never one per connection.
 *
 * A credential that is unavailable or refused (`CredentialUnavailableError`, an HTTP 4xx other than
 * 429) gives `SecretAccessDeniedError` (permanent); a network failure, 429 or 5xx gives
 * `SecretUnavailableError` (transient).
 */
export class EntraDatabaseTokenSource implements SecretSource {
  readonly name = SOURCE
  readonly #username: string
  readonly #scope: string
  readonly #margin: number
  #credential: Promise<EntraTokenCredential> | undefined

  /** @throws {InvalidOptionsError} (`ERR_SECRET_INVALID_OPTIONS`) naming a wrong or unknown option. */
  constructor(options: EntraDatabaseTokenSourceOptions) {
    const record = checkTokenOptions(PREFIX, options, KNOWN)
    checkTokenString(PREFIX, record, 'username', true)
    checkTokenString(PREFIX, record, 'scope', false)
    checkTokenInteger(PREFIX, record, 'expiryMarginMs', false, 0, 3_600_000)
    const credential = record.credential as { getToken?: unknown } | undefined
    if (
      credential !== undefined &&
      (typeof credential !== 'object' || typeof credential?.getToken !== 'function')
    ) {
      throw new InvalidOptionsError(
        `${PREFIX}: { credential } must be a TokenCredential (an object with getToken())`,
      )
    }
    this.#username = options.username
    this.#scope = options.scope ?? OSS_RDBMS_SCOPE
    this.#margin = options.expiryMarginMs ?? 300_000
    if (options.credential !== undefined) this.#credential = Promise.resolve(options.credential)
  }

  async load(name: string, ctx?: LoadContext): Promise<LoadedSecret> {
    let answer: Awaited<ReturnType<EntraTokenCredential['getToken']>>
    try {
      const credential = await this.#getCredential()
      answer = await credential.getToken(this.#scope, ctx?.signal ? { abortSignal: ctx.signal } : {})
    } catch (error) {
      const options = { secretName: name, source: SOURCE, cause: error }
      const message = `${PREFIX} could not get a token for ${this.#scope}`
      throw isPermanent(error)
        ? new SecretAccessDeniedError(options, message)
        : new SecretUnavailableError(options, message)
    }
    if (
      answer === null ||
      typeof answer?.token !== 'string' ||
      answer.token.length === 0 ||
      !Number.isFinite(answer.expiresOnTimestamp)
    ) {
      throw new SecretUnavailableError(
        { secretName: name, source: SOURCE },
        `${PREFIX}: the credential returned no token with an expiresOnTimestamp`,
      )
    }
    return databaseTokenSecret(
      { username: this.#username, token: answer.token, expiresAt: answer.expiresOnTimestamp },
      Date.now(),
      this.#margin,
    )
  }

  #getCredential(): Promise<EntraTokenCredential> {
    this.#credential ??= import('@azure/identity').then(
      (identity) => new identity.DefaultAzureCredential() as EntraTokenCredential,
      (error: unknown) => {
        this.#credential = undefined
        throw new InvalidOptionsError(
          `${PREFIX}: no { credential } was given and @azure/identity is not installed; install it or pass any TokenCredential`,
          { cause: error },
        )
      },
    )
    return this.#credential
  }
}
