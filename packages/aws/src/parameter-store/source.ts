import {
  InvalidOptionsError,
  type LoadContext,
  type LoadedSecret,
  ProviderClosedError,
  SecretNotFoundError,
  type SecretSource,
  SecretUnavailableError,
} from '@latchkey/core'
import { checkSourceOptionNames } from '@latchkey/core/internal'
import { settleWithLimit } from '../concurrency.js'
import { toParameterStoreError } from './errors.js'
import { type ParameterRef, parseParameterName } from './names.js'
import {
  type AwsParameterStoreSourceOptions,
  type ClientPlan,
  PARAMETER_STORE_OPTION_KEYS,
  type ParameterStoreClient,
  planClient,
  resolveWithDecryption,
} from './options.js'
import { importSsm, loadSsm, type SsmModule } from './sdk.js'
import {
  answeredNames,
  HierarchyCollector,
  type ParameterFields,
  toLoadedParameter,
  type ValueContext,
} from './values.js'

/** GetParameters takes at most 10 names per call. */
const BATCH_SIZE = 10
/** GetParametersByPath returns at most 10 parameters per page. */
const PAGE_SIZE = 10
/** Pages one hierarchy read may take (10,000 parameters) before the answer counts as malformed. */
const MAX_PAGES = 1000
/** Requests one `loadMany` keeps in flight. */
const CONCURRENCY = 5
const SOURCE = 'aws-parameter-store'
const INSPECT = Symbol.for('nodejs.util.inspect.custom')

interface Ready {
  sdk: SsmModule
  client: ParameterStoreClient
}

/**
 * Loads parameters from AWS Systems Manager Parameter Store with `@aws-sdk/client-ssm` (an optional
 * peer, loaded on first use): `GetParameter` for one name, `GetParameters` (10 names per call) for
 * many, `GetParametersByPath` (recursive, paged) for a name ending in `/`. Accepts `name:version`
 * and `name:label` selectors, ARNs, and `/aws/reference/secretsmanager/<secret>` references. The
 * version is the parameter version. SDK errors become latchkey errors by `err.name`.
 */
export class AwsParameterStoreSource implements SecretSource {
  readonly name = SOURCE
  /** Whether `SecureString` values are decrypted. */
  readonly withDecryption: boolean
  readonly #plan: ClientPlan
  #ready: Promise<Ready> | undefined
  #closed = false

  constructor(options: AwsParameterStoreSourceOptions = {}) {
    checkSourceOptionNames(options, PARAMETER_STORE_OPTION_KEYS, 'AwsParameterStoreSource')
    this.#plan = planClient(options)
    this.withDecryption = resolveWithDecryption(options?.withDecryption)
  }

  /**
   * One parameter (`GetParameter`), or for a name ending in `/` every parameter under that path as
   * one JSON object of relative names to values. `ctx.signal` aborts the HTTP request.
   */
  async load(name: string, ctx: LoadContext): Promise<LoadedSecret> {
    if (this.#closed) throw new ProviderClosedError({ secretName: name, source: SOURCE })
    const ref = this.#parse(name)
    if (ref.kind === 'path') return this.#loadPath(name, ref, ctx)
    const { sdk, client } = await this.#connect()
    let reply: { Parameter?: ParameterFields } | undefined
    try {
      reply = (await client.send(
        new sdk.GetParameterCommand({ Name: name, WithDecryption: this.withDecryption }),
        {
          abortSignal: ctx.signal,
        },
      )) as typeof reply
    } catch (error) {
      throw toParameterStoreError(error, { secretName: name, source: SOURCE, signal: ctx.signal })
    }
    return toLoadedParameter(reply?.Parameter, name, ref, this.#context())
  }

  /**
   * Loads many names with `GetParameters`, 10 per call, up to 5 calls at once; paths are read one by
   * one. A name the service lists in `InvalidParameters` gets `ERR_SECRET_NOT_FOUND`; a name it
   * rejects before any call gets `ERR_SECRET_INVALID_NAME`. When every call fails and nothing else
   * was loaded, the first error is thrown; when only some fail, their names are left out of the
   * result, like names missing from a reply, so the cache loads them one by one.
   */
  async loadMany(names: string[], ctx: LoadContext): Promise<Map<string, LoadedSecret | Error>> {
    if (this.#closed) throw new ProviderClosedError({ source: SOURCE })
    const results = new Map<string, LoadedSecret | Error>()
    const refs = new Map<string, ParameterRef>()
    const paths: string[] = []
    for (const name of new Set(names)) {
      try {
        const ref = this.#parse(name)
        if (ref.kind === 'path') paths.push(name)
        else refs.set(name, ref)
      } catch (error) {
        results.set(name, error as Error)
      }
    }
    const batched = [...refs.keys()]
    const chunks: string[][] = []
    for (let i = 0; i < batched.length; i += BATCH_SIZE) chunks.push(batched.slice(i, i + BATCH_SIZE))
    const outcomes = await settleWithLimit(chunks, CONCURRENCY, (chunk) =>
      this.#loadChunk(chunk, refs, ctx, results),
    )
    const loadedPaths = await settleWithLimit(paths, CONCURRENCY, (path) => this.load(path, ctx))
    loadedPaths.forEach((outcome, i) => {
      results.set(
        paths[i] as string,
        outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error),
      )
    })
    const failure = outcomes.find((outcome) => outcome.status === 'rejected')
    if (failure !== undefined && results.size === 0 && outcomes.every((o) => o.status === 'rejected')) {
      throw toParameterStoreError(failure.reason, {
        secretName: batched.join(', '),
        source: SOURCE,
        signal: ctx.signal,
      })
    }
    return results
  }

  /** Destroys the client when the source built it; a client you passed stays open. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#plan.kind !== 'build' || this.#ready === undefined) return
    try {
      const { client } = await this.#ready
      client.destroy?.()
    } catch {
      // the SDK never loaded: nothing to release
    }
  }

  #parse(name: string): ParameterRef {
    const ref = parseParameterName(name, SOURCE)
    if (ref.kind === 'reference' && !this.withDecryption) {
      throw new InvalidOptionsError(
        `parameter "${name}" (source ${SOURCE}) reads a Secrets Manager secret, which Parameter Store answers only with decryption; set withDecryption: true`,
        { secretName: name, source: SOURCE },
      )
    }
    return ref
  }

  #context(): ValueContext {
    return { source: SOURCE, withDecryption: this.withDecryption }
  }

  /** Loads the SDK and builds the client once; a failure (the SDK is missing) is kept and rethrown. */
  #connect(): Promise<Ready> {
    this.#ready ??= (async () => {
      const sdk = await loadSsm(importSsm)
      const plan = this.#plan
      const client =
        plan.kind === 'given' ? plan.client : (new sdk.SSMClient(plan.config) as ParameterStoreClient)
      return { sdk, client }
    })()
    return this.#ready
  }

  async #loadPath(
    name: string,
    ref: ParameterRef & { kind: 'path' },
    ctx: LoadContext,
  ): Promise<LoadedSecret> {
    const { sdk, client } = await this.#connect()
    const collected = new HierarchyCollector(name, ref.prefix === '/' ? '/' : ref.prefix, this.#context())
    const tokens = new Set<string>()
    let token: string | undefined
    for (let page = 0; ; page++) {
      let reply: { Parameters?: ParameterFields[]; NextToken?: string } | undefined
      try {
        reply = (await client.send(
          new sdk.GetParametersByPathCommand({
            Path: ref.path,
            Recursive: true,
            WithDecryption: this.withDecryption,
            MaxResults: PAGE_SIZE,
            ...(token === undefined ? {} : { NextToken: token }),
          }),
          { abortSignal: ctx.signal },
        )) as typeof reply
      } catch (error) {
        throw toParameterStoreError(error, { secretName: name, source: SOURCE, signal: ctx.signal })
      }
      collected.add(reply?.Parameters)
      token = reply?.NextToken
      if (token === undefined || token === '') break
      if (tokens.has(token) || page + 1 >= MAX_PAGES) {
        throw new SecretUnavailableError(
          { secretName: name, source: SOURCE },
          `parameter path "${name}" (source ${SOURCE}): the service kept paging (a repeated NextToken, or more than ${MAX_PAGES} pages)`,
        )
      }
      tokens.add(token)
    }
    return collected.finish()
  }

  /** One GetParameters call; values and per-name failures go into `results`. SDK errors propagate. */
  async #loadChunk(
    chunk: string[],
    refs: Map<string, ParameterRef>,
    ctx: LoadContext,
    results: Map<string, LoadedSecret | Error>,
  ): Promise<void> {
    const { sdk, client } = await this.#connect()
    const reply = (await client.send(
      new sdk.GetParametersCommand({ Names: chunk, WithDecryption: this.withDecryption }),
      {
        abortSignal: ctx.signal,
      },
    )) as { Parameters?: ParameterFields[]; InvalidParameters?: string[] } | undefined
    // A reply entry carries the parameter's Name (or ARN) and the Selector apart; the names asked
    // for carry them together. An entry that answers none of them is a lying reply: nothing in it
    // is served, and every name of the call gets a transient error.
    const entries = Array.isArray(reply?.Parameters) ? reply.Parameters : []
    if (entries.some((parameter) => !answeredNames(parameter).some((id) => chunk.includes(id)))) {
      for (const name of chunk) {
        if (results.has(name)) continue
        results.set(
          name,
          new SecretUnavailableError(
            { secretName: name, source: SOURCE },
            `parameter "${name}" (source ${SOURCE}): the GetParameters reply named a parameter that was not asked for (a malformed reply)`,
          ),
        )
      }
      return
    }
    for (const parameter of entries) {
      const keys = answeredNames(parameter)
      for (const name of chunk) {
        if (results.has(name) || !keys.includes(name)) continue
        try {
          results.set(
            name,
            toLoadedParameter(parameter, name, refs.get(name) as ParameterRef, this.#context()),
          )
        } catch (error) {
          results.set(name, error as Error)
        }
      }
    }
    for (const name of Array.isArray(reply?.InvalidParameters) ? reply.InvalidParameters : []) {
      if (!chunk.includes(name) || results.has(name)) continue
      results.set(
        name,
        new SecretNotFoundError(
          { secretName: name, source: SOURCE },
          `parameter "${name}" (source ${SOURCE}) was not found (listed in InvalidParameters: no such parameter, version or label)`,
        ),
      )
    }
  }

  [INSPECT](): string {
    return `AwsParameterStoreSource { withDecryption: ${this.withDecryption}, closed: ${this.#closed} }`
  }

  toJSON(): object {
    return { name: this.name, withDecryption: this.withDecryption, closed: this.#closed }
  }
}
