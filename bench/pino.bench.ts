/**
 * pino with latchkey's value scrubbing vs plain pino vs pino's path `redact`, measured in one run.
 *
 * Every case logs the same realistic line (a message and a small object with a nested `password`)
 * to the same kind of no-op destination. Cases run in alternating order over several rounds; each
 * figure is the median over the rounds, and each ratio is the median of per-round ratios (so a
 * round slowed down by other work on the machine counts once, for every case alike).
 *
 *   cd bench && npx tsx pino.bench.ts
 *   PINO_BENCH_DEST=writable npx tsx pino.bench.ts     # a minimal Writable instead of /dev/null
 *   PINO_BENCH_ROUNDS=30 npx tsx pino.bench.ts
 */
import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { CachedSecretProvider, MemorySource, type SecretRedactor } from '@latchkey/core'
import { DEFAULT_REDACT_PATHS, redactSecrets } from '@latchkey/pino'
import pino, { type DestinationStream, type Logger } from 'pino'
import { median, printRows, type Row } from './measure.js'

const SECRETS = 1_000
const FEW_SECRETS = 10
const BATCH = 20_000
const WARMUP_BATCHES = 2
const ROUNDS = Number(process.env.PINO_BENCH_ROUNDS ?? 15)

/** A realistic set of ~10 pino paths, the kind an app writes by hand. */
const TEN_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'user.creditCard',
]

const PAYLOAD = {
  reqId: 'req-7f3a9c',
  userId: 4217,
  route: '/api/orders',
  durationMs: 12.7,
  user: { id: 4217, email: 'ada@example.com', password: 'hunter2hunter2' },
  items: [
    { sku: 'A-100', qty: 2 },
    { sku: 'B-200', qty: 1 },
  ],
}
const MESSAGE = 'order created'

function randomValue(): string {
  const length = 16 + Math.floor(Math.random() * 17)
  return randomBytes(32).toString('base64').slice(0, length)
}

/** A provider with `count` random 16–32 character secrets loaded through a MemorySource and `preload`. */
async function providerWith(count: number): Promise<{ provider: CachedSecretProvider; values: string[] }> {
  const values = Array.from({ length: count }, randomValue)
  const source = new MemorySource(Object.fromEntries(values.map((value, i) => [`bench/secret-${i}`, value])))
  const provider = new CachedSecretProvider(source)
  await provider.preload(values.map((_, i) => `bench/secret-${i}`))
  return { provider, values }
}

function destination(): DestinationStream {
  if (process.env.PINO_BENCH_DEST === 'writable') {
    return new Writable({
      decodeStrings: false,
      write(_chunk, _encoding, callback) {
        callback()
      },
    })
  }
  return pino.destination({ dest: '/dev/null', sync: true })
}

function timeBatch(log: Logger): number {
  const start = process.hrtime.bigint()
  for (let i = 0; i < BATCH; i++) log.info(PAYLOAD, MESSAGE)
  return Number(process.hrtime.bigint() - start) / BATCH
}

/** Median ns per line of the redactor alone on the line pino writes for PAYLOAD. */
function redactorAlone(redactor: Pick<SecretRedactor, 'redact'>, line: string): number {
  const runs: number[] = []
  for (let round = 0; round < 7; round++) {
    const start = process.hrtime.bigint()
    // Concatenating a fresh string each time gives the redactor an unflattened string, as pino does.
    for (let i = 0; i < BATCH; i++) redactor.redact(line.slice(0, 40) + line.slice(40))
    runs.push(Number(process.hrtime.bigint() - start) / BATCH)
  }
  return median(runs.slice(2))
}

/** Runs the pino benchmark, prints ops/s per case, and returns one row per target. */
export async function runPinoBench(): Promise<{ rows: Row[] }> {
  const many = await providerWith(SECRETS)
  const few = await providerWith(FEW_SECRETS)
  const none = await providerWith(0)
  const dest = destination()
  const cases: Array<{ name: string; log: Logger }> = [
    { name: 'plain pino', log: pino({}, dest) },
    { name: `pino + redactSecrets (${SECRETS} secrets)`, log: pino(redactSecrets(many.provider), dest) },
    { name: `pino + redactSecrets (${FEW_SECRETS} secrets)`, log: pino(redactSecrets(few.provider), dest) },
    {
      name: 'pino path redact (10 paths)',
      log: pino({ redact: { paths: TEN_PATHS, censor: '[REDACTED]' } }, dest),
    },
    {
      name: `pino path redact (same ${DEFAULT_REDACT_PATHS.length} key paths)`,
      log: pino({ redact: { paths: [...DEFAULT_REDACT_PATHS], censor: '[REDACTED]' } }, dest),
    },
    {
      name: 'pino + redactSecrets, key censor only (0 secrets)',
      log: pino(redactSecrets(none.provider), dest),
    },
    {
      name: `pino + redactSecrets, scrubber only (${SECRETS} secrets, keys: [])`,
      log: pino(redactSecrets(many.provider, {}, { keys: [] }), dest),
    },
  ]
  for (const { log } of cases) for (let i = 0; i < WARMUP_BATCHES; i++) timeBatch(log)

  const perCase = cases.map(() => [] as number[])
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < cases.length; k++) {
      const index = (k + round) % cases.length
      perCase[index]?.push(timeBatch((cases[index] as { log: Logger }).log))
    }
  }
  const ns = perCase.map(median)
  const ratio = (a: number, b: number) =>
    median(perCase[a]?.map((value, round) => value / (perCase[b]?.[round] ?? value)) ?? [])

  let line = ''
  const capture = pino(
    {},
    {
      write: (s: string) => {
        line = s
      },
    },
  )
  capture.info(PAYLOAD, MESSAGE)
  const coreAlone = redactorAlone(many.provider.redactor, line)

  const destName =
    process.env.PINO_BENCH_DEST === 'writable' ? 'a minimal Writable' : "pino.destination('/dev/null', sync)"
  console.log(
    `\npino ${pino.version}, Node ${process.version}, destination: ${destName}, ${ROUNDS} rounds × ${BATCH} lines`,
  )
  console.table(
    cases.map(({ name }, i) => ({
      case: name,
      'ops/s': Math.round(1e9 / (ns[i] as number)).toLocaleString('en-US'),
      'ns/line': Math.round(ns[i] as number),
      'vs plain': `${ratio(i, 0).toFixed(2)}×`,
    })),
  )
  console.log(`redactor alone on one ${line.length}-char line: ${coreAlone.toFixed(0)} ns`)

  const vsPlain = ratio(1, 0)
  const scrubOnly = ratio(6, 0)
  const scale = ratio(1, 2)
  const vsTenPaths = ratio(1, 3)
  const vsKeyPaths = ratio(1, 4)
  const rows: Row[] = [
    {
      name: `value scrubbing of ${SECRETS} secrets (keys: []) vs plain pino`,
      value: `${scrubOnly.toFixed(2)}×`,
      target: '≤ 1.15×',
      pass: scrubOnly <= 1.15,
    },
    {
      name: `redactSecrets defaults (scrubbing + key censor) vs plain pino`,
      value: `${vsPlain.toFixed(2)}×`,
      target: '≤ 1.15×',
      pass: vsPlain <= 1.15,
    },
    {
      name: 'pino + redactSecrets vs pino path redact (10 paths)',
      value: `${vsTenPaths.toFixed(2)}×`,
      target: '< 1.00× (faster)',
      pass: vsTenPaths < 1,
    },
    {
      name: `pino + redactSecrets vs pino path redact (same ${DEFAULT_REDACT_PATHS.length} key paths)`,
      value: `${vsKeyPaths.toFixed(2)}×`,
      target: '< 1.00× (faster)',
      pass: vsKeyPaths < 1,
    },
    {
      name: `redactSecrets with ${SECRETS} secrets vs ${FEW_SECRETS} secrets`,
      value: `${scale.toFixed(2)}×`,
      target: '≤ 1.10× (about the same)',
      pass: scale <= 1.1,
    },
  ]
  await Promise.all([many.provider.close(), few.provider.close(), none.provider.close()])
  return { rows }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printRows('pino', (await runPinoBench()).rows)
}
