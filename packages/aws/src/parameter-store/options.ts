import { InvalidOptionsError } from '@latchkey/core'
import { describeType, optionKeys } from '@latchkey/core/internal'
import { isHttpUrl } from '../options.js'

/** The part of an SSM client the source uses: `SSMClient` from `@aws-sdk/client-ssm` fits. */
export interface ParameterStoreClient {
  /** Sends one command; the source passes the load's abort signal. */
  send(command: object, options?: { abortSignal?: AbortSignal }): Promise<unknown>
  /** Releases the client's sockets; called on `close()` for a client the source built. */
  destroy?(): void
}

/** Static AWS credentials. */
export interface ParameterStoreCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/** Options for {@link AwsParameterStoreSource}. */
export interface AwsParameterStoreSourceOptions {
  /**
   * An `SSMClient` you built. The source uses it as it is (its own retry settings apply) and never
   * destroys it. Do not combine with `region`, `endpoint`, `credentials`, `sdkRetries` or
   * `clientConfig`, which configure a client the source builds.
   * @default a client the source builds on first use and destroys on `close()`
   */
  client?: ParameterStoreClient
  /** AWS Region of a built client. @default the SDK's region chain (`AWS_REGION`, shared config files) */
  region?: string
  /** Endpoint of a built client, e.g. an emulator or a VPC endpoint URL. @default the Region's public endpoint */
  endpoint?: string
  /**
   * Credentials of a built client: static keys or a function that returns them. Leave unset in
   * production so the SDK's default chain finds them (environment, IRSA, EKS Pod Identity, ECS,
   * instance role).
   * @default the SDK's default credential chain
   */
  credentials?: ParameterStoreCredentials | (() => Promise<ParameterStoreCredentials>)
  /**
   * Ask Parameter Store to decrypt `SecureString` values (needs `kms:Decrypt` on a customer managed
   * key). With `false`, reading a `SecureString` or a `/aws/reference/secretsmanager/…` name fails
   * with `ERR_SECRET_INVALID_OPTIONS` instead of handing out ciphertext.
   * @default true
   */
  withDecryption?: boolean
  /**
   * Let a built client retry on its own (the SDK's standard policy, 3 attempts). Off by default
   * (`maxAttempts: 1`), so that only the cache's retry policy applies and attempts are not multiplied.
   * @default false
   */
  sdkRetries?: boolean
  /** Any other `SSMClient` settings for a built client (request handler, logger…). Retry settings go through `sdkRetries`. */
  clientConfig?: Record<string, unknown>
}

/** How the source gets its client: yours, or one it builds from these settings on first use. */
export type ClientPlan =
  | { kind: 'given'; client: ParameterStoreClient }
  | { kind: 'build'; config: Record<string, unknown> }

const BUILD_OPTIONS = ['region', 'endpoint', 'credentials', 'sdkRetries', 'clientConfig'] as const
const RETRY_SETTINGS = ['maxAttempts', 'retryStrategy', 'retryMode']
const PREFIX = 'AwsParameterStoreSource'

/** Checks the options (throwing `InvalidOptionsError` naming the option) and says where the client comes from. */
export function planClient(options: AwsParameterStoreSourceOptions): ClientPlan {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(`${PREFIX}: options must be an object, got ${describeType(options)}`)
  }
  if (options.client !== undefined) {
    if (typeof (options.client as { send?: unknown }).send !== 'function') {
      throw new InvalidOptionsError(
        `${PREFIX}: { client } must be an SSMClient (an object with a send method), got ${describeType(options.client)}`,
      )
    }
    const extra = BUILD_OPTIONS.filter((key) => options[key] !== undefined)
    if (extra.length > 0) {
      throw new InvalidOptionsError(
        `${PREFIX}: ${extra.join(', ')} configure a client the source builds; with { client }, set them on your client instead`,
      )
    }
    return { kind: 'given', client: options.client }
  }
  for (const key of ['region', 'endpoint'] as const) {
    const value = options[key]
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new InvalidOptionsError(
        `${PREFIX}: { ${key} } must be a non-empty string, got ${describeType(value)}`,
      )
    }
  }
  if (options.endpoint !== undefined && !isHttpUrl(options.endpoint)) {
    throw new InvalidOptionsError(
      `${PREFIX}: { endpoint } must be an http:// or https:// URL such as https://host:443`,
    )
  }
  if (options.sdkRetries !== undefined && typeof options.sdkRetries !== 'boolean') {
    throw new InvalidOptionsError(
      `${PREFIX}: { sdkRetries } must be true or false, got ${describeType(options.sdkRetries)}`,
    )
  }
  const credentials = options.credentials as unknown
  if (
    credentials !== undefined &&
    typeof credentials !== 'function' &&
    describeType(credentials) !== 'object'
  ) {
    throw new InvalidOptionsError(
      `${PREFIX}: { credentials } must be { accessKeyId, secretAccessKey } or a function returning them, got ${describeType(credentials)}`,
    )
  }
  const clientConfig = options.clientConfig ?? {}
  if (describeType(clientConfig) !== 'object') {
    throw new InvalidOptionsError(
      `${PREFIX}: { clientConfig } must be an object, got ${describeType(clientConfig)}`,
    )
  }
  const retrySetting = RETRY_SETTINGS.find((key) => Object.hasOwn(clientConfig, key))
  if (retrySetting !== undefined) {
    throw new InvalidOptionsError(
      `${PREFIX}: clientConfig.${retrySetting} is not accepted; use { sdkRetries: true } for the SDK's retries`,
    )
  }
  return {
    kind: 'build',
    config: {
      ...clientConfig,
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(options.sdkRetries === true ? {} : { maxAttempts: 1 }),
    },
  }
}

/** Checks `withDecryption`. */
export function resolveWithDecryption(value: unknown): boolean {
  if (value === undefined) return true
  if (typeof value !== 'boolean') {
    throw new InvalidOptionsError(
      `${PREFIX}: { withDecryption } must be true or false, got ${describeType(value)}`,
    )
  }
  return value
}

/** Every option name of {@link AwsParameterStoreSourceOptions}. */
export const PARAMETER_STORE_OPTION_KEYS = optionKeys<AwsParameterStoreSourceOptions>({
  client: true,
  region: true,
  endpoint: true,
  credentials: true,
  withDecryption: true,
  sdkRetries: true,
  clientConfig: true,
})
