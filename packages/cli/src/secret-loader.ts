import { CachedSecretProvider, type LoadedSecret, SecretError } from '@latchkey/core'
import { isTransient, parseSecretRef, selectField } from '@latchkey/core/internal'
import type { LatchkeyConfig, SecretConfig } from './config/schema.js'
import { SourceSet } from './sources.js'

/** How one secret's load ended, as `check` and `get` report it (never the value). */
export type LoadStatus = 'ok' | 'not-found' | 'access-denied' | 'unavailable' | 'error'

/** One loaded (or failed) secret. `value` is held for `get`/`scan` and never printed by `check`. */
export interface LoadOutcome {
  name: string
  source: string
  sourceType: string
  status: LoadStatus
  version: string | undefined
  /** The value, when `status` is `'ok'`. */
  value: string | undefined
  /** The error code, when the load failed. */
  code: string | undefined
  /** The permission the service said is missing, such as `secretsmanager:GetSecretValue`. */
  missingPermission: string | undefined
  /** How long the load took, in milliseconds. */
  loadMs: number
  /** How old the current value is (ms), where the backend says when it was created. */
  ageMs: number | undefined
}

/** Permission names as services write them in access-denied messages (the action only, never other text). */
const PERMISSION_PATTERNS = [
  /not authorized to perform: ([A-Za-z0-9-]+:[A-Za-z0-9*]+)/, // AWS IAM
  /Permission '([a-z]+\.[a-zA-Z.]+)' denied/, // Google IAM
  /Action: '(Microsoft\.KeyVault\/[A-Za-z/]+)'/, // Azure RBAC
]

function missingPermission(error: unknown): string | undefined {
  for (let at = error, depth = 0; at !== undefined && at !== null && depth < 5; depth++) {
    const message = (at as { message?: unknown }).message
    if (typeof message === 'string') {
      for (const pattern of PERMISSION_PATTERNS) {
        const found = pattern.exec(message)?.[1]
        if (found !== undefined) return found
      }
    }
    at = (at as { cause?: unknown }).cause
  }
  return undefined
}

function statusOf(error: unknown): LoadStatus {
  if (!(error instanceof SecretError)) return 'error'
  if (error.code === 'ERR_SECRET_NOT_FOUND') return 'not-found'
  if (error.code === 'ERR_SECRET_ACCESS_DENIED') return 'access-denied'
  return isTransient(error) ? 'unavailable' : 'error'
}

/** Loads the configured secrets through their real sources with the config's cache options. */
export class SecretLoader {
  readonly #config: LatchkeyConfig
  readonly #sources: SourceSet
  readonly #providers = new Map<string, CachedSecretProvider>()

  constructor(config: LatchkeyConfig, env: NodeJS.ProcessEnv) {
    this.#config = config
    this.#sources = new SourceSet(config, env)
  }

  async #provider(sourceName: string): Promise<CachedSecretProvider> {
    let provider = this.#providers.get(sourceName)
    if (provider === undefined) {
      const { source } = await this.#sources.get(sourceName)
      const cache = this.#config.cache
      provider = new CachedSecretProvider(source, {
        refreshAhead: 0,
        ...(cache.timeout === undefined ? {} : { timeout: cache.timeout }),
        ...(cache.retry === undefined ? {} : { retry: cache.retry }),
      })
      this.#providers.set(sourceName, provider)
    }
    return provider
  }

  /** Loads one configured secret; never throws for a failed load (the outcome says why). */
  async load(secret: SecretConfig): Promise<LoadOutcome> {
    const started = performance.now()
    const sourceType = this.#config.sources[secret.source]?.type ?? 'unknown'
    const base = { name: secret.name, source: secret.source, sourceType }
    try {
      const provider = await this.#provider(secret.source)
      const value = await provider.getSecret(secret.name)
      const version = provider.describe(parseSecretRef(secret.name).secret)?.version
      const { createdAt } = await this.#sources.get(secret.source)
      const created = await createdAt(secret.name, AbortSignal.timeout(this.#config.cache.timeout ?? 5_000))
      return {
        ageMs: created === undefined ? undefined : Math.max(0, Date.now() - created),
        ...base,
        status: 'ok',
        version,
        value,
        code: undefined,
        missingPermission: undefined,
        loadMs: performance.now() - started,
      }
    } catch (error) {
      return {
        ...base,
        ageMs: undefined,
        status: statusOf(error),
        version: undefined,
        value: undefined,
        code:
          typeof (error as { code?: unknown }).code === 'string'
            ? (error as { code: string }).code
            : 'ERR_UNKNOWN',
        missingPermission:
          missingPermission(error) ??
          (await this.#sources.get(secret.source).then(
            (built) => built.deniedPermission?.(secret.name),
            () => undefined,
          )),
        loadMs: performance.now() - started,
      }
    }
  }

  /** The previous version's value of a loaded secret (field selected), where its source keeps one. */
  async previous(secret: SecretConfig, current: LoadOutcome): Promise<string | undefined> {
    if (current.value === undefined) return undefined
    const { previous } = await this.#sources.get(secret.source)
    const ref = parseSecretRef(secret.name)
    const held: LoadedSecret = {
      value: current.value,
      ...(current.version === undefined ? {} : { version: current.version }),
    }
    const loaded = await previous(
      secret.name,
      held,
      AbortSignal.timeout(this.#config.cache.timeout ?? 5_000),
    ).catch(() => undefined)
    if (loaded === undefined) return undefined
    const text = typeof loaded.value === 'string' ? loaded.value : Buffer.from(loaded.value).toString('utf8')
    if (ref.field === undefined) return text
    try {
      return selectField(JSON.parse(text), ref.field, { secretName: secret.name })
    } catch {
      return undefined
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#providers.values()].map((p) => p.close()))
    await this.#sources.close()
  }
}
