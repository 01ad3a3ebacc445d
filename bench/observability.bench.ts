/**
 * What observability costs a warm `getSecret` (issue 16): with nothing subscribed to the
 * diagnostics channels, with a subscriber on every channel, and with `@latchkey/opentelemetry`
 * active on a real OpenTelemetry SDK `MeterProvider` (the provider tracked, so its hits, misses and
 * per-secret gauges are observed at each collection). Rounds run alternately in one process.
 * Run: `pnpm bench observability` at the root, or `npx tsx observability.bench.ts` here.
 */
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel'
import { CachedSecretProvider, DIAGNOSTICS_CHANNELS, MemorySource } from '@latchkey/core'
import { instrumentSecrets } from '@latchkey/opentelemetry'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { alternate, fmt, nsPerAsyncOp, printRows, type Row } from './measure.js'

const quiet = { warn: () => undefined }
const BATCH = 200_000
const ROUNDS = 11

/** A pull reader the bench collects from by hand (as a Prometheus scrape would). */
class ManualReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function warmProvider(name: string) {
  const provider = new CachedSecretProvider(new MemorySource({ [name]: `bench-${name}-value-1` }), {
    ttl: 3_600_000,
    logger: quiet,
  })
  await provider.getSecret(name)
  for (let i = 0; i < 3; i++) await nsPerAsyncOp(() => provider.getSecret(name), BATCH)
  return provider
}

/** Warm reads of two providers, one measured with `setup()` active and one without, alternately. */
async function compare(
  label: string,
  target: number,
  setup: (provider: CachedSecretProvider) => Promise<() => Promise<void>>,
): Promise<Row> {
  const plain = await warmProvider('plain')
  const observed = await warmProvider('observed')
  const teardown = await setup(observed)
  // the observed provider's rounds run while the subscribers are active; the plain one's too,
  // so both see the same process state and only the provider differs
  const [withIt, without] = await alternate(
    () => nsPerAsyncOp(() => observed.getSecret('observed'), BATCH),
    () => nsPerAsyncOp(() => plain.getSecret('plain'), BATCH),
    ROUNDS,
  )
  await teardown()
  await plain.close()
  await observed.close()
  const ratio = withIt / without
  return {
    name: label,
    value: `${fmt(withIt, 1)} ns vs ${fmt(without, 1)} ns = ${fmt(ratio)}×`,
    target: `≤ ${target}×`,
    pass: ratio <= target,
  }
}

/** Nothing subscribed, measured twice: the spread between two identical setups is the noise. */
async function nothingSubscribed(): Promise<Row> {
  return compare(
    'warm getSecret, nothing subscribed vs nothing subscribed (noise)',
    1.1,
    async () => async () => {},
  )
}

/** A no-op subscriber on every channel and the tracing channel: warm reads publish nothing. */
async function everyChannelSubscribed(): Promise<Row> {
  const channels = [
    DIAGNOSTICS_CHANNELS.loadStart,
    DIAGNOSTICS_CHANNELS.loadEnd,
    DIAGNOSTICS_CHANNELS.loadError,
    DIAGNOSTICS_CHANNELS.stale,
    DIAGNOSTICS_CHANNELS.rotate,
    DIAGNOSTICS_CHANNELS.evict,
  ]
  let seen = 0
  const listener = () => {
    seen++
  }
  const handlers = {
    start: listener,
    end: listener,
    asyncStart: listener,
    asyncEnd: listener,
    error: listener,
  }
  const row = await compare('warm getSecret, every diagnostics channel subscribed vs none', 1.1, async () => {
    for (const name of channels) subscribe(name, listener)
    tracingChannel(DIAGNOSTICS_CHANNELS.loadTrace).subscribe(handlers)
    return async () => {
      for (const name of channels) unsubscribe(name, listener)
      tracingChannel(DIAGNOSTICS_CHANNELS.loadTrace).unsubscribe(handlers)
    }
  })
  return { ...row, value: `${row.value}; ${seen} messages during warm reads` }
}

/** `instrumentSecrets()` on the real SDK with the provider tracked, collected every 10,000 reads. */
async function openTelemetryActive(): Promise<Row> {
  return compare(
    'warm getSecret, OpenTelemetry meter active vs nothing subscribed',
    1.2,
    async (provider) => {
      const reader = new ManualReader()
      const meterProvider = new MeterProvider({ readers: [reader] })
      const instrumentation = instrumentSecrets({ meterProvider, provider })
      // a scrape now and then, as in production (its cost is not on the read path)
      const timer = setInterval(() => void reader.collect(), 50)
      return async () => {
        clearInterval(timer)
        const { resourceMetrics } = await reader.collect()
        const names = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name))
        if (!names.includes('latchkey.cache.hits'))
          throw new Error('the OpenTelemetry meter recorded nothing')
        instrumentation.close()
        await meterProvider.shutdown()
      }
    },
  )
}

export async function runObservabilityBench(): Promise<{ rows: Row[] }> {
  return { rows: [await nothingSubscribed(), await everyChannelSubscribed(), await openTelemetryActive()] }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows } = await runObservabilityBench()
  printRows('observability', rows)
}
