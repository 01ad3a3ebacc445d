import type { SecretManagerServiceClient } from '@google-cloud/secret-manager'
import {
  InvalidOptionsError,
  type LoadContext,
  type LoadedSecret,
  ProviderClosedError,
  type SecretSource,
  SecretUnavailableError,
} from '@latchkey/core'
import { checkSourceOptionNames } from '@latchkey/core/internal'
import { toGoogleSecretError } from '../errors.js'
import { crc32c } from './crc32c.js'
import { parseSecretName } from './names.js'
import {
  GOOGLE_OPTION_KEYS,
  type GoogleSecretManagerSourceOptions,
  resolveClient,
  resolveProject,
  resolveVersion,
} from './options.js'

const INSPECT = Symbol.for('nodejs.util.inspect.custom')
const SOURCE = 'google-secret-manager'
const VERSION_NAME = /^projects\/[^/]+\/(?:locations\/[^/]+\/)?secrets\/[^/]+\/versions\/[0-9]+$/
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** The fields of an `AccessSecretVersionResponse` the source reads. */
interface AccessReply {
  name?: unknown
  payload?: { data?: unknown; dataCrc32c?: unknown } | null
}

/** A call the client started: a promise, with `cancel()` when the client hands back gax's cancellable promise. */
type ClientCall = Promise<unknown> & { cancel?: () => void }

/** `accessSecretVersion` in its promise form, with the gax call options the source sets. */
type AccessCall = (request: { name: string }, options: { retry?: null; signal: AbortSignal }) => ClientCall

/**
 * Loads secrets from Google Secret Manager with `AccessSecretVersion`: `latest` or a pinned version
 * (`name@5`, or the `version` option). The payload's CRC-32C is checked when the reply carries
 * one; the version is the version's resource name (`projects/…/secrets/…/versions/5`). Client
 * errors become latchkey errors by status code (see {@link toGoogleSecretError}).
 */
export class GoogleSecretManagerSource implements SecretSource {
  readonly name = SOURCE
  /** The project the secrets are read from. */
  readonly project: string
  /** The version a name without `@version` reads. */
  readonly version: string
  #client: SecretManagerServiceClient
  /** Builds a replacement for a client the source built; undefined for a client you passed. */
  readonly #build: (() => SecretManagerServiceClient) | undefined
  readonly #callOptions: { retry?: null }
  #closed = false

  constructor(options: GoogleSecretManagerSourceOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionsError(
        `GoogleSecretManagerSource: options must be an object; got ${options === null ? 'null' : typeof options}`,
      )
    }
    checkSourceOptionNames(options, GOOGLE_OPTION_KEYS, 'GoogleSecretManagerSource')
    this.project = resolveProject(options.project)
    this.version = resolveVersion(options.version)
    const { client, build } = resolveClient(options)
    this.#client = client
    this.#build = build
    this.#callOptions = options.clientRetries === true ? {} : { retry: null }
  }

  /** The client in use: yours, or the one the source built (replaced after a failed start). */
  get client(): SecretManagerServiceClient {
    return this.#client
  }

  /** The resource name `load(name)` reads, e.g. `projects/p/secrets/db__password/versions/latest`. */
  resourceName(name: string): string {
    const { secretId, version } = parseSecretName(name, this.version, this.name)
    return `projects/${this.project}/secrets/${secretId}/versions/${version}`
  }

  /** One `AccessSecretVersion`; `ctx.signal` cancels the request. */
  async load(name: string, ctx: LoadContext): Promise<LoadedSecret> {
    if (this.#closed) throw new ProviderClosedError({ secretName: name, source: this.name })
    const resource = this.resourceName(name)
    let reply: unknown
    try {
      reply = await this.#access(resource, ctx.signal)
    } catch (error) {
      throw toGoogleSecretError(error, { secretName: name, source: this.name, signal: ctx.signal })
    }
    return this.#toLoaded(reply, name)
  }

  /** Closes the client when the source built it; a client you passed stays open. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    // A client whose start failed rejects close() with that failure; there is nothing to release.
    if (this.#build !== undefined) await this.#client.close().catch(() => undefined)
  }

  /**
   * Starts the client, then calls it with its retries off (unless `clientRetries`) and the abort
   * signal, and stops waiting as soon as the signal fires, whether or not the client honours it.
   */
  #access(resource: string, signal: AbortSignal): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason)
        return
      }
      let call: ClientCall | undefined
      const onAbort = () => {
        if (typeof call?.cancel === 'function') call.cancel()
        reject(signal.reason)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.#ready()
        .then((client) => {
          if (signal.aborted) return undefined
          const access = client.accessSecretVersion.bind(client) as unknown as AccessCall
          call = access({ name: resource }, { ...this.#callOptions, signal })
          return call.then((result) => resolve(Array.isArray(result) ? result[0] : undefined))
        })
        .then(
          () => signal.removeEventListener('abort', onAbort),
          (error: unknown) => {
            signal.removeEventListener('abort', onAbort)
            reject(error)
          },
        )
    })
  }

  /**
   * The client, started. Every call of a generated client method also starts the client and
   * rethrows a start failure from a promise nobody handles (an unhandled rejection), and the
   * client keeps that failure for good; so the source starts it first and calls no method when
   * that fails. A client the source built is then replaced, so the next load starts afresh.
   */
  async #ready(): Promise<SecretManagerServiceClient> {
    const client = this.#client
    try {
      await client.initialize()
      return client
    } catch (error) {
      if (this.#build !== undefined && this.#client === client && !this.#closed) {
        this.#client = this.#build()
        client.close().catch(() => undefined)
      }
      throw error
    }
  }

  /** Checks a reply and turns it into a {@link LoadedSecret}; anything malformed is transient. */
  #toLoaded(reply: unknown, name: string): LoadedSecret {
    const malformed = (what: string) =>
      new SecretUnavailableError(
        { secretName: name, source: this.name },
        `secret "${name}" (source ${this.name}): the Secret Manager reply ${what}`,
      )
    const { name: versionName, payload } = (reply ?? {}) as AccessReply
    if (typeof versionName !== 'string' || !VERSION_NAME.test(versionName)) {
      throw malformed('did not name a secret version')
    }
    const data = payload?.data
    let bytes: Uint8Array
    if (data instanceof Uint8Array) bytes = data
    else if (typeof data === 'string') {
      if (!isStrictBase64(data)) throw malformed('had payload data that is not base64')
      bytes = Buffer.from(data, 'base64')
    } else throw malformed('had no payload data')
    const expected = checksumOf(payload?.dataCrc32c)
    if (expected === 'malformed') throw malformed('had a payload checksum that is not a 32-bit number')
    if (expected !== undefined && expected !== crc32c(bytes)) {
      throw malformed('failed its CRC-32C check: the payload was corrupted on the way')
    }
    let value: string | Uint8Array
    try {
      value = UTF8.decode(bytes)
    } catch {
      value = Uint8Array.from(bytes)
    }
    return { value, version: versionName }
  }

  [INSPECT](): string {
    return `GoogleSecretManagerSource { project: ${JSON.stringify(this.project)}, version: ${JSON.stringify(this.version)}, closed: ${this.#closed} }`
  }

  toJSON(): object {
    return { name: this.name, project: this.project, version: this.version, closed: this.#closed }
  }
}

/** Base64 as RFC 4648 writes it (either alphabet, padding optional), and nothing else: Node's decoder skips anything. */
function isStrictBase64(text: string): boolean {
  const unpadded = text.replace(/={1,2}$/, '')
  return (
    /^[A-Za-z0-9+/]*$|^[A-Za-z0-9_-]*$/.test(unpadded) &&
    unpadded.length % 4 !== 1 &&
    (unpadded.length === text.length || text.length % 4 === 0)
  )
}

/**
 * The payload checksum of a reply: `undefined` when absent, else its value. The client gives the
 * int64 as a decimal string by default; a number or a Long-like object (other conversion options)
 * is read too.
 */
function checksumOf(value: unknown): number | undefined | 'malformed' {
  if (value === undefined || value === null) return undefined
  const text =
    typeof value === 'number' || typeof value === 'bigint'
      ? String(value)
      : typeof value === 'string'
        ? value
        : typeof value === 'object'
          ? String(value)
          : ''
  if (!/^[0-9]{1,10}$/.test(text)) return 'malformed'
  const number = Number(text)
  return number <= 0xffffffff ? number : 'malformed'
}
