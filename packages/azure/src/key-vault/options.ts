import type { SecretClient, SecretClientOptions } from '@azure/keyvault-secrets'
import { InvalidOptionsError } from '@latchkey/core'
import { checkSourceOptionNames, describeOptionValue, optionKeys } from '@latchkey/core/internal'

/** A `TokenCredential` as `SecretClient` takes it (from `@azure/core-auth`, e.g. any `@azure/identity` credential). */
export type AzureTokenCredential = ConstructorParameters<typeof SecretClient>[1]

/** Options for {@link AzureKeyVaultSource}. */
export interface AzureKeyVaultSourceOptions {
  /**
   * The vault's URL, e.g. `https://my-vault.vault.azure.net`. Required unless `client` is given.
   */
  vaultUrl?: string
  /**
   * The credential of a client the source builds: any `TokenCredential`, such as
   * `new ManagedIdentityCredential()` or `new WorkloadIdentityCredential()` from `@azure/identity`.
   * @default a `DefaultAzureCredential`, imported from `@azure/identity` (an optional peer) on the first load
   */
  credential?: AzureTokenCredential
  /**
   * A `SecretClient` you built. The source uses it as it is (its own retry settings apply). Do not
   * combine with `vaultUrl`, `credential`, `sdkRetries` or `clientOptions`.
   * @default a client the source builds
   */
  client?: SecretClient
  /**
   * A pinned version: one version id for every name (a source serving one secret), or a map of
   * name → version id. A name written `name@version` pins that version whatever this says.
   * @default the latest version
   */
  version?: string | Record<string, string>
  /**
   * Let a built client retry on its own (the SDK's default policy: 3 retries, honouring
   * `Retry-After`). Off by default (`retryOptions.maxRetries: 0`), so that only the cache's retry
   * policy applies and attempts are not multiplied.
   * @default false
   */
  sdkRetries?: boolean
  /** Any other `SecretClient` options for a built client (agent, TLS, proxy, `serviceVersion`…). Retry settings go through `sdkRetries`. */
  clientOptions?: Omit<SecretClientOptions, 'retryOptions'>
  /** Time source for the `notBefore` and `expiresOn` checks. @default Date.now */
  clock?: () => number
}

const BUILD_OPTIONS = ['vaultUrl', 'credential', 'sdkRetries', 'clientOptions'] as const
/** A version id: Key Vault writes 32 hex digits; other letters and digits are let through. */
const VERSION = /^[0-9a-zA-Z]{1,64}$/

function fail(option: string, value: unknown, allowed: string): never {
  throw new InvalidOptionsError(
    `AzureKeyVaultSource: { ${option} } must be ${allowed}; got ${describeOptionValue(value, 60)}`,
  )
}

/** An http(s) URL without user info, query or fragment: `localhost:4599` parses as scheme `localhost:` and is refused. */
function isVaultUrl(text: string): boolean {
  if (!URL.canParse(text)) return false
  const url = new URL(text)
  return (
    /^https?:$/.test(url.protocol) &&
    url.hostname !== '' &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.hash === ''
  )
}

/** The checked options. */
export interface ResolvedOptions {
  vaultUrl: string
  client: SecretClient | undefined
  credential: AzureTokenCredential | undefined
  clientOptions: SecretClientOptions
  versions: (name: string) => string | undefined
  clock: () => number
}

/** Checks the options; throws {@link InvalidOptionsError} naming the option, its type and what it takes. */
export function resolveOptions(options: AzureKeyVaultSourceOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options', options, 'an object')
  checkSourceOptionNames(options, KEY_VAULT_OPTION_KEYS, 'AzureKeyVaultSource')
  const { client } = options
  let vaultUrl: string
  if (client !== undefined) {
    if (typeof (client as { getSecret?: unknown }).getSecret !== 'function') {
      fail('client', client, 'a SecretClient from @azure/keyvault-secrets')
    }
    const extra = BUILD_OPTIONS.filter((key) => options[key] !== undefined)
    if (extra.length > 0) {
      throw new InvalidOptionsError(
        `AzureKeyVaultSource: ${extra.join(', ')} configure a client the source builds; with { client }, set them on your client instead`,
      )
    }
    vaultUrl = client.vaultUrl
  } else {
    const url = options.vaultUrl
    if (typeof url !== 'string' || !isVaultUrl(url)) {
      fail(
        'vaultUrl',
        url,
        'the vault URL, such as https://my-vault.vault.azure.net (http or https, no credentials, query or fragment)',
      )
    }
    vaultUrl = url
  }
  const credential = options.credential
  if (credential !== undefined && typeof (credential as { getToken?: unknown }).getToken !== 'function') {
    fail('credential', credential, 'a TokenCredential (an object with getToken)')
  }
  if (options.sdkRetries !== undefined && typeof options.sdkRetries !== 'boolean') {
    fail('sdkRetries', options.sdkRetries, 'true or false')
  }
  const given = options.clientOptions
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
    fail('clientOptions', given, 'an object of SecretClient options')
  }
  if (given !== undefined && Object.hasOwn(given, 'retryOptions')) {
    throw new InvalidOptionsError(
      "AzureKeyVaultSource: clientOptions.retryOptions is not accepted; use { sdkRetries: true } for the SDK's retries",
    )
  }
  const clock = options.clock ?? Date.now
  if (typeof clock !== 'function') fail('clock', clock, 'a function returning epoch milliseconds')
  return {
    vaultUrl,
    client,
    credential,
    clientOptions: { ...given, ...(options.sdkRetries === true ? {} : { retryOptions: { maxRetries: 0 } }) },
    versions: resolveVersions(options.version),
    clock,
  }
}

function resolveVersions(version: unknown): (name: string) => string | undefined {
  if (version === undefined) return () => undefined
  if (typeof version === 'string') {
    if (!VERSION.test(version)) fail('version', version, 'a version id of 1–64 letters and digits')
    return () => version
  }
  if (typeof version !== 'object' || version === null || Array.isArray(version)) {
    fail('version', version, 'a version id or a { [name]: versionId } map')
  }
  const map = new Map<string, string>()
  for (const [name, id] of Object.entries(version as Record<string, unknown>)) {
    if (typeof id !== 'string' || !VERSION.test(id))
      fail(`version["${name}"]`, id, 'a version id of 1–64 letters and digits')
    map.set(name, id)
  }
  return (name) => map.get(name)
}

const KEY_VAULT_OPTION_KEYS = optionKeys<AzureKeyVaultSourceOptions>({
  vaultUrl: true,
  credential: true,
  client: true,
  version: true,
  sdkRetries: true,
  clientOptions: true,
  clock: true,
})
