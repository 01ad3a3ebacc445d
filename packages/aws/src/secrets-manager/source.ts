import {
  BatchGetSecretValueCommand,
  type BatchGetSecretValueCommandOutput,
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager'
import {
  type HeldSecret,
  type LoadContext,
  type LoadedSecret,
  ProviderClosedError,
  type SecretSource,
} from '@latchkey/core'
import { checkSourceOptionNames } from '@latchkey/core/internal'
import { settleWithLimit } from '../concurrency.js'
import { toAwsSecretError } from '../errors.js'
import {
  type AwsSecretsManagerSourceOptions,
  CURRENT_STAGE,
  resolveClient,
  resolveVersionCheck,
  resolveVersionStage,
  SECRETS_MANAGER_OPTION_KEYS,
} from './options.js'
import { refersTo, toLoadedSecret } from './secret-value.js'

/** BatchGetSecretValue takes at most 20 ids per call. */
const BATCH_SIZE = 20
/** Requests one `loadMany` keeps in flight (BatchGetSecretValue is limited to 100 requests/s per Region). */
const CONCURRENCY = 5
const INSPECT = Symbol.for('nodejs.util.inspect.custom')

/**
 * Calls an {@link AwsSecretsManagerSource} has sent since it was created, by API (failed calls
 * included), and how many reloads a version check answered without reading the value.
 */
export interface AwsSecretsManagerStats {
  /** `GetSecretValue` requests sent. */
  getSecretValue: number
  /** `BatchGetSecretValue` requests sent (each asks for up to 20 secrets). */
  batchGetSecretValue: number
  /** `DescribeSecret` requests sent (version checks). */
  describeSecret: number
  /** Reloads a `DescribeSecret` showed unchanged, so no `GetSecretValue` was sent. */
  unchanged: number
}

/**
 * Loads secrets from AWS Secrets Manager: `GetSecretValue` for one, `BatchGetSecretValue` (20 per
 * call) for many. Binary secrets load as bytes; the version is the `VersionId`. SDK errors become
 * latchkey errors by `err.name` (see {@link toAwsSecretError}).
 */
export class AwsSecretsManagerSource implements SecretSource {
  readonly name = 'aws-secrets-manager'
  /** The staging label this source reads. */
  readonly versionStage: string
  readonly #client: SecretsManagerClient
  readonly #ownsClient: boolean
  /** Whether reloads ask `DescribeSecret` first; turned off for good when it is denied. */
  #versionCheck: boolean
  readonly #stats: AwsSecretsManagerStats = {
    getSecretValue: 0,
    batchGetSecretValue: 0,
    describeSecret: 0,
    unchanged: 0,
  }
  #closed = false

  constructor(options: AwsSecretsManagerSourceOptions = {}) {
    checkSourceOptionNames(options, SECRETS_MANAGER_OPTION_KEYS, 'AwsSecretsManagerSource')
    const { client, owned } = resolveClient(options)
    // the defaults without a call: neither check is compiled on the way to a first secret
    this.versionStage =
      options.versionStage === undefined ? CURRENT_STAGE : resolveVersionStage(options.versionStage)
    this.#versionCheck = options.versionCheck === undefined || resolveVersionCheck(options.versionCheck)
    this.#client = client
    this.#ownsClient = owned
  }

  /** The SDK client in use (yours, or the one the source built). */
  get client(): SecretsManagerClient {
    return this.#client
  }

  /** Whether reloads of a held value ask `DescribeSecret` first (see `versionCheck`). */
  get versionCheck(): boolean {
    return this.#versionCheck
  }

  /** Calls sent so far, by API, and reloads answered by a version check alone. A copy. */
  stats(): AwsSecretsManagerStats {
    return { ...this.#stats }
  }

  /**
   * One `GetSecretValue` of `versionStage`; `ctx.signal` aborts the HTTP request. On a reload of a
   * held value (`ctx.current`, passed by the cache) with `versionCheck` on, one `DescribeSecret`
   * first: when `versionStage` still labels the held version, the held value is returned and no
   * `GetSecretValue` is sent.
   */
  async load(name: string, ctx: LoadContext): Promise<LoadedSecret> {
    if (this.#closed) throw new ProviderClosedError({ secretName: name, source: this.name })
    if (this.#versionCheck && ctx.current !== undefined) {
      const held = await this.#unchanged(name, ctx.current, ctx)
      if (held !== undefined) return held
    }
    let reply: GetSecretValueCommandOutput
    try {
      this.#stats.getSecretValue++
      reply = await this.#client.send(
        new GetSecretValueCommand({ SecretId: name, VersionStage: this.versionStage }),
        {
          abortSignal: ctx.signal,
        },
      )
    } catch (error) {
      throw toAwsSecretError(error, { secretName: name, source: this.name, signal: ctx.signal })
    }
    return toLoadedSecret(reply, name, this.name)
  }

  /**
   * Loads many secrets with `BatchGetSecretValue`, 20 ids per call, up to 5 calls at once. A secret the
   * service reports in `Errors` gets its mapped error in the result. When every call fails the
   * first error is thrown; when only some fail, their names are left out of the result, like
   * names missing from a reply, so the cache loads them one by one. With a `versionStage` other than AWSCURRENT
   * (which the batch API cannot select) each name is loaded with `load`, 5 at once.
   */
  async loadMany(names: string[], ctx: LoadContext): Promise<Map<string, LoadedSecret | Error>> {
    if (this.#closed) throw new ProviderClosedError({ source: this.name })
    const results = new Map<string, LoadedSecret | Error>()
    if (this.versionStage !== CURRENT_STAGE) {
      const loaded = await settleWithLimit(names, CONCURRENCY, (name) => this.load(name, ctx))
      loaded.forEach((outcome, i) => {
        results.set(
          names[i] as string,
          outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error),
        )
      })
      return results
    }
    const chunks: string[][] = []
    for (let i = 0; i < names.length; i += BATCH_SIZE) chunks.push(names.slice(i, i + BATCH_SIZE))
    const outcomes = await settleWithLimit(chunks, CONCURRENCY, (chunk) =>
      this.#loadChunk(chunk, ctx, results),
    )
    const failure = outcomes.find((outcome) => outcome.status === 'rejected')
    if (failure !== undefined && outcomes.every((outcome) => outcome.status === 'rejected')) {
      throw toAwsSecretError(failure.reason, {
        secretName: names.join(', '),
        source: this.name,
        signal: ctx.signal,
      })
    }
    return results
  }

  /**
   * Asks `DescribeSecret` whether `versionStage` still labels the held version. Returns the held
   * value when it does; `undefined` when the value must be read (changed, no such stage, deletion
   * scheduled). `AccessDeniedException` turns version checks off for this source (a policy may
   * allow `GetSecretValue` without `DescribeSecret`) and reads the value; other errors are mapped
   * and thrown, so the cache retries them as it retries reads.
   */
  async #unchanged(name: string, held: HeldSecret, ctx: LoadContext): Promise<LoadedSecret | undefined> {
    let reply: DescribeSecretCommandOutput
    try {
      this.#stats.describeSecret++
      reply = await this.#client.send(new DescribeSecretCommand({ SecretId: name }), {
        abortSignal: ctx.signal,
      })
    } catch (error) {
      if ((error as { name?: unknown })?.name === 'AccessDeniedException' && !ctx.signal.aborted) {
        this.#versionCheck = false
        return undefined
      }
      throw toAwsSecretError(error, { secretName: name, source: this.name, signal: ctx.signal })
    }
    if (reply.DeletedDate !== undefined) return undefined
    const stages = reply.VersionIdsToStages?.[held.version]
    if (stages === undefined || !stages.includes(this.versionStage)) return undefined
    this.#stats.unchanged++
    return { value: held.value, version: held.version }
  }

  /** Destroys the client when the source built it; a client you passed stays open. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#ownsClient) this.#client.destroy()
  }

  /** One BatchGetSecretValue call; entries and per-secret errors go into `results`. SDK errors propagate. */
  async #loadChunk(
    chunk: string[],
    ctx: LoadContext,
    results: Map<string, LoadedSecret | Error>,
  ): Promise<void> {
    this.#stats.batchGetSecretValue++
    const reply: BatchGetSecretValueCommandOutput = await this.#client.send(
      new BatchGetSecretValueCommand({ SecretIdList: chunk }),
      { abortSignal: ctx.signal },
    )
    // An entry carries the secret's name and ARN, not the id asked for, and one secret may have
    // been asked for by name, full ARN and partial ARN in one call: every id it answers gets it.
    for (const entry of reply.SecretValues ?? []) {
      for (const name of chunk) {
        if (results.has(name) || !refersTo(name, entry)) continue
        try {
          results.set(name, toLoadedSecret(entry, name, this.name))
        } catch (error) {
          results.set(name, error as Error)
        }
      }
    }
    for (const failure of reply.Errors ?? []) {
      const name = failure.SecretId
      if (name === undefined || !chunk.includes(name)) continue
      const cause = Object.assign(new Error(failure.Message ?? ''), {
        name: failure.ErrorCode ?? 'UnknownError',
      })
      results.set(name, toAwsSecretError(cause, { secretName: name, source: this.name }))
    }
  }

  [INSPECT](): string {
    return `AwsSecretsManagerSource { versionStage: ${JSON.stringify(this.versionStage)}, versionCheck: ${this.#versionCheck}, closed: ${this.#closed} }`
  }

  toJSON(): object {
    return {
      name: this.name,
      versionStage: this.versionStage,
      versionCheck: this.#versionCheck,
      closed: this.#closed,
    }
  }
}
