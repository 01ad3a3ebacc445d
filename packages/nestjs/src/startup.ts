import { type SecretError, SecretPreloadError } from '@latchkey/core'
import { preloadWithin, toSecretError } from '@latchkey/core/internal'
import type { DiscoveryService } from '@nestjs/core'

/** What a startup preload needs of a provider. */
export interface StartupProvider {
  readonly source: { readonly name: string }
  preload(names: Iterable<string>): Promise<void>
  getSecret(name: string): Promise<string>
}

/** One group of secrets loaded at startup: a `SecretsModule`'s or a `secretsLoader()`'s. */
export interface SecretGroup {
  readonly provider: StartupProvider
  readonly names: readonly string[]
  /** `preloadTimeout` of the module or loader. */
  readonly budget: number | undefined
}

/**
 * Kept on every `secretsLoader()` factory (under {@link LOADER_STATE}), so that a `SecretsModule`
 * in the same app finds it with `DiscoveryService` and reports its failures together with its own.
 */
export interface LoaderState extends SecretGroup {
  /**
   * The combined reports of the `SecretsModule`s bootstrapping with this loader right now. Each
   * settles (it only waits for preloads, which always end), then removes itself.
   */
  readonly reports: Set<Promise<SecretPreloadError | undefined>>
}

/** Where a loader factory keeps its {@link LoaderState}; a global symbol, so both builds agree. */
export const LOADER_STATE = Symbol.for('@latchkey/nestjs.secretsLoader')

/** The loaders among an app's providers (`ConfigModule` registers each `load` factory as one). */
export function findLoaders(discovery: DiscoveryService): LoaderState[] {
  const found = new Set<LoaderState>()
  for (const wrapper of discovery.getProviders()) {
    const factory = wrapper.metatype as { [LOADER_STATE]?: LoaderState } | null | undefined
    const state = typeof factory === 'function' ? factory[LOADER_STATE] : undefined
    if (state !== undefined) found.add(state)
  }
  return [...found]
}

/** Preloads every group and resolves to one `SecretPreloadError` naming every failure, or `undefined`. */
export async function preloadGroups(groups: readonly SecretGroup[]): Promise<SecretPreloadError | undefined> {
  const outcomes = await Promise.allSettled(
    groups.map((group) => preloadWithin(group.provider, group.names, group.budget, 'preloadTimeout')),
  )
  const errors: SecretError[] = []
  const seen = new Set<string>()
  outcomes.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') return
    const group = groups[i] as SecretGroup
    const reason = outcome.reason
    const failures =
      reason instanceof SecretPreloadError
        ? reason.errors
        : [toSecretError(reason, group.names.join(','), group.provider.source.name)]
    for (const error of failures) {
      // A loader that shares the module's provider and a name gives the same failure twice.
      const key = `${error.source}\u0000${error.secretName}\u0000${error.code}`
      if (seen.has(key)) continue
      seen.add(key)
      errors.push(error)
    }
  })
  return errors.length > 0 ? new SecretPreloadError(errors) : undefined
}

/**
 * What a `secretsLoader()` factory throws when its preload failed: the combined error of a
 * `SecretsModule` bootstrapping in the same app, when there is one, else `own`.
 *
 * Nest creates the providers of all modules at once and reports the first one that throws, so a
 * loader failing on its own would hide what the module is missing (and the other way round). The
 * module's preload factory therefore loads the loaders' secrets with its own and registers its
 * combined report on each loader before any load can end; a failed loader waits one turn of the
 * event loop (every provider factory that needs no I/O to start has then started) and throws that
 * report. Limit: a `SecretsModule.forRootAsync()` whose options wait for `ConfigService` cannot
 * start before the loaders' config exists, so there the loader reports its own secrets alone.
 */
export async function loaderFailure(state: LoaderState, own: unknown): Promise<unknown> {
  await new Promise((resolve) => setImmediate(resolve))
  const [report] = state.reports
  if (report === undefined) return own
  return (await report) ?? own
}
