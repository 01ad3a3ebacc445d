// opentelemetry: the README example with its Prometheus exporter on a free port
// (OTEL_EXPORTER_PROMETHEUS_PORT, which the exporter reads when no `port` is given).
import { check, freePort, runExample, seed } from './lib.mjs'

const port = await freePort()
const { code, out } = await runExample({
  DB_PASSWORD: seed.password,
  OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
})
check(code === 0, `the example exited 0 (it exited ${code})`)
check(!/EADDRINUSE|Error/.test(out), 'the exporter started and stopped without an error')
