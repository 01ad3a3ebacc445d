import { InvalidOptionsError, type SecretLogger } from '@latchkey/core'
import { processWarningLogger } from '@latchkey/core/internal'
import vault from 'node-vault'
import { type VaultAuth, VaultAuthenticator } from './auth.js'
import { classifyVaultError, statusOf } from './errors.js'

/** How a Vault source reaches Vault. Pass `client` or `endpoint`, not both. */
export interface VaultConnectionOptions {
  /**
   * A node-vault client to use (for TLS settings, a proxy, custom request options). Its `token` is
   * neither used nor changed: the source sends its own token with each request.
   */
  client?: NodeVaultClient
  /** Vault's address; a client is created for it. @default process.env.VAULT_ADDR ?? 'http://127.0.0.1:8200' (node-vault's default) */
  endpoint?: string
  /** How to authenticate. */
  auth: VaultAuth
  /** Vault Enterprise namespace, sent as `X-Vault-Namespace` on every call (logins included). @default none */
  namespace?: string
  /** Where warnings about background token renewal go. @default process.emitWarning */
  logger?: SecretLogger
}

/** The node-vault client type. */
export type NodeVaultClient = vault.client

/** node-vault request options carrying the token and namespace headers. */
export type VaultRequestOptions = { headers: Record<string, string> }

const defaultLogger: SecretLogger = processWarningLogger('LATCHKEY_VAULT')

function required(value: unknown, what: string, source: string): void {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidOptionsError(`${source}: ${what} must be a non-empty string`)
  }
}

/** Throws {@link InvalidOptionsError} for options that cannot work. */
export function checkConnectionOptions(options: VaultConnectionOptions | undefined, source: string): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(
      `${source}: pass options such as { endpoint, auth: { type: 'token', token } }`,
    )
  }
  if (options.client !== undefined && options.endpoint !== undefined) {
    throw new InvalidOptionsError(`${source}: pass either { client } or { endpoint }, not both`)
  }
  if (options.client !== undefined && typeof options.client.read !== 'function') {
    throw new InvalidOptionsError(`${source}: { client } must be a node-vault client`)
  }
  const auth = options.auth as VaultAuth | undefined
  switch (auth?.type) {
    case 'token':
      required(auth.token, 'auth.token', source)
      break
    case 'approle':
      required(auth.roleId, 'auth.roleId', source)
      break
    case 'kubernetes':
      required(auth.role, 'auth.role', source)
      break
    default:
      throw new InvalidOptionsError(
        `${source}: auth must be { type: 'token', token }, { type: 'approle', roleId, secretId } or { type: 'kubernetes', role }`,
      )
  }
}

/** A client plus the token that goes with it; retries once with a new login when Vault answers 403. */
export class VaultSession {
  readonly client: NodeVaultClient
  readonly auth: VaultAuthenticator
  readonly logger: SecretLogger

  constructor(options: VaultConnectionOptions) {
    this.client =
      options.client ?? vault(options.endpoint === undefined ? {} : { endpoint: options.endpoint })
    this.logger = options.logger ?? defaultLogger
    this.auth = new VaultAuthenticator(this.client, options.auth, {
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      logger: this.logger,
    })
  }

  /**
   * Runs one Vault call with the current token. On 403 with a login-based auth it logs in again
   * (once, shared with concurrent callers) and retries the call once.
   */
  async call<T>(run: (options: VaultRequestOptions) => Promise<T>): Promise<T> {
    const token = await this.auth.token()
    try {
      return await run(this.auth.requestOptions(token))
    } catch (error) {
      if (statusOf(error) !== 403) throw error
      const fresh = await this.auth.reauthenticate(token)
      if (fresh === undefined) throw error
      return await run(this.auth.requestOptions(fresh))
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
    signal?.throwIfAborted()
    try {
      return await this.call((options) => this.client.read(path, options))
    } catch (error) {
      throw classifyVaultError(error, context)
    }
  }

  close(): void {
    this.auth.close()
  }
}
