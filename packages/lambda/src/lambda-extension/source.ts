import { Agent } from 'node:http'
import {
  type LoadContext,
  type LoadedSecret,
  type SecretSource,
  SecretUnavailableError,
} from '@latchkey/core'
import { answerError } from './errors.js'
import { getAnswer } from './http.js'
import {
  type LambdaExtensionSourceOptions,
  type ResolvedExtensionOptions,
  resolveExtensionOptions,
} from './options.js'

/** Names with this prefix are read from Parameter Store; every other name from Secrets Manager. */
export const PARAMETER_PREFIX = 'ssm:'

interface SecretAnswer {
  SecretString?: unknown
  SecretBinary?: unknown
  VersionId?: unknown
}
interface ParameterAnswer {
  Parameter?: { Value?: unknown; Version?: unknown }
}

/**
 * Reads Secrets Manager secrets and Parameter Store parameters through the AWS Parameters and
 * Secrets Lambda Extension (a local HTTP cache in the Lambda sandbox), with the session token
 * header. `'prod/db'` reads the secret `prod/db` (the `versionStage` or `versionId` option picks
 * the version); `'ssm:/prod/api-url'` reads that parameter, decrypted (`:3` or `:label` selectors
 * pass through). The extension answers only during invocations, so `availableDuringInit` is
 * `false`: `withSecrets()` then loads at the first invocation, not in the init phase.
 */
export class LambdaExtensionSource implements SecretSource {
  readonly name = 'aws-lambda-extension'
  /** The extension does not answer during the init phase (docs/wire-facts.md). */
  readonly availableDuringInit = false
  readonly #options: ResolvedExtensionOptions
  // A connection per request: loopback setup costs microseconds, and a kept-alive socket that the
  // extension closes while the sandbox thaws would fail the first request after a freeze.
  readonly #agent = new Agent({ keepAlive: false, maxSockets: 16 })

  /** Throws `InvalidOptionsError` when an option is wrong or `AWS_SESSION_TOKEN` is missing. */
  constructor(options: LambdaExtensionSourceOptions = {}) {
    this.#options = resolveExtensionOptions(options)
  }

  async load(name: string, ctx: LoadContext): Promise<LoadedSecret> {
    const parameter = name.startsWith(PARAMETER_PREFIX)
    const url = parameter ? this.#parameterUrl(name.slice(PARAMETER_PREFIX.length)) : this.#secretUrl(name)
    let answer: Awaited<ReturnType<typeof getAnswer>>
    try {
      answer = await getAnswer(url, this.#options.token, this.#agent, ctx.signal)
    } catch (error) {
      throw new SecretUnavailableError(
        { secretName: name, source: this.name, cause: error },
        `the extension could not be reached for ${name}`,
      )
    }
    if (answer.status !== 200) throw answerError(answer.status, answer.body, name, this.name)
    const parsed = parseAnswer(answer.body, name, this.name)
    return parameter
      ? parameterValue(parsed as ParameterAnswer, name, this.name)
      : secretValue(parsed as SecretAnswer, name, this.name)
  }

  async close(): Promise<void> {
    this.#agent.destroy()
  }

  #secretUrl(secretId: string): URL {
    const url = new URL('/secretsmanager/get', this.#options.base)
    url.searchParams.set('secretId', secretId)
    const version = this.#options.version
    if ('versionId' in version) url.searchParams.set('versionId', version.versionId)
    else url.searchParams.set('versionStage', version.versionStage)
    return url
  }

  #parameterUrl(parameterName: string): URL {
    const url = new URL('/systemsmanager/parameters/get', this.#options.base)
    url.searchParams.set('name', parameterName)
    url.searchParams.set('withDecryption', 'true')
    return url
  }
}

function malformed(name: string, source: string, what: string): SecretUnavailableError {
  return new SecretUnavailableError(
    { secretName: name, source },
    `the extension's answer for ${name} ${what}`,
  )
}

function parseAnswer(body: string, name: string, source: string): unknown {
  try {
    const parsed: unknown = JSON.parse(body)
    if (typeof parsed === 'object' && parsed !== null) return parsed
  } catch {
    // reported below without the text
  }
  throw malformed(name, source, 'is not a JSON object')
}

function secretValue(answer: SecretAnswer, name: string, source: string): LoadedSecret {
  const version = typeof answer.VersionId === 'string' ? { version: answer.VersionId } : {}
  if (typeof answer.SecretString === 'string') return { value: answer.SecretString, ...version }
  if (typeof answer.SecretBinary === 'string') {
    return { value: new Uint8Array(Buffer.from(answer.SecretBinary, 'base64')), ...version }
  }
  throw malformed(name, source, 'has neither SecretString nor SecretBinary')
}

function parameterValue(answer: ParameterAnswer, name: string, source: string): LoadedSecret {
  const parameter = answer.Parameter
  if (typeof parameter?.Value !== 'string') throw malformed(name, source, 'has no Parameter.Value')
  const version = parameter.Version
  return {
    value: parameter.Value,
    ...(typeof version === 'number' || typeof version === 'string' ? { version: String(version) } : {}),
  }
}
