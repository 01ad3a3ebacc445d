/**
 * instrumentSecrets() against the real OpenTelemetry SDK (sdk-metrics, sdk-trace-base, the
 * Prometheus exporter), with in-memory exporters: every metric and span, their content, and that
 * no secret value appears in any of them.
 */
import { inspect } from 'node:util'
import {
  CachedSecretProvider,
  type CacheOptions,
  InvalidOptionsError,
  MemorySource,
  SecretUnavailableError,
} from '@latchkey/core'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { context, SpanStatusCode } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus'
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterEach, describe, expect, it } from 'vitest'
import { instrumentSecrets, type SecretsInstrumentation } from './index.js'

const quiet: CacheOptions = { logger: { warn: () => undefined }, jitter: 0, random: () => 0.5 }

/** A source whose answers a test scripts: a value, or an error, per name. */
class TestSource {
  readonly name = 'test-source'
  readonly answers = new Map<string, Array<{ value: string; version: string } | Error>>()
  readonly fallback = new Map<string, { value: string; version: string } | Error>()
  async load(name: string) {
    const answer = this.answers.get(name)?.shift() ?? this.fallback.get(name)
    if (answer === undefined) throw new SecretUnavailableError({ secretName: name }, 'no answer scripted')
    if (answer instanceof Error) throw answer
    return { ...answer }
  }
}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function otel() {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  })
  const meterProvider = new MeterProvider({ readers: [reader] })
  const spanExporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] })
  cleanups.push(async () => {
    await meterProvider.shutdown()
    await tracerProvider.shutdown()
  })
  /** Collects now and returns every metric by name. */
  async function collect(): Promise<Map<string, MetricData>> {
    metricExporter.reset()
    await reader.forceFlush()
    const byName = new Map<string, MetricData>()
    for (const resource of metricExporter.getMetrics()) {
      for (const scope of resource.scopeMetrics) {
        for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric)
      }
    }
    return byName
  }
  return { meterProvider, tracerProvider, spanExporter, collect }
}

function instrument(options: Parameters<typeof instrumentSecrets>[0]): SecretsInstrumentation {
  const instrumentation = instrumentSecrets(options)
  cleanups.push(() => instrumentation.close())
  return instrumentation
}

function provider(source: ConstructorParameters<typeof CachedSecretProvider>[0], options: CacheOptions = {}) {
  const p = new CachedSecretProvider(source, { ...quiet, ...options })
  cleanups.push(() => p.close())
  return p
}

/** The points of `metric` as `{ attributes, value }`, the histogram's as its count and sum. */
function points(
  metric: MetricData | undefined,
): Array<{ attributes: Record<string, unknown>; value: unknown }> {
  if (metric === undefined) return []
  return (metric.dataPoints as Array<DataPoint<number | Histogram>>).map((point) => ({
    attributes: { ...point.attributes },
    value: typeof point.value === 'number' ? point.value : { count: point.value.count },
  }))
}

function assertNoValue(what: unknown, where: string): void {
  assertNoCanary(JSON.stringify(what), `${where} (JSON)`)
  assertNoCanary(inspect(what, { depth: 12, showHidden: true }), `${where} (inspect)`)
}

describe('instrumentSecrets: metrics', () => {
  it('counts loads, failures by error code, durations, stale serves and rotations for every provider, without a value', async () => {
    const { meterProvider, collect } = otel()
    instrument({ meterProvider, traces: false })
    let now = 1_700_000_000_000
    const source = new TestSource()
    const first = canary('db-v1')
    source.answers.set('db', [
      { value: first, version: 'v1' },
      new SecretUnavailableError({ secretName: 'db' }, 'backend down'),
      { value: canary('db-v2'), version: 'v2' },
    ])
    source.fallback.set('broken', new SecretUnavailableError({ secretName: 'broken' }, 'backend down'))
    // not tracked: the channel-fed metrics still see it
    const secrets = provider(source, {
      ttl: 1_000,
      refreshAhead: 0,
      retry: { retries: 1, baseDelay: 0 },
      clock: () => now,
    })
    await secrets.getSecret('db')
    await expect(secrets.getSecret('broken')).rejects.toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE' })
    now += 2_000
    source.answers.get('db')?.unshift(new SecretUnavailableError({ secretName: 'db' }, 'backend down'))
    await expect(secrets.getSecret('db')).resolves.toBe(first) // served stale
    await secrets.refresh('db') // v2: a rotation

    const metrics = await collect()
    const db = { 'latchkey.secret.name': 'db', 'latchkey.source': 'test-source' }
    const broken = { 'latchkey.secret.name': 'broken', 'latchkey.source': 'test-source' }
    expect(points(metrics.get('latchkey.loads'))).toEqual(
      expect.arrayContaining([
        { attributes: { ...db, 'latchkey.load.outcome': 'success' }, value: 2 },
        { attributes: { ...db, 'latchkey.load.outcome': 'failure' }, value: 1 },
        { attributes: { ...broken, 'latchkey.load.outcome': 'failure' }, value: 1 },
      ]),
    )
    expect(points(metrics.get('latchkey.load.failures'))).toEqual(
      expect.arrayContaining([
        { attributes: { ...db, 'error.type': 'ERR_SECRET_UNAVAILABLE' }, value: 1 },
        { attributes: { ...broken, 'error.type': 'ERR_SECRET_UNAVAILABLE' }, value: 1 },
      ]),
    )
    expect(points(metrics.get('latchkey.load.duration'))).toEqual(
      expect.arrayContaining([
        { attributes: { ...db, 'latchkey.load.outcome': 'success' }, value: { count: 2 } },
      ]),
    )
    expect(metrics.get('latchkey.load.duration')?.descriptor.unit).toBe('s')
    expect(points(metrics.get('latchkey.stale_serves'))).toEqual([
      { attributes: { ...db, 'error.type': 'ERR_SECRET_UNAVAILABLE' }, value: 1 },
    ])
    expect(points(metrics.get('latchkey.rotations'))).toEqual([{ attributes: db, value: 1 }])
    assertNoValue([...metrics.values()], 'the exported metrics')
  })

  it('reports hits, misses, and each held secret’s age, staleness and servability for tracked providers', async () => {
    const { meterProvider, collect } = otel()
    let now = 1_700_000_000_000
    const source = new TestSource()
    source.answers.set('db', [{ value: canary('db'), version: 'v1' }])
    source.fallback.set('db', new SecretUnavailableError({ secretName: 'db' }, 'backend down'))
    source.fallback.set('api', { value: canary('api'), version: 'a1' })
    const secrets = provider(source, {
      ttl: 60_000,
      refreshAhead: 0,
      maxStale: 600_000,
      retry: { retries: 0 },
      clock: () => now,
    })
    const instrumentation = instrument({ meterProvider, traces: false, provider: secrets })
    await secrets.getSecret('db')
    await secrets.getSecret('db')
    await secrets.getSecret('db')
    now += 50_000
    await secrets.getSecret('api')
    now += 40_000 // db expired 30 s ago
    await secrets.getSecret('db') // the reload fails: served stale
    const db = { 'latchkey.secret.name': 'db', 'latchkey.source': 'test-source' }
    const api = { 'latchkey.secret.name': 'api', 'latchkey.source': 'test-source' }

    let metrics = await collect()
    expect(points(metrics.get('latchkey.cache.hits'))).toEqual([
      { attributes: { 'latchkey.source': 'test-source' }, value: 2 },
    ])
    expect(points(metrics.get('latchkey.cache.misses'))).toEqual([
      { attributes: { 'latchkey.source': 'test-source' }, value: 3 },
    ])
    expect(points(metrics.get('latchkey.secret.age'))).toEqual(
      expect.arrayContaining([
        { attributes: db, value: 90 },
        { attributes: api, value: 40 },
      ]),
    )
    expect(points(metrics.get('latchkey.secret.stale_duration'))).toEqual(
      expect.arrayContaining([
        { attributes: db, value: 30 },
        { attributes: api, value: 0 },
      ]),
    )
    expect(points(metrics.get('latchkey.secret.servable'))).toEqual(
      expect.arrayContaining([
        { attributes: db, value: 1 },
        { attributes: api, value: 1 },
      ]),
    )
    assertNoValue([...metrics.values()], 'the exported metrics')

    // past maxStale nothing can be served
    now += 600_000
    metrics = await collect()
    expect(points(metrics.get('latchkey.secret.servable'))).toEqual(
      expect.arrayContaining([{ attributes: db, value: 0 }]),
    )
    instrumentation.close()
  })

  it('renders as Prometheus text under the names the README’s alert rules use', async () => {
    const exporter = new PrometheusExporter({ preventServerStart: true })
    const meterProvider = new MeterProvider({ readers: [exporter] })
    cleanups.push(() => meterProvider.shutdown())
    let now = 1_700_000_000_000
    const source = new TestSource()
    source.answers.set('db/password', [{ value: canary('pw'), version: 'v1' }])
    source.fallback.set('db/password', new SecretUnavailableError({ secretName: 'db/password' }, 'down'))
    const secrets = provider(source, {
      ttl: 60_000,
      refreshAhead: 0,
      retry: { retries: 0 },
      clock: () => now,
    })
    instrument({ meterProvider, traces: false, provider: secrets })
    await secrets.getSecret('db/password')
    now += 180_000
    await secrets.getSecret('db/password') // stale for 120 s
    const { resourceMetrics } = await exporter.collect()
    const text = new PrometheusSerializer().serialize(resourceMetrics)
    /** The value of the sample of `metric` whose labels include every one of `labels`. */
    const sample = (metric: string, labels: Record<string, string>): number | undefined => {
      for (const line of text.split('\n')) {
        const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line)
        if (match?.[1] !== metric) continue
        const have = match[2] as string
        if (Object.entries(labels).every(([k, v]) => have.includes(`${k}="${v}"`))) return Number(match[3])
      }
      return undefined
    }
    const db = { latchkey_secret_name: 'db/password', latchkey_source: 'test-source' }
    expect(sample('latchkey_secret_stale_duration', db)).toBe(120)
    expect(sample('latchkey_secret_age', db)).toBe(180)
    expect(sample('latchkey_secret_servable', db)).toBe(1)
    expect(sample('latchkey_load_failures_total', { ...db, error_type: 'ERR_SECRET_UNAVAILABLE' })).toBe(1)
    expect(sample('latchkey_loads_total', { ...db, latchkey_load_outcome: 'success' })).toBe(1)
    expect(sample('latchkey_stale_serves_total', { ...db, error_type: 'ERR_SECRET_UNAVAILABLE' })).toBe(1)
    expect(sample('latchkey_cache_misses_total', { latchkey_source: 'test-source' })).toBe(2)
    expect(sample('latchkey_load_duration_count', { ...db, latchkey_load_outcome: 'failure' })).toBe(1)
    expect(
      sample('latchkey_load_duration_bucket', { ...db, latchkey_load_outcome: 'failure', le: '+Inf' }),
    ).toBe(1)
    assertNoCanary(text, 'the Prometheus text')
  })

  it('counts evictions; close() stops every metric', async () => {
    const { meterProvider, collect } = otel()
    const instrumentation = instrument({ meterProvider, traces: false })
    const source = new MemorySource({ a: canary('a'), b: canary('b') })
    const secrets = provider(source, { maxEntries: 1 })
    await secrets.getSecret('a')
    await secrets.getSecret('b') // evicts a
    let metrics = await collect()
    expect(points(metrics.get('latchkey.evictions'))).toEqual([
      { attributes: { 'latchkey.secret.name': 'a', 'latchkey.source': 'memory' }, value: 1 },
    ])
    assertNoValue([...metrics.values()], 'the exported metrics')
    instrumentation.close()
    await secrets.getSecret('a')
    metrics = await collect()
    // cumulative counters stay where they were: the load of 'a' after close() was not counted
    expect(points(metrics.get('latchkey.loads'))).toEqual(
      expect.arrayContaining([
        {
          attributes: {
            'latchkey.secret.name': 'a',
            'latchkey.source': 'memory',
            'latchkey.load.outcome': 'success',
          },
          value: 1,
        },
      ]),
    )
  })
})

describe('instrumentSecrets: spans', () => {
  it('one span per source load with the secret name, source, attempts, version and error code, never a value', async () => {
    const { tracerProvider, spanExporter } = otel()
    instrument({ tracerProvider, metrics: false })
    const source = new TestSource()
    source.answers.set('db', [
      new SecretUnavailableError({ secretName: 'db' }, 'blip'),
      { value: canary('db'), version: 'v3' },
    ])
    source.fallback.set('gone', new SecretUnavailableError({ secretName: 'gone' }, 'down'))
    const secrets = provider(source, { retry: { retries: 1, baseDelay: 0 } })
    await secrets.getSecret('db')
    await expect(secrets.getSecret('gone')).rejects.toThrow()
    const spans = spanExporter.getFinishedSpans()
    expect(spans.map((s) => [s.name, s.attributes, s.status])).toEqual([
      [
        'latchkey.load',
        {
          'latchkey.secret.name': 'db',
          'latchkey.source': 'test-source',
          'latchkey.load.batch': false,
          'latchkey.load.background': false,
          'latchkey.load.attempts': 2,
          'latchkey.secret.version': 'v3',
        },
        { code: SpanStatusCode.UNSET },
      ],
      [
        'latchkey.load',
        {
          'latchkey.secret.name': 'gone',
          'latchkey.source': 'test-source',
          'latchkey.load.batch': false,
          'latchkey.load.background': false,
          'latchkey.load.attempts': 2,
          'error.type': 'ERR_SECRET_UNAVAILABLE',
        },
        { code: SpanStatusCode.ERROR, message: 'ERR_SECRET_UNAVAILABLE' },
      ],
    ])
    expect(spans.every((s) => s.events.length === 0)).toBe(true)
    assertNoValue(
      spans.map((s) => ({ name: s.name, attributes: s.attributes, status: s.status, events: s.events })),
      'the exported spans',
    )
  })

  it('a batch preload is one latchkey.load_many span naming every secret', async () => {
    const { tracerProvider, spanExporter } = otel()
    instrument({ tracerProvider, metrics: false })
    const values: Record<string, string> = { a: canary('a'), b: canary('b') }
    const secrets = provider({
      name: 'batchy',
      load: async (name: string) => ({ value: values[name] as string }),
      loadMany: async (names: string[]) => new Map(names.map((n) => [n, { value: values[n] as string }])),
    })
    await secrets.preload(['a', 'b'])
    const spans = spanExporter.getFinishedSpans()
    expect(spans.map((s) => [s.name, s.attributes])).toEqual([
      [
        'latchkey.load_many',
        {
          'latchkey.secret.name': 'a,b',
          'latchkey.secret.names': ['a', 'b'],
          'latchkey.source': 'batchy',
          'latchkey.load.batch': true,
          'latchkey.load.background': false,
          'latchkey.load.attempts': 1,
        },
      ],
    ])
    assertNoValue(
      spans.map((s) => s.attributes),
      'the exported spans',
    )
  })
})

describe('instrumentSecrets: span parents', () => {
  it('a load a caller awaits is a child of the caller’s active span; a background reload starts its own trace', async () => {
    const contextManager = new AsyncLocalStorageContextManager().enable()
    context.setGlobalContextManager(contextManager)
    cleanups.push(() => {
      context.disable()
    })
    const { tracerProvider, spanExporter } = otel()
    instrument({ tracerProvider, metrics: false })
    const source = new MemorySource({ db: canary('db') })
    const secrets = provider(source, { ttl: 60_000 })
    const tracer = tracerProvider.getTracer('app')
    await tracer.startActiveSpan('GET /orders', async (request) => {
      await secrets.getSecret('db')
      // the handle's first load: nobody awaits it, so it belongs to no request
      secrets.handle('other-name')
      request.end()
    })
    await new Promise((resolve) => setTimeout(resolve, 20))
    const spans = spanExporter.getFinishedSpans()
    const requestSpan = spans.find((s) => s.name === 'GET /orders')
    const awaited = spans.find((s) => s.attributes['latchkey.secret.name'] === 'db')
    const background = spans.find((s) => s.attributes['latchkey.secret.name'] === 'other-name')
    expect(awaited?.parentSpanContext?.spanId).toBe(requestSpan?.spanContext().spanId)
    expect(awaited?.spanContext().traceId).toBe(requestSpan?.spanContext().traceId)
    expect(background?.attributes['latchkey.load.background']).toBe(true)
    expect(background?.parentSpanContext).toBeUndefined()
    expect(background?.spanContext().traceId).not.toBe(requestSpan?.spanContext().traceId)
  })
})

describe('instrumentSecrets: a failing SDK', () => {
  it('an exception inside the SDK is swallowed: loads go on and nothing is thrown at the app', async () => {
    const broken = () => {
      throw new Error('exporter exploded')
    }
    const instrument_ = { add: broken, record: broken }
    const meterProvider = {
      getMeter: () => ({
        createCounter: () => instrument_,
        createHistogram: () => instrument_,
        createObservableCounter: () => ({}),
        createObservableGauge: () => ({}),
        addBatchObservableCallback: () => undefined,
        removeBatchObservableCallback: () => undefined,
      }),
    }
    const tracerProvider = { getTracer: () => ({ startSpan: broken }) }
    instrument({ meterProvider: meterProvider as never, tracerProvider: tracerProvider as never })
    const uncaught: unknown[] = []
    const onUncaught = (error: unknown) => uncaught.push(error)
    process.on('uncaughtException', onUncaught)
    cleanups.push(() => {
      process.off('uncaughtException', onUncaught)
    })
    const value = canary('db')
    const secrets = provider(new MemorySource({ db: value }))
    await expect(secrets.getSecret('db')).resolves.toBe(value)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(uncaught).toEqual([])
  })
})

describe('instrumentSecrets: options', () => {
  it('refuses bad options with InvalidOptionsError naming the option and the type', () => {
    expect(() => instrumentSecrets({ metrics: 'yes' as never })).toThrow(
      'instrumentSecrets: option "metrics" must be a boolean (got string)',
    )
    expect(() => instrumentSecrets({ meterProvider: {} as never })).toThrow(InvalidOptionsError)
    expect(() => instrumentSecrets({ provider: [42] as never })).toThrow(
      'instrumentSecrets: option "provider" must be a CachedSecretProvider or an array of them (got number)',
    )
    expect(() => instrumentSecrets(null as never)).toThrow('options must be an object (got null)')
  })
})
