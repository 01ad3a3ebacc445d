import type { CachedSecretProvider } from '@latchkey/core'
import { instrumentSecrets } from '@latchkey/opentelemetry'
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus'
import { type DataPoint, MeterProvider, type ResourceMetrics } from '@opentelemetry/sdk-metrics'

/** The latchkey figures the live status line shows, read from the OpenTelemetry metrics. */
export interface MetricFigures {
  loads: number
  loadFailures: number
  staleServes: number
  rotations: number
  hits: number
  misses: number
}

/** OpenTelemetry for the demo: latchkey's metrics, rendered as Prometheus text for `/metrics`. */
export interface Telemetry {
  /** The metrics in the Prometheus text format (what `GET /metrics` answers). */
  prometheusText(): Promise<string>
  /** Sums of the latchkey counters over every secret, for the status line. */
  figures(): Promise<MetricFigures>
  close(): Promise<void>
}

/** The sum of a counter's points (every secret, source and outcome), optionally filtered by an attribute. */
function total(resource: ResourceMetrics, name: string, where?: [string, string]): number {
  let sum = 0
  for (const scope of resource.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== name) continue
      for (const point of metric.dataPoints as Array<DataPoint<number>>) {
        if (where === undefined || point.attributes[where[0]] === where[1]) sum += point.value
      }
    }
  }
  return sum
}

export function startTelemetry(provider: CachedSecretProvider): Telemetry {
  // a pull exporter without its own server: the app's GET /metrics asks it
  const exporter = new PrometheusExporter({ preventServerStart: true })
  const meterProvider = new MeterProvider({ readers: [exporter] })
  const instrumentation = instrumentSecrets({ meterProvider, provider, traces: false })
  const serializer = new PrometheusSerializer()
  return {
    async prometheusText() {
      const { resourceMetrics } = await exporter.collect()
      return serializer.serialize(resourceMetrics)
    },
    async figures() {
      const { resourceMetrics } = await exporter.collect()
      return {
        loads: total(resourceMetrics, 'latchkey.loads'),
        loadFailures: total(resourceMetrics, 'latchkey.loads', ['latchkey.load.outcome', 'failure']),
        staleServes: total(resourceMetrics, 'latchkey.stale_serves'),
        rotations: total(resourceMetrics, 'latchkey.rotations'),
        hits: total(resourceMetrics, 'latchkey.cache.hits'),
        misses: total(resourceMetrics, 'latchkey.cache.misses'),
      }
    },
    async close() {
      instrumentation.close()
      await meterProvider.shutdown()
    },
  }
}
