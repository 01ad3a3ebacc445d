import type { SecretLogger } from '@latchkey/core'
import { processWarningLogger } from '@latchkey/core/internal'
import vault from 'node-vault'
import { type TokenLife, type VaultAuth, VaultAuthenticator } from './auth.js'
import { classifyVaultError, statusOf } from './errors.js'
import type { ConnectionSettings } from './options.js'

/** How a Vault source reaches Vault. Pass `client` or `endpoint`, not both. */
export interface VaultConnectionOptions {
  /**
   * A node-vault client to use (for TLS settings, a proxy, custom request options). Its `token` is
   * neither used nor changed: the source sends its own token with each request.
   */
  client?: NodeVaultClient
  /**
   * Vault's address, an `http://` or `https://` URL; a client is created for it. Checked when the
   * source is built (`ERR_SECRET_INVALID_OPTIONS`), `VAULT_ADDR` too when it is used.
   * @default process.env.VAULT_ADDR ?? 'http://127.0.0.1:8200' (node-vault's default)
   */
  endpoint?: string
  /** How to authenticate. */
  auth: VaultAuth
  /**
   * Vault Enterprise namespace, sent as `X-Vault-Namespace` on every call (logins included). The
   * option wins over `VAULT_NAMESPACE`; without it `VAULT_NAMESPACE` applies, as for the Vault CLI.
   * With `client`, it must match the namespace the client was built with (node-vault writes
   * `client.namespace` over the header). @default process.env.VAULT_NAMESPACE, else none
   */
  namespace?: string
  /** Where warnings about background token renewal go. @default process.emitWarning */
  logger?: SecretLogger
}

/** The node-vault client type. */
export type NodeVaultClient = vault.client

/** node-vault request options carrying the token and namespace headers. */
export type VaultRequestOptions = { headers: Record<string, string> }

const defaultLogger: SecretLogger = processWarningLogger('LATCHKEY_VAULT')

/** A client plus the token that goes with it; retries once with a new login when Vault answers 403. */
export class VaultSession {
  readonly client: NodeVaultClient
  readonly auth: VaultAuthenticator
  readonly logger: SecretLogger

  /** `settings` come from `resolveConnectionOptions` (options.ts), which has checked `options`. */
  constructor(options: VaultConnectionOptions, settings: ConnectionSettings) {
    const { endpoint, namespace } = settings
    // The namespace goes into the client's config: node-vault sets client.namespace from it (or
    // from VAULT_NAMESPACE) and writes that over the per-request header.
    this.client =
      options.client ??
      vault({
        ...(endpoint === undefined ? {} : { endpoint }),
        ...(namespace === undefined ? {} : { namespace }),
      })
    this.logger = options.logger ?? defaultLogger
    this.auth = new VaultAuthenticator(this.client, options.auth, {
      ...(namespace === undefined ? {} : { namespace }),
      logger: this.logger,
    })
  }

  /**
   * Runs one Vault call with the current token. On 403 with a login-based auth it logs in again
   * (once, shared with concurrent callers) and retries the call once.
   */
  async call<T>(run: (options: VaultRequestOptions) => Promise<T>): Promise<T> {
    return (await this.callAs(run)).result
  }

  /** {@link call}, also saying which token the answer was obtained with and how long that token lives. */
  async callAs<T>(
    run: (options: VaultRequestOptions) => Promise<T>,
  ): Promise<{ result: T; token: TokenLife }> {
    const token = await this.auth.token()
    const life = this.auth.life(token)
    try {
      return { result: await run(this.auth.requestOptions(token)), token: life }
    } catch (error) {
      if (statusOf(error) !== 403) throw error
      const fresh = await this.auth.reauthenticate(token)
      if (fresh === undefined) throw error
      const freshLife = this.auth.life(fresh)
      return { result: await run(this.auth.requestOptions(fresh)), token: freshLife }
    }
  }

  /**
   * The read every Vault source's `load` starts with: honours an aborted signal, reads `path` with
   * {@link call}, and turns a failure into a latchkey error for `context`'s secret.
   */
  async read(
    path: string,
    context: { secretName: string; source: string },
    signal?: AbortSignal,
  ): Promise<unknown> {
    return (await this.readAs(path, context, signal)).result
  }

  /** {@link read}, also saying which token read it (see {@link callAs}). */
  async readAs(
    path: string,
    context: { secretName: string; source: string },
    signal?: AbortSignal,
  ): Promise<{ result: unknown; token: TokenLife }> {
    signal?.throwIfAborted()
    try {
      return await this.callAs((options) => this.client.read(path, options))
    } catch (error) {
      throw classifyVaultError(error, context)
    }
  }

  close(): void {
    this.auth.close()
  }
}
