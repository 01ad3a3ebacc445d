/**
 * RotatingPool against plain pg.Pool, on one embedded PostgreSQL (scram-sha-256), in one run:
 *
 * 1. `SELECT 1` throughput: both pools have the same size and get the same number of concurrent
 *    clients, in 16 back-to-back pairs of 500 ms rounds (ABBA order), 8 s per pool. The ratio is
 *    the median of the 16 paired ratios, so a burst of load from elsewhere on the machine skews
 *    one pair, not the result. Target: ≥ 0.95× plain.
 * 2. Failed queries while the password rotates every 2 s under 50 concurrent clients for 10 s, with
 *    the database changed before the secret (as AWS single-user rotation does). Target: 0.
 *
 * Run: `cd bench && npx tsx pg.bench.ts` (after `pnpm build`, which builds the packages it imports).
 */
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'
import { RdsIamAuthSource } from '@latchkey/aws'
import { CachedSecretProvider, MemorySource } from '@latchkey/core'
import { RotatingPool } from '@latchkey/pg'
import { startPostgres } from '@latchkey/testing'
import pg from 'pg'

const POOL_SIZE = 10
const THROUGHPUT_CLIENTS = 32
const ROUNDS = 16
const ROUND_MS = 500
const ROTATION_CLIENTS = 50
const ROTATION_EVERY_MS = 2_000
const ROTATION_RUN_MS = 10_000

export interface BenchRow {
  name: string
  value: string
  target: string
  pass: boolean
}

interface Queryable {
  query(text: string): Promise<unknown>
}

/** Runs `clients` loops of `SELECT 1` for `ms`; returns completed and failed query counts. */
async function drive(pool: Queryable, clients: number, ms: number): Promise<{ ok: number; failed: number }> {
  const until = performance.now() + ms
  let ok = 0
  let failed = 0
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        try {
          await pool.query('SELECT 1')
          ok++
        } catch {
          failed++
        }
      }
    }),
  )
  return { ok, failed }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
}

function newPassword(): string {
  return `bench-${randomBytes(12).toString('hex')}`
}

function credentials(username: string, password: string): string {
  return JSON.stringify({ username, password })
}

/** Measures both targets and returns one row per target. */
export async function runPgBench(): Promise<{ rows: BenchRow[] }> {
  const server = await startPostgres()
  const role = `bench_${randomBytes(4).toString('hex')}`
  let password = newPassword()
  await server.query(`CREATE ROLE ${pg.escapeIdentifier(role)} LOGIN PASSWORD ${pg.escapeLiteral(password)}`)
  const target = { host: server.host, port: server.port, database: server.database }
  try {
    // 1. Throughput, alternating rounds.
    const source = new MemorySource({ 'db/creds': credentials(role, password) })
    const rotating = new RotatingPool({ source, secret: 'db/creds', ...target, max: POOL_SIZE })
    const plain = new pg.Pool({ ...target, user: role, password, max: POOL_SIZE })
    await drive(plain, THROUGHPUT_CLIENTS, 500)
    await drive(rotating, THROUGHPUT_CLIENTS, 500)
    const totals = { plain: 0, rotating: 0 }
    const pairRatios: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['plain', 'rotating'] as const) : (['rotating', 'plain'] as const)
      const counts = { plain: 0, rotating: 0 }
      for (const name of order) {
        counts[name] = (await drive(name === 'plain' ? plain : rotating, THROUGHPUT_CLIENTS, ROUND_MS)).ok
        totals[name] += counts[name]
      }
      pairRatios.push(counts.rotating / counts.plain)
    }
    await Promise.all([plain.end(), rotating.end()])
    const seconds = (ROUNDS * ROUND_MS) / 1000
    const plainQps = totals.plain / seconds
    const rotatingQps = totals.rotating / seconds
    const ratio = median(pairRatios)

    // 1b. The same, with the pool's credentials from an IAM token source (a local signer that sets
    // the role's password to each token it mints, as RDS would accept it).
    const tokenSource = new RdsIamAuthSource({
      hostname: server.host,
      port: server.port,
      username: role,
      signer: {
        async getAuthToken() {
          const token = `${server.host}:${server.port}/?Action=connect&DBUser=${role}&X-Amz-Expires=900&X-Amz-Signature=${randomBytes(32).toString('hex')}`
          await server.query(`ALTER ROLE ${pg.escapeIdentifier(role)} PASSWORD ${pg.escapeLiteral(token)}`)
          password = token
          return token
        },
      },
    })
    const tokenPool = new RotatingPool({ source: tokenSource, secret: 'rds', ...target, max: POOL_SIZE })
    await drive(tokenPool, THROUGHPUT_CLIENTS, 500)
    const tokenPlain = new pg.Pool({ ...target, user: role, password, max: POOL_SIZE })
    await drive(tokenPlain, THROUGHPUT_CLIENTS, 500)
    const tokenRatios: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? (['plain', 'token'] as const) : (['token', 'plain'] as const)
      const counts = { plain: 0, token: 0 }
      for (const name of order) {
        counts[name] = (
          await drive(name === 'plain' ? tokenPlain : tokenPool, THROUGHPUT_CLIENTS, ROUND_MS)
        ).ok
      }
      tokenRatios.push(counts.token / counts.plain)
    }
    await Promise.all([tokenPlain.end(), tokenPool.end()])
    const tokenRatio = median(tokenRatios)

    // 2. Rotation every 2 s under load; the database password changes first, the secret 200 ms later.
    const rotationSource = new MemorySource({ 'db/creds': credentials(role, password) })
    const provider = new CachedSecretProvider(rotationSource)
    const pool = new RotatingPool({
      provider,
      secret: 'db/creds',
      ...target,
      max: POOL_SIZE,
      maxLifetimeSeconds: 1,
      connectionTimeoutMillis: 10_000,
    })
    let poolErrors = 0
    pool.on('error', () => poolErrors++)
    let seen = 0
    pool.on('rotate', () => seen++)
    let rotations = 0
    const load = drive(pool, ROTATION_CLIENTS, ROTATION_RUN_MS)
    const rotate = (async () => {
      const started = performance.now()
      for (let at = ROTATION_EVERY_MS; at < ROTATION_RUN_MS; at += ROTATION_EVERY_MS) {
        await sleep(Math.max(0, started + at - performance.now()))
        password = newPassword()
        await server.query(`ALTER ROLE ${pg.escapeIdentifier(role)} PASSWORD ${pg.escapeLiteral(password)}`)
        await sleep(200)
        rotationSource.set('db/creds', credentials(role, password))
        rotations++
      }
    })()
    const [result] = await Promise.all([load, rotate])
    await pool.end()
    await provider.close()

    return {
      rows: [
        {
          name: `RotatingPool SELECT 1 throughput vs plain pg.Pool (max ${POOL_SIZE}, ${THROUGHPUT_CLIENTS} clients)`,
          value: `${ratio.toFixed(3)}× (median of ${ROUNDS} paired rounds; ${Math.round(rotatingQps)} vs ${Math.round(plainQps)} queries/s overall)`,
          target: '≥ 0.95×',
          pass: ratio >= 0.95,
        },
        {
          name: `RotatingPool over an IAM token source (RdsIamAuthSource) SELECT 1 vs plain pg.Pool (max ${POOL_SIZE}, ${THROUGHPUT_CLIENTS} clients)`,
          value: `${tokenRatio.toFixed(3)}× (median of ${ROUNDS} paired rounds)`,
          target: '≥ 0.95×',
          pass: tokenRatio >= 0.95,
        },
        {
          name: `failed queries, rotating every 2 s under ${ROTATION_CLIENTS} clients for ${ROTATION_RUN_MS / 1000} s`,
          value: `${result.failed} of ${result.ok + result.failed} (${rotations} rotations, ${seen} seen by the pool, ${pool.authRetries} refused logins retried, ${poolErrors} pool errors)`,
          target: '0',
          pass: result.failed === 0 && poolErrors === 0 && seen === rotations,
        },
      ],
    }
  } finally {
    await server.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`).catch(() => undefined)
    await server.stop()
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { rows } = await runPgBench()
  for (const row of rows) {
    console.log(`${row.pass ? 'PASS' : 'FAIL'}  ${row.name}: ${row.value} (target ${row.target})`)
  }
  process.exitCode = rows.every((row) => row.pass) ? 0 : 1
}
