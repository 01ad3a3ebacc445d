/**
 * pino with latchkey's `redactSecrets()` vs plain pino vs pino's path `redact`, measured in one run.
 *
 * Every case logs the same realistic request line (a message and a ~20-field object: request
 * metadata, a user, line items, trace ids, and the error the request failed with, with its stack:
 * about 1.8 KB, the line the target is set on) to the same destination; the same line without the
 * error (about 640 characters) is measured too. Two destinations are measured,
 * each in its own block: `pino.destination('/dev/null', sync)` and a no-op `{ write() {} }`. Cases
 * run in alternating order over several rounds; each figure is the median over the rounds, and
 * each ratio is the median of per-round ratios (so a round slowed down by other work on the
 * machine counts once, for every case alike).
 *
 * Two scenarios, because the registry is process-wide (`sharedRedactor()`):
 * - defaults: 1,000 random 16–32 character secrets loaded through providers with default options;
 * - JWT: the registry cleared, then 1,000 JWT-shaped secrets that share their header and the start
 *   of their payload, and a line that carries another JWT of the same shape (not a secret).
 *
 *   cd bench && npx tsx pino.bench.ts
 *   PINO_BENCH_ROUNDS=30 npx tsx pino.bench.ts
 */
import { createHmac, randomBytes } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { CachedSecretProvider, MemorySource, type SecretRedactor, sharedRedactor } from '@latchkey/core'
import { createLineScrubber } from '@latchkey/core/internal'
import { createLineKeyCensor, DEFAULT_REDACT_KEYS, DEFAULT_REDACT_PATHS, redactSecrets } from '@latchkey/pino'
import { scrub as zapierScrub } from '@zapier/secret-scrubber'
import Fastify from 'fastify'
import pino, { type DestinationStream, type Logger } from 'pino'
import * as redactEnv from 'redact-env'
import { median, printRows, type Row } from './measure.js'

const SECRETS = 1_000
const BATCH = 10_000
const WARMUP_BATCHES = 2
const ROUNDS = Number(process.env.PINO_BENCH_ROUNDS ?? 15)
const quiet = { warn: () => undefined }

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

/** A request log object of about 20 fields, as an API logs when it handles a request. */
function requestPayload(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    reqId: 'req-7f3a9c',
    req: {
      id: 'req-7f3a9c',
      method: 'POST',
      url: '/api/orders?page=2&sort=desc',
      host: 'api.example.com',
      remoteAddress: '10.0.12.7',
      remotePort: 51234,
    },
    userId: 4217,
    tenant: 'acme-corp',
    route: '/api/orders',
    durationMs: 12.7,
    status: 201,
    bytes: 512,
    user: { id: 4217, email: 'ada@example.com', password: 'hunter2hunter2', role: 'admin' },
    items: [
      { sku: 'A-100', qty: 2 },
      { sku: 'B-200', qty: 1 },
    ],
    cache: 'hit',
    region: 'eu-west-1',
    version: '1.42.0',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    retries: 0,
    ...extra,
  }
}
const MESSAGE = 'order created'

/**
 * The error a request handler logs when the database refuses the connection: node-postgres's
 * `ECONNREFUSED` with its fields, and a stack as Node.js prints it through an Express app (fixed
 * text, so the line is the same on every machine).
 */
function requestError(): Error {
  const error = Object.assign(new Error('connect ECONNREFUSED 10.0.12.40:5432'), {
    errno: -111,
    code: 'ECONNREFUSED',
    syscall: 'connect',
    address: '10.0.12.40',
    port: 5432,
  })
  error.stack = [
    'Error: connect ECONNREFUSED 10.0.12.40:5432',
    '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)',
    '    at Client._handleErrorEvent (/srv/orders-api/node_modules/pg/lib/client.js:336:5)',
    '    at Connection.<anonymous> (/srv/orders-api/node_modules/pg/lib/client.js:215:10)',
    '    at Connection.emit (node:events:519:28)',
    '    at Socket.reportStreamError (/srv/orders-api/node_modules/pg/lib/connection.js:57:12)',
    '    at Socket.emit (node:events:519:28)',
    '    at emitErrorNT (node:internal/streams/destroy:169:8)',
    '    at emitErrorCloseNT (node:internal/streams/destroy:128:3)',
    '    at process.processTicksAndRejections (node:internal/process/task_queues:82:21)',
    '    at async OrdersRepository.create (/srv/orders-api/dist/orders/orders.repository.js:48:24)',
    '    at async OrdersService.place (/srv/orders-api/dist/orders/orders.service.js:71:23)',
    '    at async /srv/orders-api/dist/orders/orders.routes.js:33:25',
  ].join('\n')
  return error
}

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url')
}

const JWT_HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))

/** An HS256 JWT for `subject`: every one shares the header and the start of the payload. */
function jwt(subject: string): string {
  const payload = base64url(
    JSON.stringify({ iss: 'https://auth.example.com/', aud: 'orders-api', iat: 1764390000, sub: subject }),
  )
  const signature = createHmac('sha256', 'bench').update(`${JWT_HEADER}.${payload}`).digest('base64url')
  return `${JWT_HEADER}.${payload}.${signature}`
}

function randomValue(): string {
  const length = 16 + Math.floor(Math.random() * 17)
  return randomBytes(32).toString('base64').slice(0, length)
}

/** Providers with default options (so the values go to the shared registry), 100 secrets each. */
async function loadSecrets(values: string[]): Promise<CachedSecretProvider[]> {
  const providers: CachedSecretProvider[] = []
  for (let start = 0; start < values.length; start += 100) {
    const chunk = values.slice(start, start + 100)
    const names = chunk.map((_, i) => `bench/secret-${start + i}`)
    const provider = new CachedSecretProvider(
      new MemorySource(Object.fromEntries(names.map((name, i) => [name, chunk[i] as string]))),
      { logger: quiet },
    )
    await provider.preload(names)
    providers.push(provider)
  }
  return providers
}

interface Destination {
  name: string
  create(): DestinationStream
}

const DESTINATIONS: Destination[] = [
  {
    name: "pino.destination('/dev/null', sync)",
    create: () => pino.destination({ dest: '/dev/null', sync: true }),
  },
  { name: 'no-op { write() {} }', create: () => ({ write: () => undefined }) },
]

interface Case {
  name: string
  log: Logger
}

function timeBatch(log: Logger, payload: object): number {
  const start = process.hrtime.bigint()
  for (let i = 0; i < BATCH; i++) log.info(payload, MESSAGE)
  return Number(process.hrtime.bigint() - start) / BATCH
}

/** Runs `cases` interleaved; returns median ns per line and `ratio(i, j)` (median of per-round ratios). */
function measure(cases: Case[], payload: object): { ns: number[]; ratio: (a: number, b: number) => number } {
  for (const { log } of cases) for (let i = 0; i < WARMUP_BATCHES; i++) timeBatch(log, payload)
  const perCase = cases.map(() => [] as number[])
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < cases.length; k++) {
      const index = (k + round) % cases.length
      perCase[index]?.push(timeBatch((cases[index] as Case).log, payload))
    }
  }
  return {
    ns: perCase.map(median),
    ratio: (a, b) => median(perCase[a]?.map((value, round) => value / (perCase[b]?.[round] ?? value)) ?? []),
  }
}

function printTable(title: string, cases: Case[], result: ReturnType<typeof measure>): void {
  console.log(`\n${title}`)
  console.table(
    cases.map(({ name }, i) => ({
      case: name,
      'ops/s': Math.round(1e9 / (result.ns[i] as number)).toLocaleString('en-US'),
      'ns/line': Math.round(result.ns[i] as number),
      'vs plain': `${result.ratio(i, 0).toFixed(2)}×`,
    })),
  )
}

/** The line plain pino writes for `payload`. */
function lineOf(payload: object): string {
  let line = ''
  pino({}, { write: (s: string) => (line = s) }).info(payload, MESSAGE)
  return line
}

/** Median ns of `fn` on an unflattened copy of `line` (as pino hands it over). */
function alone(fn: (line: string) => string, line: string): number {
  const runs: number[] = []
  for (let round = 0; round < 7; round++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < BATCH; i++) fn(line.slice(0, 40) + line.slice(40))
    runs.push(Number(process.hrtime.bigint() - start) / BATCH)
  }
  return median(runs.slice(2))
}

/** Reads one character, which makes V8 flatten the line pino built by concatenation: what any line hook pays. */
function readOnly(line: string): string {
  if (line.charCodeAt(0) === -1) throw new Error('unreachable')
  return line
}

/**
 * The value-scrubbing peers with the same 1,000 values, against `redactSecrets()` and plain pino
 * in the same rounds. Each case logs as many lines per round as fit in about 50 ms
 * (@zapier/secret-scrubber takes milliseconds per object), so the batches differ; ratios are of
 * per-line times in the same round.
 */
function peerRows(secretValues: readonly string[], payload: object): Row[] {
  const dest = pino.destination({ dest: '/dev/null', sync: true })
  const envRegex = redactEnv.build(
    secretValues.map((_, i) => `SECRET_${i}`),
    Object.fromEntries(secretValues.map((value, i) => [`SECRET_${i}`, value])),
  )
  const cases: Array<{ name: string; log: Logger; lines: number }> = [
    { name: 'plain pino', log: pino({}, dest), lines: 0 },
    { name: 'redactSecrets() defaults', log: pino(redactSecrets(), dest), lines: 0 },
    {
      name: 'redact-env (one RegExp of the values, in streamWrite)',
      log: pino({ hooks: { streamWrite: (l: string) => redactEnv.redact(l, envRegex, '[REDACTED]') } }, dest),
      lines: 0,
    },
    {
      name: '@zapier/secret-scrubber (scrub() in formatters.log)',
      log: pino({ formatters: { log: (object) => zapierScrub(object, [...secretValues]) } }, dest),
      lines: 0,
    },
  ]
  const perLine = (log: Logger, lines: number) => {
    const start = process.hrtime.bigint()
    for (let i = 0; i < lines; i++) log.info(payload, MESSAGE)
    return Number(process.hrtime.bigint() - start) / lines
  }
  for (const entry of cases) entry.lines = Math.max(3, Math.round(50e6 / perLine(entry.log, 3)))
  const samples = cases.map(() => [] as number[])
  for (let round = 0; round < 7; round++) {
    for (let k = 0; k < cases.length; k++) {
      const index = (k + round) % cases.length
      const entry = cases[index] as (typeof cases)[number]
      samples[index]?.push(perLine(entry.log, entry.lines))
    }
  }
  const ratio = (a: number, b: number) =>
    median(
      (samples[a] as number[]).map((value, round) => value / ((samples[b] as number[])[round] as number)),
    )
  console.log('\npeers, 1,000 values, /dev/null (ns per line, median of 7 interleaved rounds)')
  cases.forEach((entry, i) => {
    console.log(
      `  ${entry.name}: ${Math.round(median(samples[i] as number[]))} ns = ${ratio(i, 0).toFixed(2)}× plain`,
    )
  })
  return [
    ['redact-env', 2],
    ['@zapier/secret-scrubber', 3],
  ].map(([peer, index]) => {
    const vs = ratio(1, index as number)
    return {
      name: `redactSecrets() defaults vs ${peer}, same ${secretValues.length} values (/dev/null)`,
      value: `${vs.toFixed(3)}× (${peer} is ${ratio(index as number, 0).toFixed(2)}× plain)`,
      target: '< 1.00× (faster)',
      pass: vs < 1,
    }
  })
}

/** Lines an attacker can make a server log: each is `msg` of about `size` characters. */
function adversarialPayloads(size: number, registered: readonly string[]): Array<[string, object]> {
  const near = registered.slice(0, 200).map((value) => value.slice(0, -1))
  const fill = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size)
  return [
    ['credential-word soup in one string', { msg2: fill('token password secret session ') }],
    ['%-soup', { msg2: fill('%') }],
    ['quote soup', { msg2: fill('"\\\'') }],
    ['near-miss prefixes of registered values', { msg2: fill(`${near.join(' ')} `) }],
    ['1,000 registered values in one line', { msg2: fill(`${registered.join(' ')} `) }],
  ]
}

/** Each adversarial line through `redactSecrets()` vs plain pino on the same line, interleaved rounds. */
function adversarialRows(redactor: SecretRedactor): Row[] {
  const rows: Row[] = []
  const registered = Array.from({ length: 1_000 }, randomValue)
  for (const value of registered) redactor.add(value, 'bench')
  const dest = pino.destination({ dest: '/dev/null', sync: true })
  const plain = pino({}, dest)
  const scrubbed = pino(redactSecrets(), dest)
  console.log('\nadversarial lines (destination /dev/null), ms per line, median of interleaved rounds')
  for (const size of [10_000, 100_000, 1_000_000]) {
    const lines = size >= 1_000_000 ? 3 : size >= 100_000 ? 20 : 200
    for (const [name, payload] of adversarialPayloads(size, registered)) {
      const time = (log: Logger) => {
        const start = process.hrtime.bigint()
        for (let i = 0; i < lines; i++) log.info(payload, 'adversarial')
        return Number(process.hrtime.bigint() - start) / 1e6 / lines
      }
      time(plain)
      time(scrubbed)
      const ratios: number[] = []
      const ms: number[] = []
      const plainMs: number[] = []
      for (let round = 0; round < 7; round++) {
        const a = round % 2 === 0 ? time(plain) : 0
        const b = time(scrubbed)
        const c = round % 2 === 0 ? a : time(plain)
        ratios.push(b / c)
        ms.push(b)
        plainMs.push(c)
      }
      const ratio = median(ratios)
      const range = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`
      const perLine = median(ms)
      const label = `${(size / 1000).toLocaleString('en')} KB ${name}`
      console.log(
        `  ${label}: ${perLine.toFixed(3)} ms vs plain ${median(plainMs).toFixed(3)} ms = ${ratio.toFixed(2)}× (range ${range})`,
      )
      rows.push({
        name: `adversarial ${label} vs plain pino`,
        value: `${ratio.toFixed(2)}× (${perLine.toFixed(2)} ms)`,
        target: size === 100_000 ? '≤ 3×, < 20 ms' : '≤ 3×',
        pass: ratio <= 3 && (size !== 100_000 || perLine < 20),
      })
    }
  }
  for (const value of registered) redactor.release(value, 0)
  redactor.prune()
  return rows
}

/**
 * `Fastify({ logger: redactSecrets() })` vs the same app with a plain pino logger: GET requests
 * whose 15 KB URL is made of `token` (what an unauthenticated client can send), through
 * `app.inject`, logged to /dev/null. Interleaved rounds; the median of per-round ratios.
 */
async function fastifyRow(): Promise<Row> {
  const stream = pino.destination({ dest: '/dev/null', sync: true })
  const scrubbed = Fastify({ logger: { ...redactSecrets({ level: 'info' }), stream } })
  const plain = Fastify({ logger: { level: 'info', stream } })
  for (const app of [scrubbed, plain]) app.get('/*', async () => 'ok')
  await Promise.all([scrubbed.ready(), plain.ready()])
  const url = `/${'token'.repeat(3_000)}`
  const requests = 50
  const time = async (app: typeof plain) => {
    const start = process.hrtime.bigint()
    for (let i = 0; i < requests; i++) await app.inject({ method: 'GET', url })
    return Number(process.hrtime.bigint() - start) / 1e6 / requests
  }
  await time(scrubbed)
  await time(plain)
  const ratios: number[] = []
  const ms: number[] = []
  for (let round = 0; round < 9; round++) {
    const [a, b] = round % 2 === 0 ? [await time(scrubbed), await time(plain)] : [0, await time(plain)]
    const s = round % 2 === 0 ? a : await time(scrubbed)
    ratios.push(s / b)
    ms.push(s)
  }
  await Promise.all([scrubbed.close(), plain.close()])
  const ratio = median(ratios)
  console.log(
    `\nFastify, GET with a 15 KB URL of \`token\`: ${median(ms).toFixed(3)} ms per request, ${ratio.toFixed(2)}× the plain-pino app (range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
  )
  return {
    name: 'Fastify({ logger: redactSecrets() }), GET with a 15 KB URL of `token`, vs plain pino app',
    value: `${ratio.toFixed(2)}×`,
    target: '≤ 1.5×',
    pass: ratio <= 1.5,
  }
}

/** Runs the pino benchmark, prints ops/s per case, and returns one row per target. */
export async function runPinoBench(): Promise<{ rows: Row[] }> {
  const rows: Row[] = []
  const redactor: SecretRedactor = sharedRedactor()
  console.log(`\npino ${pino.version}, Node ${process.version}, ${ROUNDS} rounds × ${BATCH} lines per case`)

  // Scenario 1: defaults, 1,000 random secrets in the shared registry.
  redactor.clear()
  const secretValues = Array.from({ length: SECRETS }, randomValue)
  let providers = await loadSecrets(secretValues)
  const payload = requestPayload({ err: requestError() })
  const line = lineOf(payload)
  const shortPayload = requestPayload()
  const shortLine = lineOf(shortPayload)
  for (const destination of DESTINATIONS) {
    const dest = destination.create()
    const cases: Case[] = [
      { name: 'plain pino', log: pino({}, dest) },
      { name: `redactSecrets() defaults (${SECRETS} secrets)`, log: pino(redactSecrets(), dest) },
      {
        name: 'redactSecrets(), credential keys only (keys: [])',
        log: pino(redactSecrets({ latchkey: { keys: [] } }), dest),
      },
      {
        name: 'pino path redact (10 paths)',
        log: pino({ redact: { paths: TEN_PATHS, censor: '[REDACTED]' } }, dest),
      },
      {
        name: `pino path redact (${DEFAULT_REDACT_PATHS.length} key paths)`,
        log: pino({ redact: { paths: [...DEFAULT_REDACT_PATHS], censor: '[REDACTED]' } }, dest),
      },
      // What the defaults are made of, in place: the floor of any scrubber of finished lines (a
      // hook that only reads the line, which makes V8 flatten pino's concatenated string), then
      // the scan for values alone, then core's line scrubber without key censoring (no word finder).
      {
        name: 'a streamWrite hook that only reads the line',
        log: pino({ hooks: { streamWrite: readOnly } }, dest),
      },
      {
        name: 'value scrubbing alone (shared redactor in streamWrite)',
        log: pino({ hooks: { streamWrite: (l: string) => redactor.redact(l) } }, dest),
      },
      {
        name: 'line scrubber without key censoring (core createLineScrubber)',
        log: pino({ hooks: { streamWrite: createLineScrubber({ redactors: [redactor] }) } }, dest),
      },
      {
        name: "redactSecrets()'s streamWrite alone (no serializers)",
        log: pino({ hooks: redactSecrets().hooks }, dest),
      },
    ]
    const result = measure(cases, payload)
    printTable(
      `defaults — ${line.length}-char line with an error, destination ${destination.name}`,
      cases,
      result,
    )
    const vsPlain = result.ratio(1, 0)
    rows.push({
      name: `redactSecrets() defaults, ${SECRETS} secrets, ${line.length}-char line with an error vs plain pino (${destination.name})`,
      value: `${vsPlain.toFixed(2)}×`,
      target: '≤ 1.15×',
      pass: vsPlain <= 1.15,
    })
    rows.push({
      name: `floor: a hook that only reads the line / value scrubbing alone (${destination.name})`,
      value: `${result.ratio(5, 0).toFixed(2)}× / ${result.ratio(6, 0).toFixed(2)}×`,
      target: 'report',
      pass: true,
    })
    rows.push({
      name: `breakdown: line scrubber without keys / streamWrite with keys / + serializers (${destination.name})`,
      value: `${result.ratio(7, 0).toFixed(2)}× / ${result.ratio(8, 0).toFixed(2)}× / ${result.ratio(1, 0).toFixed(2)}×`,
      target: 'report',
      pass: true,
    })
    const vsPaths = result.ratio(1, 3)
    rows.push({
      name: `redactSecrets() defaults vs pino path redact, 10 paths (${destination.name})`,
      value: `${vsPaths.toFixed(2)}×`,
      target: '< 1.00× (faster)',
      pass: vsPaths < 1,
    })
    const short: Case[] = [
      { name: 'plain pino', log: pino({}, dest) },
      { name: `redactSecrets() defaults (${SECRETS} secrets)`, log: pino(redactSecrets(), dest) },
    ]
    const shortResult = measure(short, shortPayload)
    printTable(
      `defaults — ${shortLine.length}-char line without the error, destination ${destination.name}`,
      short,
      shortResult,
    )
    rows.push({
      name: `redactSecrets() defaults, ${SECRETS} secrets, ${shortLine.length}-char line without the error vs plain pino (${destination.name})`,
      value: `${shortResult.ratio(1, 0).toFixed(2)}×`,
      target: 'report',
      pass: true,
    })
  }
  const censor = createLineKeyCensor(DEFAULT_REDACT_KEYS, '[REDACTED]')
  const streamWrite = redactSecrets().hooks?.streamWrite as (line: string) => string
  for (const text of [line, shortLine]) {
    console.log(
      `on the ${text.length}-char line alone: values only (redact) ${alone((l) => redactor.redact(l), text).toFixed(0)} ns, ` +
        `values, key words (word finder) and the censored key (streamWrite) ${alone(streamWrite, text).toFixed(0)} ns; ` +
        `the key censor alone ${alone(censor, text).toFixed(0)} ns`,
    )
  }
  rows.push(...peerRows(secretValues, payload))
  rows.push(...adversarialRows(redactor))
  rows.push(await fastifyRow())
  await Promise.all(providers.map((provider) => provider.close()))

  // Scenario 2: 1,000 prefix-sharing JWT-shaped secrets, and a line that carries a foreign JWT.
  redactor.clear()
  providers = await loadSecrets(Array.from({ length: SECRETS }, (_, i) => jwt(`user-${100_000 + i}`)))
  const foreign = requestPayload({ jwt: jwt('someone-else') })
  const jwtLine = lineOf(foreign)
  for (const destination of DESTINATIONS) {
    const dest = destination.create()
    const cases: Case[] = [
      { name: 'plain pino', log: pino({}, dest) },
      { name: `redactSecrets() defaults (${SECRETS} JWT secrets)`, log: pino(redactSecrets(), dest) },
    ]
    const result = measure(cases, foreign)
    printTable(
      `JWT — ${jwtLine.length}-char line with a foreign JWT, destination ${destination.name}`,
      cases,
      result,
    )
    const vsPlain = result.ratio(1, 0)
    rows.push({
      name: `${SECRETS} prefix-sharing JWT secrets, line with a foreign JWT vs plain pino (${destination.name})`,
      value: `${vsPlain.toFixed(2)}×`,
      target: '≤ 1.5×',
      pass: vsPlain <= 1.5,
    })
  }
  console.log(
    `on the ${jwtLine.length}-char JWT line alone: values only (redact) ${alone((l) => redactor.redact(l), jwtLine).toFixed(0)} ns, ` +
      `values and key words (streamWrite) ${alone(streamWrite, jwtLine).toFixed(0)} ns`,
  )
  await Promise.all(providers.map((provider) => provider.close()))
  redactor.clear()
  return { rows }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printRows('pino', (await runPinoBench()).rows)
}
