/**
 * Runs every benchmark and prints one table of ratios against the baselines measured in the same
 * process (see DESIGN.md, Performance). `pnpm bench` at the repository root runs this.
 * Pass names to run a subset: `pnpm bench core pino`.
 */
import { cpus } from 'node:os'
import { runCoreBench } from './core.bench.js'
import { printRows, type Row } from './measure.js'

const suites: Record<string, () => Promise<{ rows: Row[] }>> = {
  core: runCoreBench,
  redactor: async () => (await import('./redactor.bench.js')).runRedactorBench(),
  pino: async () => (await import('./pino.bench.js')).runPinoBench(),
  pg: async () => (await import('./pg.bench.js')).runPgBench(),
  fleet: async () => (await import('./fleet.bench.js')).runFleetBench(),
  observability: async () => (await import('./observability.bench.js')).runObservabilityBench(),
  lambda: async () => (await import('./lambda.bench.js')).runLambdaBench(),
}

const wanted = process.argv.slice(2).filter((a) => a !== '--')
const names = wanted.length > 0 ? wanted : Object.keys(suites)
console.log(
  `latchkey benchmarks — Node.js ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`,
)
let missed = 0
for (const name of names) {
  const suite = suites[name]
  if (suite === undefined)
    throw new Error(`unknown benchmark "${name}" (have: ${Object.keys(suites).join(', ')})`)
  const { rows } = await suite()
  printRows(name, rows)
  missed += rows.filter((r) => !r.pass).length
}
console.log(missed === 0 ? '\nall targets met' : `\n${missed} target(s) missed in this run`)
