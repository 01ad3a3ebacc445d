import {
  type LoadContext,
  type LoadedSecret,
  type SecretSource,
  SecretUnavailableError,
} from '@latchkey/core'
import { databaseTokenSecret } from '@latchkey/core/internal'
import { checkRdsIamOptions, type RdsAuthTokenSigner, type RdsIamAuthSourceOptions } from './options.js'
import { readRdsToken } from './token.js'

const SOURCE = 'aws-rds-iam'
const DEFAULT_MARGIN_MS = 60_000

/**
 * A `SecretSource` of RDS / Aurora IAM authentication tokens, for `RotatingPool`: each load
 * presigns one token (local SigV4, no network call once credentials are resolved) and returns the
 * RDS rotation format `{ username, password, host, port }` with the token as `password`, a new
 * version per token and a `ttlMs` that ends `expiryMarginMs` before the token's 15 minutes do. The
 * cache's single-flight and refresh-ahead mean one token per lifetime, never one per connection.
 *
 * Every name loads the same token (use one name, such as `'rds'`, with `RotatingPool({ secret })`).
 * A signer that fails (no credentials found, IMDS or STS unreachable) gives `SecretUnavailableError`
 * (transient): the cache keeps its current token while it is fresh enough and retries.
 */
export class RdsIamAuthSource implements SecretSource {
  readonly name = SOURCE
  readonly #options: RdsIamAuthSourceOptions
  #signer: Promise<RdsAuthTokenSigner> | undefined

  /** @throws {InvalidOptionsError} (`ERR_SECRET_INVALID_OPTIONS`) naming a wrong or unknown option. */
  constructor(options: RdsIamAuthSourceOptions) {
    checkRdsIamOptions(options)
    this.#options = { ...options }
    if (options.signer !== undefined) this.#signer = Promise.resolve(options.signer)
  }

  async load(name: string, _ctx?: LoadContext): Promise<LoadedSecret> {
    const { hostname, port, username } = this.#options
    const started = Date.now()
    let token: string
    try {
      const signer = await this.#getSigner()
      token = await signer.getAuthToken()
    } catch (error) {
      throw new SecretUnavailableError(
        { secretName: name, source: SOURCE, cause: error },
        `RdsIamAuthSource could not sign an auth token for ${username}@${hostname}:${port}`,
      )
    }
    const facts = typeof token === 'string' ? readRdsToken(token) : undefined
    if (facts === undefined) {
      throw new SecretUnavailableError(
        { secretName: name, source: SOURCE },
        'RdsIamAuthSource: the signer returned something that is not an RDS auth token (host:port/?Action=connect&…)',
      )
    }
    const margin = this.#options.expiryMarginMs ?? DEFAULT_MARGIN_MS
    // RDS counts from the token's X-Amz-Date (whole seconds, and the signer's clock, which may be
    // skew-corrected); the start of the mint bounds it on this clock: the earlier of the two is never late
    const from = facts.signedAtMs === undefined ? started : Math.min(started, facts.signedAtMs)
    return databaseTokenSecret(
      { username, token, host: hostname, port, expiresAt: from + facts.lifetimeMs },
      Date.now(),
      margin,
    )
  }

  #getSigner(): Promise<RdsAuthTokenSigner> {
    this.#signer ??= this.#buildSigner()
    return this.#signer
  }

  async #buildSigner(): Promise<RdsAuthTokenSigner> {
    const { hostname, port, username, region, credentials } = this.#options
    try {
      const { Signer } = await import('@aws-sdk/rds-signer')
      const config: Record<string, unknown> = { hostname, port, username }
      if (region !== undefined) config.region = region
      if (credentials !== undefined) config.credentials = credentials
      return new Signer(config as unknown as ConstructorParameters<typeof Signer>[0])
    } catch (error) {
      this.#signer = undefined
      throw error
    }
  }
}
