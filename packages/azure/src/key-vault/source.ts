import { type KeyVaultSecret, SecretClient } from '@azure/keyvault-secrets'
import {
  type LoadContext,
  type LoadedSecret,
  ProviderClosedError,
  SecretAccessDeniedError,
  type SecretSource,
  SecretUnavailableError,
} from '@latchkey/core'
import { toAzureSecretError } from '../errors.js'
import { defaultCredential } from './credential.js'
import { toKeyVaultName } from './names.js'
import { type AzureKeyVaultSourceOptions, type ResolvedOptions, resolveOptions } from './options.js'

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

/** What the source last read about a secret, besides its value (see {@link AzureKeyVaultSource.properties}). */
export interface AzureSecretProperties {
  /** The Key Vault secret name the latchkey name maps to. */
  keyVaultName: string
  /** The version id that was loaded. */
  version: string
  /** The secret's `contentType`, when set. */
  contentType?: string
  /** Not usable before this time, when set. */
  notBefore?: Date
  /** Not usable after this time, when set. The cache never keeps the value past it. */
  expiresOn?: Date
  /** When the version was last updated. */
  updatedOn?: Date
  /** The secret's tags. */
  tags?: Record<string, string>
}

/**
 * Loads secrets from Azure Key Vault with `SecretClient.getSecret`: the latest version, or a pinned
 * one (`name@version` or the `version` option); the version id is reported as the version. Names
 * map to Key Vault names with `/` written as `--`. A disabled, not-yet-valid or expired version is
 * refused (`ERR_SECRET_ACCESS_DENIED`), and `expiresOn` caps how long the value is cached. SDK
 * errors become latchkey errors (see {@link toAzureSecretError}).
 */
export class AzureKeyVaultSource implements SecretSource {
  readonly name = 'azure-key-vault'
  /** The vault's URL. */
  readonly vaultUrl: string
  readonly #options: ResolvedOptions
  #client: SecretClient | Promise<SecretClient> | undefined
  readonly #properties = new Map<string, AzureSecretProperties>()
  #closed = false

  constructor(options: AzureKeyVaultSourceOptions) {
    this.#options = resolveOptions(options)
    this.vaultUrl = this.#options.vaultUrl
    const { client, credential } = this.#options
    if (client !== undefined) this.#client = client
    else if (credential !== undefined) this.#client = this.#build(credential)
  }

  /**
   * What the last successful load of `name` read besides the value — `contentType`, `expiresOn`
   * and the rest — since core's `describe()` has no place for them. Never the value.
   */
  properties(name: string): AzureSecretProperties | undefined {
    const found = this.#properties.get(name)
    return found === undefined ? undefined : { ...found }
  }

  /** One `getSecret`; `ctx.signal` aborts the HTTP request (and a token request in flight). */
  async load(name: string, ctx: LoadContext): Promise<LoadedSecret> {
    if (this.#closed) throw new ProviderClosedError({ secretName: name, source: this.name })
    const { secret, version: pinned } = toKeyVaultName(name, this.name)
    const version = pinned ?? this.#options.versions(name)
    const client = await this.#clientFor()
    let reply: KeyVaultSecret
    try {
      reply = await client.getSecret(secret, {
        ...(version === undefined ? {} : { version }),
        abortSignal: ctx.signal,
      })
    } catch (error) {
      throw toAzureSecretError(error, {
        secretName: name,
        keyVaultName: secret,
        vaultUrl: this.vaultUrl,
        source: this.name,
        signal: ctx.signal,
      })
    }
    return this.#toLoaded(reply, name, secret)
  }

  /** Stops the source; later loads reject with `ERR_PROVIDER_CLOSED`. A `SecretClient` holds nothing to release. */
  async close(): Promise<void> {
    this.#closed = true
  }

  #build(credential: ConstructorParameters<typeof SecretClient>[1]): SecretClient {
    return new SecretClient(this.vaultUrl, credential, this.#options.clientOptions)
  }

  async #clientFor(): Promise<SecretClient> {
    if (this.#client === undefined) {
      const building = defaultCredential().then((credential) => this.#build(credential))
      this.#client = building
      building.catch(() => {
        if (this.#client === building) this.#client = undefined
      })
    }
    return this.#client
  }

  #toLoaded(reply: KeyVaultSecret, name: string, secret: string): LoadedSecret {
    const where = { secretName: name, source: this.name }
    const what = `secret "${name}" (source ${this.name})`
    const props = reply?.properties
    const version = props?.version
    if (typeof reply?.value !== 'string' || typeof version !== 'string' || version === '') {
      throw new SecretUnavailableError(
        where,
        `Key Vault answered for ${what} without a ${typeof reply?.value !== 'string' ? 'value' : 'version id'} (a malformed reply)`,
      )
    }
    const wrongType = malformedProperty(props as unknown as Record<string, unknown>)
    if (wrongType !== undefined) {
      throw new SecretUnavailableError(
        where,
        `Key Vault answered for ${what} with ${wrongType} (a malformed reply; nothing of it is served)`,
      )
    }
    if (props.enabled === false) {
      throw new SecretAccessDeniedError(where, `${what} is disabled in Key Vault (version ${version})`)
    }
    const now = this.#options.clock()
    const notBefore = validDate(props.notBefore)
    const expiresOn = validDate(props.expiresOn)
    if (notBefore !== undefined && notBefore.getTime() > now) {
      throw new SecretAccessDeniedError(
        where,
        `${what} is not valid yet: version ${version} has notBefore ${notBefore.toISOString()}`,
      )
    }
    if (expiresOn !== undefined && expiresOn.getTime() <= now) {
      throw new SecretAccessDeniedError(
        where,
        `${what} has expired: version ${version} has expiresOn ${expiresOn.toISOString()}`,
      )
    }
    this.#properties.set(name, {
      keyVaultName: secret,
      version,
      ...(typeof props.contentType === 'string' ? { contentType: props.contentType } : {}),
      ...(notBefore === undefined ? {} : { notBefore }),
      ...(expiresOn === undefined ? {} : { expiresOn }),
      ...(validDate(props.updatedOn) === undefined ? {} : { updatedOn: props.updatedOn as Date }),
      ...(props.tags === undefined ? {} : { tags: { ...props.tags } }),
    })
    return {
      value: reply.value,
      version,
      ...(expiresOn === undefined ? {} : { ttlMs: expiresOn.getTime() - now }),
      ...(typeof props.contentType === 'string' ? { contentType: props.contentType } : {}),
    }
  }

  [INSPECT](): string {
    return `AzureKeyVaultSource { vaultUrl: ${JSON.stringify(this.vaultUrl)}, closed: ${this.#closed} }`
  }

  toJSON(): object {
    return { name: this.name, vaultUrl: this.vaultUrl, closed: this.#closed }
  }
}

/**
 * The first property of a reply whose type is wrong, described without its value: `enabled` must
 * be a boolean, the dates valid dates, `contentType` a string and `tags` an object of strings.
 */
function malformedProperty(props: Record<string, unknown>): string | undefined {
  if (props.enabled !== undefined && typeof props.enabled !== 'boolean') {
    return `attributes.enabled of type ${typeof props.enabled} instead of a boolean`
  }
  for (const key of ['notBefore', 'expiresOn', 'createdOn', 'updatedOn']) {
    const value = props[key]
    if (value !== undefined && validDate(value) === undefined) return `a ${key} that is not a valid date`
  }
  if (props.contentType !== undefined && typeof props.contentType !== 'string') {
    return 'a contentType that is not a string'
  }
  const tags = props.tags
  if (
    tags !== undefined &&
    (typeof tags !== 'object' || tags === null || Object.values(tags).some((tag) => typeof tag !== 'string'))
  ) {
    return 'tags that are not an object of strings'
  }
  return undefined
}

function validDate(value: unknown): Date | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined
}
