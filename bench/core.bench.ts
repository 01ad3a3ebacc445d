/**
 * @latchkey/core benchmarks against the baselines in DESIGN.md: the naive Map TTL cache and a
 * process.env read. Run: `pnpm bench` at the root, or `npx tsx core.bench.ts` here.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { CachedSecretProvider, type LoadedSecret, MemorySource, type SecretSource } from '@latchkey/core'
import { NaiveTtlCache } from './baselines.js'
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

export async function runCoreBench(): Promise<{ rows: Row[] }> {
  const rows = [await warmGet(), await reveal(), await coldStampede(), await latencyAcrossExpiries()]
  return { rows }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows } = await runCoreBench()
  printRows('@latchkey/core', rows)
}
