/**
 * @latchkey/core benchmarks against the baselines in DESIGN.md: the naive Map TTL cache, lru-cache 11
 * `fetch` (allowStale, allowStaleOnFetchRejection) and a process.env read. Rounds of latchkey and
 * its baseline run alternately in one process. Run: `pnpm bench` at the root, or
 * `npx tsx core.bench.ts` here.
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import {
  CachedSecretProvider,
  type LoadedSecret,
  MemorySource,
  type SecretSource,
  SecretUnavailableError,
} from '@latchkey/core'
import { lruSecretCache, NaiveTtlCache } from './baselines.js'
import { alternate, fmt, median, nsPerAsyncOp, nsPerOp, percentile, printRows, type Row } from './measure.js'

const quiet = { warn: () => undefined }

async function warmGet(): Promise<Row> {
  const source = new MemorySource({ 'db/password': 'bench-password-value-1' })
  const provider = new CachedSecretProvider(source, { ttl: 3_600_000, logger: quiet })
  const naive = new NaiveTtlCache(async (name) => String((await source.load(name)).value), 3_600_000)
  await provider.getSecret('db/password')
  await naive.get('db/password')
  const batch = 200_000
  for (let i = 0; i < 3; i++) {
    await nsPerAsyncOp(() => provider.getSecret('db/password'), batch)
    await nsPerAsyncOp(() => naive.get('db/password'), batch)
  }
  const [ours, theirs] = await alternate(
    () => nsPerAsyncOp(() => provider.getSecret('db/password'), batch),
    () => nsPerAsyncOp(() => naive.get('db/password'), batch),
    11,
  )
  await provider.close()
  const ratio = ours / theirs
  return {
    name: 'warm getSecret vs naive Map cache',
    value: `${fmt(ours, 1)} ns vs ${fmt(theirs, 1)} ns = ${fmt(ratio)}×`,
    target: '≤ 1.0×',
    pass: ratio <= 1.0,
  }
}

async function reveal(): Promise<Row> {
  process.env.LATCHKEY_BENCH_PASSWORD = 'bench-password-value-1'
  const provider = new CachedSecretProvider(new MemorySource({ 'db/password': 'bench-password-value-1' }), {
    logger: quiet,
  })
  const handle = await provider.handle('db/password').ready()
  let sink = 0
  const batch = 1_000_000
  const readEnv = () => {
    sink += (process.env.LATCHKEY_BENCH_PASSWORD as string).length
  }
  const readHandle = () => {
    sink += handle.reveal().length
  }
  nsPerOp(readEnv, batch, 3)
  nsPerOp(readHandle, batch, 3)
  const [ours, env] = await alternate(
    () => median(nsPerOp(readHandle, batch, 3)),
    () => median(nsPerOp(readEnv, batch, 3)),
    9,
  )
  await provider.close()
  if (sink === 0) throw new Error('unreachable')
  const ratio = ours / env
  return {
    name: 'handle.reveal() vs process.env read',
    value: `${fmt(ours, 1)} ns vs ${fmt(env, 1)} ns = ${fmt(ratio, 3)}×`,
    target: '≤ 0.5×',
    pass: ratio <= 0.5,
  }
}

class SlowSource implements SecretSource {
  readonly name = 'slow'
  loads = 0
  version = 1
  constructor(readonly latencyMs: number) {}
  async load(): Promise<LoadedSecret> {
    this.loads++
    await sleep(this.latencyMs)
    return { value: `bench-password-${this.version}`, version: String(this.version) }
  }
}

async function coldStampede(): Promise<Row> {
  const source = new SlowSource(20)
  const provider = new CachedSecretProvider(source, { logger: quiet })
  await Promise.all(Array.from({ length: 10_000 }, () => provider.getSecret('db/password')))
  const naiveSource = new SlowSource(20)
  const naive = new NaiveTtlCache(async () => String((await naiveSource.load()).value), 300_000)
  await Promise.all(Array.from({ length: 10_000 }, () => naive.get('db/password')))
  await provider.close()
  return {
    name: '10,000 concurrent cold getSecret: source loads',
    value: `${source.loads} (naive: ${naiveSource.loads})`,
    target: '1',
    pass: source.loads === 1,
  }
}

/**
 * Steady load across many TTL expiries with a 20 ms source: latency of each call. 20 callers each
 * read every 5 ms, so each expiry is about 2% of the calls — enough to show in the naive p99.
 */
async function latencyAcrossExpiries(): Promise<Row> {
  const ttl = 200
  const durationMs = 4_000
  const pauseMs = 5
  const source = new SlowSource(20)
  const provider = new CachedSecretProvider(source, { ttl, logger: quiet })
  const naiveSource = new SlowSource(20)
  const naive = new NaiveTtlCache(async () => String((await naiveSource.load()).value), ttl)
  const run = async (get: () => Promise<string>) => {
    const latencies: number[] = []
    await get()
    const end = performance.now() + durationMs
    const worker = async () => {
      while (performance.now() < end) {
        const start = performance.now()
        await get()
        latencies.push(performance.now() - start)
        await sleep(pauseMs)
      }
    }
    await Promise.all(Array.from({ length: 20 }, worker))
    return latencies
  }
  const ours = await run(() => provider.getSecret('db/password'))
  const theirs = await run(() => naive.get('db/password'))
  await provider.close()
  const p99 = percentile(ours, 99)
  const naiveP99 = percentile(theirs, 99)
  return {
    name: `p99 getSecret over ${durationMs / ttl} TTL expiries, 20 ms source`,
    value: `${fmt(p99, 3)} ms (naive: ${fmt(naiveP99, 1)} ms; ${ours.length} calls, ${source.loads} loads)`,
    target: '< 1 ms',
    pass: p99 < 1,
  }
}

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** `count` names and password-like values, made before any measurement. */
function secrets(count: number, prefix = 'svc/secret'): { names: string[]; source: MemorySource } {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`)
  const source = new MemorySource()
  for (const name of names) source.set(name, randomBytes(18).toString('base64url'))
  return { names, source }
}

const loadFrom = (source: MemorySource) => async (name: string) => String((await source.load(name)).value)

/** Warm `getSecret` against a warm lru-cache `fetch`, cycling over `count` names. */
async function warmVsLru(count: number): Promise<Row> {
  const { names, source } = secrets(count, `warm${count}`)
  const provider = new CachedSecretProvider(source, { ttl: 3_600_000, maxEntries: count, logger: quiet })
  const lru = lruSecretCache(loadFrom(source), { max: count, ttl: 3_600_000 })
  for (const name of names) {
    await provider.getSecret(name)
    await lru.fetch(name)
  }
  const batch = 200_000
  const ours = async () => {
    let i = 0
    const start = process.hrtime.bigint()
    for (let n = 0; n < batch; n++) {
      await provider.getSecret(names[i] as string)
      if (++i === count) i = 0
    }
    return Number(process.hrtime.bigint() - start) / batch
  }
  const theirs = async () => {
    let i = 0
    const start = process.hrtime.bigint()
    for (let n = 0; n < batch; n++) {
      await lru.fetch(names[i] as string)
      if (++i === count) i = 0
    }
    return Number(process.hrtime.bigint() - start) / batch
  }
  for (let i = 0; i < 3; i++) {
    await ours()
    await theirs()
  }
  const [a, b] = await alternate(ours, theirs, 11)
  await provider.close()
  const ratio = a / b
  return {
    name: `warm getSecret vs lru-cache fetch, ${count === 1 ? '1 name' : `${count.toLocaleString('en')} names`}`,
    value: `${fmt(a, 1)} ns vs ${fmt(b, 1)} ns = ${fmt(ratio)}×`,
    target: '≤ 0.9×',
    pass: ratio <= 0.9,
  }
}

/** Retained heap per entry with 10,000 entries (latchkey with its scrub index built). */
async function heapPerEntry(): Promise<Row> {
  const count = 10_000
  const measure = async (fill: (names: string[], source: MemorySource) => Promise<unknown>) => {
    const { names, source } = secrets(count, `heap${Math.random()}`)
    gc()
    gc()
    const before = process.memoryUsage().heapUsed
    const kept = await fill(names, source)
    gc()
    gc()
    const bytes = (process.memoryUsage().heapUsed - before) / count
    if (kept === undefined) throw new Error('unreachable')
    return { bytes, kept }
  }
  const ours: number[] = []
  const theirs: number[] = []
  for (let round = 0; round < 3; round++) {
    const a = await measure(async (names, source) => {
      const provider = new CachedSecretProvider(source, { maxEntries: count, logger: quiet })
      for (const name of names) await provider.getSecret(name)
      provider.redactor.redact('build the scrub index: a line that mentions no secret')
      return provider
    })
    ours.push(a.bytes)
    await (a.kept as CachedSecretProvider).close()
    const b = await measure(async (names, source) => {
      const lru = lruSecretCache(loadFrom(source), { max: count, ttl: 300_000 })
      for (const name of names) await lru.fetch(name)
      return lru
    })
    theirs.push(b.bytes)
  }
  const a = median(ours)
  const b = median(theirs)
  const ratio = a / b
  return {
    name: 'heap per entry, 10,000 entries (scrub index built) vs lru-cache',
    value: `${fmt(a, 0)} B vs ${fmt(b, 0)} B = ${fmt(ratio)}×`,
    target: '≤ 4×',
    pass: ratio <= 4,
  }
}

/** A miss under churn: 10,000 names cycled through a cache of 1,000, so every read loads and evicts. */
async function missUnderChurn(): Promise<Row> {
  const { names, source } = secrets(10_000, 'churn')
  const provider = new CachedSecretProvider(source, { maxEntries: 1_000, logger: quiet })
  const lru = lruSecretCache(loadFrom(source), { max: 1_000, ttl: 300_000 })
  const batch = 20_000
  let i = 0
  let j = 0
  const ours = async () => {
    const start = process.hrtime.bigint()
    for (let n = 0; n < batch; n++) {
      await provider.getSecret(names[i] as string)
      if (++i === names.length) i = 0
    }
    return Number(process.hrtime.bigint() - start) / batch
  }
  const theirs = async () => {
    const start = process.hrtime.bigint()
    for (let n = 0; n < batch; n++) {
      await lru.fetch(names[j] as string)
      if (++j === names.length) j = 0
    }
    return Number(process.hrtime.bigint() - start) / batch
  }
  await ours()
  await theirs()
  const [a, b] = await alternate(ours, theirs, 7)
  await provider.close()
  const ratio = a / b
  return {
    name: 'a miss under churn (10,000 names, 1,000 entries) vs lru-cache',
    value: `${fmt(a / 1000, 2)} µs vs ${fmt(b / 1000, 2)} µs = ${fmt(ratio)}×`,
    target: '≤ 2×',
    pass: ratio <= 2,
  }
}

/** Filling 100,000 names one after another (every value registered for scrubbing). */
async function fill(): Promise<Row> {
  const count = 100_000
  const { names, source } = secrets(count, 'fill')
  const ours = async () => {
    const provider = new CachedSecretProvider(source, {
      maxEntries: count,
      redactRetention: 0,
      logger: quiet,
    })
    const start = process.hrtime.bigint()
    for (const name of names) await provider.getSecret(name)
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    await provider.close()
    return ms
  }
  const theirs = async () => {
    const lru = lruSecretCache(loadFrom(source), { max: count, ttl: 300_000 })
    const start = process.hrtime.bigint()
    for (const name of names) await lru.fetch(name)
    return Number(process.hrtime.bigint() - start) / 1e6
  }
  const [a, b] = await alternate(ours, theirs, 3)
  const ratio = a / b
  return {
    name: 'filling 100,000 names vs lru-cache',
    value: `${fmt(a, 0)} ms vs ${fmt(b, 0)} ms = ${fmt(ratio)}×`,
    target: '≤ 3×',
    pass: ratio <= 3,
  }
}

/** A source that answers after `latencyMs`, failing every call while `down`. */
class OutageSource implements SecretSource {
  readonly name = 'outage'
  calls = 0
  down = false
  constructor(readonly latencyMs: number) {}
  async load(): Promise<LoadedSecret> {
    this.calls++
    await sleep(this.latencyMs)
    if (this.down) throw new SecretUnavailableError({ source: this.name })
    return { value: 'bench-outage-password-value', version: '1' }
  }
}

/**
 * A 4 s outage under steady reads: 20 readers every 5 ms, TTL 1 s, a backend that takes 50 ms to
 * answer or fail. A read "waits on the backend" when it takes longer than half the backend's latency.
 */
async function outage(): Promise<Row> {
  const ttl = 1_000
  const run = async (get: () => Promise<string>, source: OutageSource) => {
    let failed = 0
    let waited = 0
    let reads = 0
    await get()
    const start = performance.now()
    const outageStart = start + 1_000
    const outageEnd = outageStart + 4_000
    const end = outageEnd + 1_000
    const worker = async () => {
      for (let now = performance.now(); now < end; now = performance.now()) {
        source.down = now >= outageStart && now < outageEnd
        const t = performance.now()
        try {
          await get()
        } catch {
          failed++
        }
        if (performance.now() - t > source.latencyMs / 2) waited++
        reads++
        await sleep(5)
      }
    }
    await Promise.all(Array.from({ length: 20 }, worker))
    return { failed, waited, reads, calls: source.calls }
  }
  const ourSource = new OutageSource(50)
  const provider = new CachedSecretProvider(ourSource, { ttl, logger: quiet })
  const ours = await run(() => provider.getSecret('db/password'), ourSource)
  await provider.close()
  const lruSource = new OutageSource(50)
  const lru = lruSecretCache(async (name) => String((await lruSource.load()).value ?? name), {
    max: 100,
    ttl,
  })
  const theirs = await run(async () => (await lru.fetch('db/password')) as string, lruSource)
  return {
    name: '4 s outage, 20 readers every 5 ms, TTL 1 s: failed / waiting reads, backend calls',
    value: `${ours.failed} failed, ${ours.waited} waited, ${ours.calls} calls of ${ours.reads} reads (lru-cache: ${theirs.failed} failed, ${theirs.waited} waited, ${theirs.calls} calls)`,
    target: '0 failed, 0 waited',
    pass: ours.failed === 0 && ours.waited === 0,
  }
}

export async function runCoreBench(): Promise<{ rows: Row[] }> {
  const rows = [
    await warmGet(),
    await warmVsLru(1),
    await warmVsLru(1_000),
    await heapPerEntry(),
    await missUnderChurn(),
    await fill(),
    await outage(),
    await reveal(),
    await coldStampede(),
    await latencyAcrossExpiries(),
  ]
  return { rows }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows } = await runCoreBench()
  printRows('@latchkey/core', rows)
}
