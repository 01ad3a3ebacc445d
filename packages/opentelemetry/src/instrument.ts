import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel'
import {
  type CacheStats,
  DIAGNOSTICS_CHANNELS,
  type EvictMessage,
  InvalidOptionsError,
  type LoadEndMessage,
  type LoadErrorMessage,
  type LoadTraceContext,
  type RotateMessage,
  type SecretsHealth,
  type StaleMessage,
} from '@latchkey/core'
import { describeType } from '@latchkey/core/internal'
import {
  type Attributes,
  type BatchObservableResult,
  context,
  type Meter,
  type MeterProvider,
  metrics,
  type Observable,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api'

/** The instrumentation scope name of every meter and tracer this package makes. */
export const INSTRUMENTATION_NAME = '@latchkey/opentelemetry'
const INSTRUMENTATION_VERSION = '0.1.0'

/** Attribute keys on every metric point and span (names, sources, codes — never a value). */
export const ATTRIBUTES = Object.freeze({
  /** The secret's name (`db/password`). */
  secret: 'latchkey.secret.name',
  /** The source's name (`aws-secrets-manager`, `env`, …). */
  source: 'latchkey.source',
  /** `success` or `failure`. */
  outcome: 'latchkey.load.outcome',
  /** The latchkey error code of a failure (`ERR_SECRET_UNAVAILABLE`, …); OpenTelemetry's `error.type`. */
  errorType: 'error.type',
  /** Attempts a load made (spans only). */
  attempts: 'latchkey.load.attempts',
  /** True for a `loadMany` batch (spans only). */
  batch: 'latchkey.load.batch',
  /** True for a load no caller waited for: refresh-ahead, a watch, a handle (spans only). */
  background: 'latchkey.load.background',
  /** The version a load brought (spans only). */
  version: 'latchkey.secret.version',
  /** The names a batch load was for (spans only). */
  names: 'latchkey.secret.names',
})

/** Metric names (OpenTelemetry form; the Prometheus exporter turns `.` into `_` and adds `_total` to counters). */
export const METRICS = Object.freeze({
  loads: 'latchkey.loads',
  failures: 'latchkey.load.failures',
  duration: 'latchkey.load.duration',
  staleServes: 'latchkey.stale_serves',
  rotations: 'latchkey.rotations',
  evictions: 'latchkey.evictions',
  hits: 'latchkey.cache.hits',
  misses: 'latchkey.cache.misses',
  age: 'latchkey.secret.age',
  staleFor: 'latchkey.secret.stale_duration',
  servable: 'latchkey.secret.servable',
})

/**
 * What the observable instruments read from a provider: `stats()` and `health()`. Every
 * `CachedSecretProvider` (from either build of `@latchkey/core`) fits.
 */
export interface InstrumentedProvider {
  readonly source: { readonly name: string }
  readonly closed: boolean
  stats(): CacheStats
  health(names?: Iterable<string>): SecretsHealth
}

/** Options of {@link instrumentSecrets}. */
export interface InstrumentSecretsOptions {
  /**
   * Providers whose cache hits and misses and whose held values (age, staleness, servable) are
   * reported by observable instruments, read at each collection. Loads, failures, stale serves,
   * rotations, evictions and spans need no provider: they come from `@latchkey/core`'s diagnostics
   * channels and cover every provider in the process. More can be added with `track()`.
   * @default []
   */
  provider?: InstrumentedProvider | readonly InstrumentedProvider[]
  /**
   * Where the instruments are made.
   * @default metrics.getMeterProvider() (the global one)
   */
  meterProvider?: MeterProvider
  /**
   * Where load spans are made.
   * @default trace.getTracerProvider() (the global one)
   */
  tracerProvider?: TracerProvider
  /**
   * Record metrics.
   * @default true
   */
  metrics?: boolean
  /**
   * Record a span per source load.
   * @default true
   */
  traces?: boolean
}

/** What {@link instrumentSecrets} returns. */
export interface SecretsInstrumentation {
  /** Reports `provider`'s hits, misses and held values too; returns a function that stops that. */
  track(provider: InstrumentedProvider): () => void
  /** Unsubscribes from the diagnostics channels and stops the observable instruments. Idempotent. */
  close(): void
}

/**
 * A diagnostics_channel subscriber that throws turns into an uncaught exception on the next tick:
 * telemetry must never take the app down, so every handler here swallows its own errors.
 */
function safely<A extends unknown[]>(handler: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      handler(...args)
    } catch {
      // a broken exporter or SDK loses this data point, nothing more
    }
  }
}

function isProvider(value: unknown): value is InstrumentedProvider {
  const p = value as InstrumentedProvider
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof p.stats === 'function' &&
    typeof p.health === 'function' &&
    typeof p.source?.name === 'string'
  )
}

function checkOptions(options: InstrumentSecretsOptions): InstrumentedProvider[] {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(
      `instrumentSecrets(options): options must be an object (got ${describeType(options)})`,
    )
  }
  for (const key of ['metrics', 'traces'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') {
      throw new InvalidOptionsError(
        `instrumentSecrets: option "${key}" must be a boolean (got ${describeType(options[key])})`,
      )
    }
  }
  for (const [key, method] of [
    ['meterProvider', 'getMeter'],
    ['tracerProvider', 'getTracer'],
  ] as const) {
    const given = options[key] as unknown
    if (given !== undefined && typeof (given as Record<string, unknown>)?.[method] !== 'function') {
      throw new InvalidOptionsError(
        `instrumentSecrets: option "${key}" must be an OpenTelemetry ${key === 'meterProvider' ? 'MeterProvider' : 'TracerProvider'} with ${method}() (got ${describeType(given)})`,
      )
    }
  }
  const given = options.provider
  const providers = given === undefined ? [] : Array.isArray(given) ? [...given] : [given]
  for (const provider of providers) {
    if (!isProvider(provider)) {
      throw new InvalidOptionsError(
        `instrumentSecrets: option "provider" must be a CachedSecretProvider or an array of them (got ${describeType(provider)})`,
      )
    }
  }
  return providers
}

interface Counters {
  loads: ReturnType<Meter['createCounter']>
  failures: ReturnType<Meter['createCounter']>
  duration: ReturnType<Meter['createHistogram']>
  staleServes: ReturnType<Meter['createCounter']>
  rotations: ReturnType<Meter['createCounter']>
  evictions: ReturnType<Meter['createCounter']>
}

// One call per metric, alike on purpose: each is a distinct instrument with its own name, text and unit.
function makeCounters(meter: Meter): Counters {
  return {
    loads: meter.createCounter(METRICS.loads, {
      description: 'Source loads of secrets that ended, by outcome (a batch counts once per secret)',
      unit: '{load}',
    }),
    failures: meter.createCounter(METRICS.failures, {
      description: 'Source loads that failed after their retries, by latchkey error code',
      unit: '{load}',
    }),
    duration: meter.createHistogram(METRICS.duration, {
      description: 'Duration of source loads, retries included',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] },
    }),
    staleServes: meter.createCounter(METRICS.staleServes, {
      description: 'Reads answered with a value past its TTL because reloads fail',
      unit: '{read}',
    }),
    rotations: meter.createCounter(METRICS.rotations, {
      description: 'Reloads that brought a new version',
      unit: '{rotation}',
    }),
    evictions: meter.createCounter(METRICS.evictions, {
      description: 'Secrets evicted to keep a cache within maxEntries',
      unit: '{secret}',
    }),
  }
}

/**
 * Turns latchkey's diagnostics into OpenTelemetry metrics and spans. Loads, failures (by error
 * code), stale serves, rotations, evictions, load durations and one span per source load come from
 * `@latchkey/core`'s diagnostics channels, so they cover every provider in the process (any copy of
 * core); cache hits and misses and the age, staleness and servability of each held secret are read
 * from the providers passed in `provider` (or `track()`ed) at each collection, so reads pay
 * nothing. Every attribute is a name, a source, a version, a count or an error code — never a value.
 */
export function instrumentSecrets(options: InstrumentSecretsOptions = {}): SecretsInstrumentation {
  const providers = new Set(checkOptions(options))
  const cleanups: Array<() => void> = []
  let closed = false

  if (options.metrics !== false) {
    const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(
      INSTRUMENTATION_NAME,
      INSTRUMENTATION_VERSION,
    )
    const counters = makeCounters(meter)
    const listen = <T>(name: string, handle: (message: T) => void) => {
      const listener = safely((message: unknown) => handle(message as T))
      subscribe(name, listener)
      cleanups.push(() => unsubscribe(name, listener))
    }
    const settled = (message: LoadEndMessage | LoadErrorMessage, failure: LoadErrorMessage | undefined) => {
      const seconds = message.durationMs / 1000
      for (const name of message.names) {
        const attributes: Attributes = {
          [ATTRIBUTES.secret]: name,
          [ATTRIBUTES.source]: message.source,
          [ATTRIBUTES.outcome]: failure === undefined ? 'success' : 'failure',
        }
        counters.loads.add(1, attributes)
        counters.duration.record(seconds, attributes)
        if (failure !== undefined) {
          counters.failures.add(1, {
            [ATTRIBUTES.secret]: name,
            [ATTRIBUTES.source]: message.source,
            [ATTRIBUTES.errorType]: failure.code,
          })
        }
      }
    }
    listen<LoadEndMessage>(DIAGNOSTICS_CHANNELS.loadEnd, (m) => settled(m, undefined))
    listen<LoadErrorMessage>(DIAGNOSTICS_CHANNELS.loadError, (m) => settled(m, m))
    listen<StaleMessage>(DIAGNOSTICS_CHANNELS.stale, (m) =>
      counters.staleServes.add(1, {
        [ATTRIBUTES.secret]: m.name,
        [ATTRIBUTES.source]: m.source,
        ...(m.code === undefined ? {} : { [ATTRIBUTES.errorType]: m.code }),
      }),
    )
    listen<RotateMessage>(DIAGNOSTICS_CHANNELS.rotate, (m) =>
      counters.rotations.add(1, { [ATTRIBUTES.secret]: m.name, [ATTRIBUTES.source]: m.source }),
    )
    listen<EvictMessage>(DIAGNOSTICS_CHANNELS.evict, (m) =>
      counters.evictions.add(1, { [ATTRIBUTES.secret]: m.name, [ATTRIBUTES.source]: m.source }),
    )
    cleanups.push(observeProviders(meter, providers))
  }

  if (options.traces !== false) {
    const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(
      INSTRUMENTATION_NAME,
      INSTRUMENTATION_VERSION,
    )
    cleanups.push(traceLoads(tracer))
  }

  return {
    track(provider: InstrumentedProvider): () => void {
      if (!isProvider(provider)) {
        throw new InvalidOptionsError(
          `instrumentSecrets().track(provider): provider must be a CachedSecretProvider (got ${describeType(provider)})`,
        )
      }
      providers.add(provider)
      return () => {
        providers.delete(provider)
      }
    },
    close(): void {
      if (closed) return
      closed = true
      for (const cleanup of cleanups.splice(0)) cleanup()
      providers.clear()
    },
  }
}

/** Hits and misses (summed per source) and one point per held secret, read at each collection. */
function observeProviders(meter: Meter, providers: Set<InstrumentedProvider>): () => void {
  const hits = meter.createObservableCounter(METRICS.hits, {
    description: 'Reads answered from the cache, by source (tracked providers)',
    unit: '{read}',
  })
  const misses = meter.createObservableCounter(METRICS.misses, {
    description: 'Reads that had to wait for a load, by source (tracked providers)',
    unit: '{read}',
  })
  const age = meter.createObservableGauge(METRICS.age, {
    description: 'Seconds since the value held for each secret was loaded (tracked providers)',
    unit: 's',
  })
  const staleFor = meter.createObservableGauge(METRICS.staleFor, {
    description:
      'Seconds each secret has been served past its TTL because reloads fail; 0 when it is not stale (tracked providers)',
    unit: 's',
  })
  const servable = meter.createObservableGauge(METRICS.servable, {
    description: '1 when a value of the secret can be handed out now, 0 when not (tracked providers)',
    unit: '1',
  })
  const observables: Observable[] = [hits, misses, age, staleFor, servable]
  const callback = (result: BatchObservableResult) => {
    const totals = new Map<string, { hits: number; misses: number }>()
    for (const provider of providers) {
      if (provider.closed) continue
      const stats = provider.stats()
      const source = provider.source.name
      const sum = totals.get(source) ?? { hits: 0, misses: 0 }
      sum.hits += stats.hits
      sum.misses += stats.misses
      totals.set(source, sum)
      const report = provider.health()
      for (const secret of report.secrets) {
        const attributes = { [ATTRIBUTES.secret]: secret.name, [ATTRIBUTES.source]: report.source }
        result.observe(servable, secret.servable ? 1 : 0, attributes)
        if (secret.ageMs !== undefined) result.observe(age, secret.ageMs / 1000, attributes)
        const staleSeconds =
          secret.status === 'stale' && secret.staleSince !== undefined
            ? Math.max(0, (report.checkedAt - secret.staleSince) / 1000)
            : 0
        result.observe(staleFor, staleSeconds, attributes)
      }
    }
    for (const [source, sum] of totals) {
      result.observe(hits, sum.hits, { [ATTRIBUTES.source]: source })
      result.observe(misses, sum.misses, { [ATTRIBUTES.source]: source })
    }
  }
  meter.addBatchObservableCallback(callback, observables)
  return () => meter.removeBatchObservableCallback(callback, observables)
}

/** One span per source load, from the `latchkey:load` tracing channel. */
function traceLoads(tracer: Tracer): () => void {
  const spans = new WeakMap<object, Span>()
  const channel = tracingChannel<unknown, LoadTraceContext>(DIAGNOSTICS_CHANNELS.loadTrace)
  const finish = (load: LoadTraceContext, failed: boolean) => {
    const span = spans.get(load)
    if (span === undefined) return
    spans.delete(load)
    span.setAttribute(ATTRIBUTES.attempts, load.attempts)
    if (load.version !== undefined) span.setAttribute(ATTRIBUTES.version, load.version)
    if (failed || load.code !== undefined) {
      const code = load.code ?? 'ERR_SECRET_UNAVAILABLE'
      span.setAttribute(ATTRIBUTES.errorType, code)
      // the code only: messages name secrets and backends, and a span is no place to argue whether that is safe
      span.setStatus({ code: SpanStatusCode.ERROR, message: code })
    }
    span.end()
  }
  const handlers = {
    start: safely((load: LoadTraceContext) => {
      const attributes: Attributes = {
        [ATTRIBUTES.secret]: load.name,
        [ATTRIBUTES.source]: load.source,
        [ATTRIBUTES.batch]: load.batch,
        [ATTRIBUTES.background]: load.background,
      }
      if (load.batch) attributes[ATTRIBUTES.names] = [...load.names]
      // a background reload belongs to no request: it starts a trace of its own
      const parent = load.background ? ROOT_CONTEXT : context.active()
      spans.set(
        load,
        tracer.startSpan(
          load.batch ? 'latchkey.load_many' : 'latchkey.load',
          { kind: SpanKind.INTERNAL, attributes },
          parent,
        ),
      )
    }),
    end() {},
    asyncStart() {},
    asyncEnd: safely((load: LoadTraceContext) => finish(load, false)),
    error: safely((load: LoadTraceContext) => finish(load, true)),
  }
  channel.subscribe(handlers)
  return () => channel.unsubscribe(handlers)
}
