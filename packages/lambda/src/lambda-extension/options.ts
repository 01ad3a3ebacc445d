import { InvalidOptionsError } from '@latchkey/core'
import { checkSourceOptionNames, optionKeys } from '@latchkey/core/internal'
import { INTEGRATION } from '../options.js'

/** The extension's documented default port. See docs/wire-facts.md#aws-parameters-and-secrets-lambda-extension. */
export const DEFAULT_EXTENSION_PORT = 2773

/** Options of {@link LambdaExtensionSource}. */
export interface LambdaExtensionSourceOptions {
  /**
   * Base URL of the extension. Set it for tests (`startLambdaExtensionEmulator().endpoint`).
   * @default `http://localhost:${PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? 2773}`
   */
  endpoint?: string
  /**
   * The value of the `X-Aws-Parameters-Secrets-Token` header: the function's session token.
   * @default process.env.AWS_SESSION_TOKEN
   */
  token?: string
  /** Staging label asked for from Secrets Manager (`versionStage`). @default 'AWSCURRENT' */
  versionStage?: string
  /** A version id asked for from Secrets Manager instead of a stage (`versionId`). @default undefined */
  versionId?: string
  /** Environment to read the defaults from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>
}

export interface ResolvedExtensionOptions {
  base: URL
  token: string
  version: { versionStage: string } | { versionId: string }
}

function fail(message: string): never {
  throw new InvalidOptionsError(`${INTEGRATION}: LambdaExtensionSource ${message}`)
}

/** Checks the options; throws `InvalidOptionsError` naming the option or environment variable. */
export function resolveExtensionOptions(options: LambdaExtensionSourceOptions): ResolvedExtensionOptions {
  if (typeof options !== 'object' || options === null) fail('options must be an object')
  checkSourceOptionNames(options, EXTENSION_OPTION_KEYS, `${INTEGRATION}: LambdaExtensionSource`)
  const env = options.env ?? process.env
  const token = options.token ?? env.AWS_SESSION_TOKEN
  if (typeof token !== 'string' || token.length === 0) {
    fail(
      'needs the session token: AWS_SESSION_TOKEN is not set (Lambda sets it for every function; elsewhere pass { token })',
    )
  }
  if (/[\r\n]/.test(token)) fail('{ token } must not contain line breaks')
  let base: URL
  if (options.endpoint === undefined) {
    const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? String(DEFAULT_EXTENSION_PORT)
    if (!/^[0-9]{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65_535) {
      fail('reads PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, which must be a port number from 1 to 65535')
    }
    base = new URL(`http://localhost:${port}`)
  } else {
    if (typeof options.endpoint !== 'string') fail('{ endpoint } must be a URL string')
    try {
      base = new URL(options.endpoint)
    } catch {
      fail('{ endpoint } must be a URL such as http://localhost:2773')
    }
    if (base.protocol !== 'http:')
      fail('{ endpoint } must be an http:// URL (the extension listens on localhost)')
  }
  if (options.versionStage !== undefined && options.versionId !== undefined) {
    fail('takes { versionStage } or { versionId }, not both')
  }
  for (const key of ['versionStage', 'versionId'] as const) {
    const value = options[key]
    if (value !== undefined && (typeof value !== 'string' || value.length === 0 || value.length > 256)) {
      fail(`{ ${key} } must be a non-empty string of at most 256 characters`)
    }
  }
  const version =
    options.versionId === undefined
      ? { versionStage: options.versionStage ?? 'AWSCURRENT' }
      : { versionId: options.versionId }
  return { base, token, version }
}

const EXTENSION_OPTION_KEYS = optionKeys<LambdaExtensionSourceOptions>({
  endpoint: true,
  token: true,
  versionStage: true,
  versionId: true,
  env: true,
})
