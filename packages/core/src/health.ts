import type { Entry } from './entry.js'
import { EntryState } from './entry-state.js'
import { InvalidOptionsError } from './errors.js'
import { parseSecretRef } from './names.js'

/**
 * Where one secret stands:
 * - `fresh`: a value within its TTL;
 * - `stale`: a value past its TTL, served because reloads fail (within `maxStale`);
 * - `expired`: a value past its TTL that nobody has read since (the next read reloads it; it is
 *   still the fallback if that reload fails);
 * - `failing`: no value can be served, and the last load failed (`errorCode` says why);
 * - `missing`: no value yet and no failure either (never loaded, or the first load is running).
 */
export type SecretHealthStatus = 'fresh' | 'stale' | 'expired' | 'failing' | 'missing'

/** One secret's health: its name, version, times and error code — never its value. */
export interface SecretHealth {
  /** The name as asked for (or as cached). */
  name: string
  status: SecretHealthStatus
  /** True when a value can be handed out now (fresh, stale or expired). */
  servable: boolean
  /** A required secret without a servable value makes the whole report `down`. */
  required: boolean
  /** True while a load of it is in flight. */
  loading: boolean
  /** The version held, when a value is held. */
  version?: string
  /** When the held value was loaded (ms since the epoch). */
  loadedAt?: number
  /** Milliseconds since the held value was loaded. */
  ageMs?: number
  /** When the held value expires or expired (ms since the epoch). */
  expiresAt?: number
  /** `stale` only: since when the value has been served past its TTL (its expiry, ms since the epoch). */
  staleSince?: number
  /** `stale` only: until when it may still be served (ms since the epoch). */
  staleUntil?: number
  /** Code of the last failed load since the last success (`ERR_SECRET_UNAVAILABLE`, …). */
  errorCode?: string
  /**
   * Set while the held value is served under an access denial not yet confirmed (the `confirmDenial`
   * option): when the first denial was answered (ms since the epoch). `errorCode` is then
   * `ERR_SECRET_ACCESS_DENIED` and the report is `degraded`.
   */
  deniedSince?: number
}

/**
 * The health of a provider's secrets. `status` is `down` only when a required secret has no
 * servable value (answer 503); `degraded` when every required secret can be served but something
 * is stale or failing, or a reload has failed since the last success; `ok` otherwise.
 */
export interface SecretsHealth {
  status: 'ok' | 'degraded' | 'down'
  /** The provider's source name. */
  source: string
  /** When the report was made (ms since the epoch, in the provider's clock). */
  checkedAt: number
  secrets: SecretHealth[]
}

/** What the cache lends {@link buildHealth}: its entries, times and stale bound. */
export interface HealthView {
  source: string
  /** Now, ms since the epoch. */
  now: number
  /** Add to an entry's times to get ms since the epoch. */
  epoch: number
  entries: ReadonlyMap<string, Entry>
  staleUntil(entry: Entry): number
}

function entryHealth(
  view: HealthView,
  name: string,
  entry: Entry | undefined,
  required: boolean,
): SecretHealth {
  if (entry === undefined) {
    return { name, status: 'missing', servable: false, required, loading: false }
  }
  const now = view.now - view.epoch
  const loading = entry.inflight !== undefined
  const errorCode = entry.error?.code
  const deniedSince = entry.deniedSince
  const base = {
    name,
    required,
    loading,
    ...(errorCode === undefined ? {} : { errorCode }),
    ...(deniedSince === undefined || entry.value === undefined
      ? {}
      : { deniedSince: deniedSince + view.epoch }),
  }
  // a closed provider serves nothing (handles keep their last value, the provider does not)
  if (entry.value === undefined || entry.state === EntryState.CLOSED || now >= view.staleUntil(entry)) {
    return { ...base, status: errorCode === undefined ? 'missing' : 'failing', servable: false }
  }
  const held = {
    version: entry.version,
    loadedAt: entry.loadedAt + view.epoch,
    ageMs: Math.max(0, now - entry.loadedAt),
    expiresAt: entry.expiresAt + view.epoch,
  }
  if (now < entry.expiresAt) return { ...base, status: 'fresh', servable: true, ...held }
  if (entry.stale || errorCode !== undefined) {
    return {
      ...base,
      status: 'stale',
      servable: true,
      ...held,
      staleSince: entry.expiresAt + view.epoch,
      staleUntil: view.staleUntil(entry) + view.epoch,
    }
  }
  return { ...base, status: 'expired', servable: true, ...held }
}

/**
 * Builds the report. Without `names`, every cached secret is reported and the preloaded ones
 * (`preload()` without `required: false`) are required; with `names`, exactly those are reported,
 * all required.
 */
export function buildHealth(view: HealthView, names?: Iterable<string>): SecretsHealth {
  const secrets: SecretHealth[] = []
  if (names === undefined) {
    for (const entry of view.entries.values())
      secrets.push(entryHealth(view, entry.name, entry, entry.required))
  } else {
    if (typeof names !== 'object' || names === null || typeof names[Symbol.iterator] !== 'function') {
      throw new InvalidOptionsError(
        `health(names): names must be an iterable of secret names (got ${names === null ? 'null' : typeof names})`,
      )
    }
    for (const name of new Set(names)) {
      secrets.push(entryHealth(view, name, view.entries.get(parseSecretRef(name).secret), true))
    }
  }
  let status: SecretsHealth['status'] = 'ok'
  for (const secret of secrets) {
    if (secret.required && !secret.servable) {
      status = 'down'
      break
    }
    if (secret.status === 'stale' || secret.status === 'failing' || secret.errorCode !== undefined) {
      status = 'degraded'
    }
  }
  return { status, source: view.source, checkedAt: view.now, secrets }
}

/** The structural shape {@link secretsHealth} needs: any copy of core's `CachedSecretProvider`. */
export interface HealthReporter {
  health(names?: Iterable<string>): SecretsHealth
}

/**
 * The health of `provider`'s secrets — names, versions, ages and error codes, never a value. Shared
 * by the health endpoints of `@latchkey/fastify`, `@latchkey/express` and `@latchkey/nestjs`. Pass
 * `names` to check exactly those (all required); without them every cached secret is reported and
 * the pinned ones (handles, preloaded names) are required.
 */
export function secretsHealth(provider: HealthReporter, names?: Iterable<string>): SecretsHealth {
  if (typeof provider?.health !== 'function') {
    throw new InvalidOptionsError(
      `secretsHealth(provider): provider must be a CachedSecretProvider (got ${provider === null ? 'null' : typeof provider})`,
    )
  }
  return provider.health(names)
}
