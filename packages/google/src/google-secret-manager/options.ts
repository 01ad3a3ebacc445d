import { SecretManagerServiceClient } from '@google-cloud/secret-manager'
import { InvalidOptionsError } from '@latchkey/core'
import { describeOptionValue, optionKeys } from '@latchkey/core/internal'
import { isVersionSelector } from './names.js'

/** The options `SecretManagerServiceClient` takes (`apiEndpoint`, `credentials`, `authClient`, `fallback`…). */
export type SecretManagerClientOptions = NonNullable<
  ConstructorParameters<typeof SecretManagerServiceClient>[0]
>

/** Options for {@link GoogleSecretManagerSource}. */
export interface GoogleSecretManagerSourceOptions {
  /**
   * The project that holds the secrets: its id (`my-project`) or number.
   * @default the `GOOGLE_CLOUD_PROJECT` environment variable, else `GCLOUD_PROJECT`; with neither, the constructor throws `InvalidOptionsError`
   */
  project?: string
  /**
   * A client you built. The source never closes it. Do not combine with `clientOptions`, which
   * configures a client the source builds.
   * @default a client the source builds from `clientOptions` and closes on `close()`
   */
  client?: SecretManagerServiceClient
  /**
   * Options of a built client: `credentials` or `keyFilename` (the default is Application Default
   * Credentials), `apiEndpoint` (a regional or private endpoint), `fallback: 'rest'` for HTTP/1.1
   * JSON instead of gRPC…
   * @default {} (gRPC, Application Default Credentials, the global endpoint)
   */
  clientOptions?: SecretManagerClientOptions
  /** The version a name without `@version` reads: `'latest'` or a version number such as `'3'`. @default 'latest' */
  version?: string
  /**
   * Let the client retry on its own (for `AccessSecretVersion`: `UNAVAILABLE` and
   * `RESOURCE_EXHAUSTED`, backing off from 2 s). Off by default, so that only the cache's retry
   * policy applies and attempts are not multiplied; applies to a client you pass as well, since
   * retries are a per-call setting.
   * @default false
   */
  clientRetries?: boolean
}

/** Project ids (6–30 of a-z, 0-9, `-`, starting with a letter; legacy ones prefixed `domain:`) and project numbers. */
const PROJECT = /^(?:(?:[a-z0-9-]+\.)+[a-z]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$|^[0-9]{1,20}$/

function invalid(option: string, value: unknown, allowed: string): never {
  throw new InvalidOptionsError(
    `GoogleSecretManagerSource: { ${option} } must be ${allowed}; got ${describeOptionValue(value, 40)}`,
  )
}

/** The project from the options or the environment. */
export function resolveProject(project: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (project === undefined) {
    const fromEnv = env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT
    if (fromEnv === undefined || fromEnv === '') {
      throw new InvalidOptionsError(
        'GoogleSecretManagerSource: { project } is required: pass it, or set GOOGLE_CLOUD_PROJECT (or GCLOUD_PROJECT); got undefined and neither variable is set',
      )
    }
    if (!PROJECT.test(fromEnv)) {
      invalid(
        'project',
        fromEnv,
        'a project id (6–30 of a-z, 0-9, -) or number (read from GOOGLE_CLOUD_PROJECT/GCLOUD_PROJECT)',
      )
    }
    return fromEnv
  }
  if (typeof project !== 'string' || !PROJECT.test(project)) {
    invalid(
      'project',
      project,
      'a project id (6–30 of a-z, 0-9, -, starting with a letter) or a project number',
    )
  }
  return project
}

/** Checks `version`: `'latest'` or a version number from 1. */
export function resolveVersion(version: unknown): string {
  if (version === undefined) return 'latest'
  if (typeof version === 'number' && Number.isInteger(version) && version >= 1) return String(version)
  if (!isVersionSelector(version))
    invalid('version', version, "'latest' or a version number from 1, such as '3'")
  return version
}

/** A host name or address, as `apiEndpoint` takes it: no scheme, no path. */
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?::[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?$/

/** Checks `clientOptions.apiEndpoint`, `port` and `protocol`, which the client would only trip over on the first call. */
function checkEndpoint(options: Record<string, unknown>): void {
  const { apiEndpoint, port, protocol } = options
  if (apiEndpoint !== undefined && (typeof apiEndpoint !== 'string' || !HOST.test(apiEndpoint))) {
    invalid(
      'clientOptions.apiEndpoint',
      apiEndpoint,
      "a host name without scheme or path, such as 'secretmanager.us-east1.rep.googleapis.com'",
    )
  }
  if (
    port !== undefined &&
    (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535)
  ) {
    invalid('clientOptions.port', port, 'a port number from 1 to 65535')
  }
  if (protocol !== undefined && protocol !== 'http' && protocol !== 'https') {
    invalid('clientOptions.protocol', protocol, "'http' or 'https'")
  }
}

/** Checks the options and returns the client to use, and for a client the source builds, how to build another. */
export function resolveClient(options: GoogleSecretManagerSourceOptions): {
  client: SecretManagerServiceClient
  build: (() => SecretManagerServiceClient) | undefined
} {
  if (options.clientRetries !== undefined && typeof options.clientRetries !== 'boolean') {
    invalid('clientRetries', options.clientRetries, 'true or false')
  }
  if (options.client !== undefined) {
    if (
      typeof (options.client as { accessSecretVersion?: unknown } | null)?.accessSecretVersion !== 'function'
    ) {
      invalid('client', options.client, 'a SecretManagerServiceClient')
    }
    if (options.clientOptions !== undefined) {
      throw new InvalidOptionsError(
        'GoogleSecretManagerSource: { clientOptions } configures a client the source builds; with { client }, set them on your client instead',
      )
    }
    return { client: options.client, build: undefined }
  }
  const clientOptions = options.clientOptions ?? {}
  if (typeof clientOptions !== 'object' || clientOptions === null || Array.isArray(clientOptions)) {
    invalid('clientOptions', clientOptions, 'an object of SecretManagerServiceClient options')
  }
  checkEndpoint(clientOptions as Record<string, unknown>)
  const build = () => new SecretManagerServiceClient({ ...clientOptions })
  return { client: build(), build }
}

/** Every option name of {@link GoogleSecretManagerSourceOptions}. */
export const GOOGLE_OPTION_KEYS = optionKeys<GoogleSecretManagerSourceOptions>({
  project: true,
  client: true,
  clientOptions: true,
  version: true,
  clientRetries: true,
})
