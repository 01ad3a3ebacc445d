import { SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager'
import { InvalidOptionsError } from '@latchkey/core'
import { optionKeys } from '@latchkey/core/internal'
import { isHttpUrl } from '../options.js'

/** Options for {@link AwsSecretsManagerSource}. */
export interface AwsSecretsManagerSourceOptions {
  /**
   * A client you built. The source uses it as it is (its own retry settings apply) and never
   * destroys it. Do not combine with `region`, `endpoint`, `credentials`, `sdkRetries` or
   * `clientConfig`, which configure a client the source builds.
   * @default a client the source builds and destroys on `close()`
   */
  client?: SecretsManagerClient
  /** AWS Region of a built client. @default the SDK's region chain (`AWS_REGION`, shared config files) */
  region?: string
  /** Endpoint of a built client, e.g. an emulator or a VPC endpoint URL. @default the Region's public endpoint */
  endpoint?: string
  /**
   * Credentials of a built client: static keys or a provider function. Leave unset in production
   * so the SDK's default chain finds them (environment, IRSA, EKS Pod Identity, ECS, instance role).
   * @default the SDK's default credential chain
   */
  credentials?: SecretsManagerClientConfig['credentials']
  /** The staging label to read. @default 'AWSCURRENT' */
  versionStage?: string
  /**
   * On a reload of a value the cache holds (refresh-ahead, `refresh()`, a rotation event), ask
   * `DescribeSecret` whether `versionStage` moved to another version and send `GetSecretValue`
   * only when it did. `DescribeSecret` has 4× the request quota of `GetSecretValue` (40,000/s
   * against 10,000/s per Region) and does not decrypt, so a fleet's refreshes stay far from the
   * read quota; a reload that finds a change costs two requests instead of one. Needs the
   * `secretsmanager:DescribeSecret` permission: when it is denied, the source turns checks off
   * and reads values as before. `false` always reads the value.
   * @default true
   */
  versionCheck?: boolean
  /**
   * Let a built client retry on its own (the SDK's standard policy, 3 attempts). Off by default,
   * so that only the cache's retry policy applies and attempts are not multiplied.
   * @default false
   */
  sdkRetries?: boolean
  /** Any other `SecretsManagerClient` settings for a built client (request handler, logger…). Retry settings go through `sdkRetries`. */
  clientConfig?: Omit<
    SecretsManagerClientConfig,
    'region' | 'endpoint' | 'credentials' | 'maxAttempts' | 'retryStrategy' | 'retryMode'
  >
}

const BUILD_OPTIONS = ['region', 'endpoint', 'credentials', 'sdkRetries', 'clientConfig'] as const
const RETRY_SETTINGS = ['maxAttempts', 'retryStrategy', 'retryMode']

/** Checks the options and returns the client to use and whether the source owns it. */
export function resolveClient(options: AwsSecretsManagerSourceOptions): {
  client: SecretsManagerClient
  owned: boolean
} {
  if (options.client !== undefined) {
    if (typeof (options.client as { send?: unknown }).send !== 'function') {
      throw new InvalidOptionsError('AwsSecretsManagerSource: { client } must be a SecretsManagerClient')
    }
    const extra = BUILD_OPTIONS.filter((key) => options[key] !== undefined)
    if (extra.length > 0) {
      throw new InvalidOptionsError(
        `AwsSecretsManagerSource: ${extra.join(', ')} configure a client the source builds; with { client }, set them on your client instead`,
      )
    }
    return { client: options.client, owned: false }
  }
  if (options.endpoint !== undefined && !isHttpUrl(options.endpoint)) {
    throw new InvalidOptionsError(
      'AwsSecretsManagerSource: { endpoint } must be an http:// or https:// URL such as https://host:443',
    )
  }
  if (options.sdkRetries !== undefined && typeof options.sdkRetries !== 'boolean') {
    throw new InvalidOptionsError('AwsSecretsManagerSource: { sdkRetries } must be true or false')
  }
  const retrySetting = RETRY_SETTINGS.find((key) => Object.hasOwn(options.clientConfig ?? {}, key))
  if (retrySetting !== undefined) {
    throw new InvalidOptionsError(
      `AwsSecretsManagerSource: clientConfig.${retrySetting} is not accepted; use { sdkRetries: true } for the SDK's retries`,
    )
  }
  const client = new SecretsManagerClient({
    ...options.clientConfig,
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.sdkRetries === true ? {} : { maxAttempts: 1 }),
  })
  return { client, owned: true }
}

/** Checks `versionCheck`: a boolean, `true` when unset. */
export function resolveVersionCheck(value: unknown): boolean {
  if (value === undefined) return true
  if (typeof value !== 'boolean') {
    throw new InvalidOptionsError(
      `AwsSecretsManagerSource: { versionCheck } must be true or false; got ${value === null ? 'null' : typeof value}`,
    )
  }
  return value
}

/** The staging label of a secret's current version, which `GetSecretValue` reads by default. */
export const CURRENT_STAGE = 'AWSCURRENT'

/** Checks `versionStage` against the model's constraint (1–256 characters). */
export function resolveVersionStage(stage: unknown): string {
  if (stage === undefined) return CURRENT_STAGE
  if (typeof stage !== 'string' || stage.length < 1 || stage.length > 256) {
    throw new InvalidOptionsError(
      "AwsSecretsManagerSource: { versionStage } must be a label such as 'AWSCURRENT' (1–256 characters)",
    )
  }
  return stage
}

/** Every option name of {@link AwsSecretsManagerSourceOptions}. */
export const SECRETS_MANAGER_OPTION_KEYS = optionKeys<AwsSecretsManagerSourceOptions>({
  client: true,
  region: true,
  endpoint: true,
  credentials: true,
  versionStage: true,
  versionCheck: true,
  sdkRetries: true,
  clientConfig: true,
})
