/**
 * The rotation every ORM test runs on real PostgreSQL, while `concurrency` loops query through
 * the ORM: a stored-password rotation of one user (the database first, then the secret), a switch
 * to a second user (alternating users), then IAM-style tokens for that user — the test plays the
 * cloud: each load mints a token and hands it out with a `ttlMs` that ends before it. Either the
 * token becomes the role's password `VALID UNTIL` its expiry (one password per role: a new token
 * revokes the last), or (`tokens: 'front'`) the secret points at an RDS IAM front
 * (`test/rds-iam-front/`) that accepts every unexpired token, as RDS does.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { CachedSecretProvider, type LoadedSecret, type SecretSource } from '@latchkey/core'
import { canary, type QueryLoad, queryLoad, sqlLiteral } from '@latchkey/test-support'
import { expect } from 'vitest'
import { IamTokenBook, type RdsIamFront, startRdsIamFront } from './rds-iam-front/index.js'
import { type Admin, credentialsJson, server } from './support.js'

/**
 * One ORM built over the provider: a query answering `current_user` (with `pg_backend_pid()`, for
 * the front to tell which token the connection logged in with), and its shutdown.
 */
export interface OrmUnderTest {
  query(): Promise<string | { user: string; pid: number }>
  close(): Promise<void>
}

/** What {@link ormRotationScenario} measured. */
export interface OrmRun {
  load: QueryLoad
  concurrency: number
  users: readonly [{ name: string }, { name: string }]
  /** Every `current_user` the queries saw, and the one a query saw after the load. */
  seen: Set<string>
  last: string
  /** Tokens minted (the "signer" calls) and how many of them expired while the load ran. */
  tokens: number
  expiries: number
  /** Token mints per token lifetime of the token phase (1: one token per lifetime). */
  mintsPerLifetime: number
  tokenLifetimeMs: number
  /** With `tokens: 'front'`: logins the front accepted and refused, and how many token-phase queries ran. */
  front?: { accepted: number; refused: number; queries: number }
  /**
   * With `tokens: 'front'`: queries that started more than one token lifetime into the token phase
   * on a connection that had not logged in with a token still unexpired when the query started (a
   * login kept past its token, or one from before the tokens) — 0 when the pool retires them.
   */
  afterExpiry: number
}

/** Settings of {@link ormRotationScenario}. */
export interface OrmScenarioOptions {
  /** Query loops. @default 50 */
  concurrency?: number
  /** Tokens must expire this many times during the token phase. @default 20 */
  expiries?: number
  /** One token's lifetime. @default 600 */
  tokenLifetimeMs?: number
  /** Include `dbname`, `host` and `port` in the secret (for helpers that read them). @default false */
  fullSecret?: boolean
  /**
   * Switch to the second user before the tokens (alternating users); `false` keeps one user
   * throughout (single-user rotation, for clients whose username is fixed). @default true
   */
  alternate?: boolean
  /**
   * Start with a stored-password rotation of the first user, the database changed before the
   * secret; `false` skips it (for clients that cannot retry a refused login). @default true
   */
  singleUserFirst?: boolean
  /**
   * End with the token phase. `true`: our PostgreSQL holds one password per role, so a token
   * replaces the last one at once — a login still using the previous token is refused (RDS accepts
   * every unexpired token); only clients that retry a refused login (RotatingPool, `withSecret`)
   * pass it. `'front'`: the token secret's host and port are an RDS IAM front that accepts every
   * unexpired token and records each login's token by backend pid (queries must then answer
   * `{ user, pid }`). `false`: the run ends with 1 s of stored-password entries expiring every 300 ms.
   * @default true
   */
  tokens?: boolean | 'front'
  /** The token phase lasts at least this long, however soon `expiries` tokens have expired. @default 0 */
  minTokenPhaseMs?: number
  /** Wait this long after the load before the last query (for pools that reap idle logins only). @default 0 */
  settleMs?: number
}

/** Runs the rotation under `build(provider)`'s ORM; the secret's name is `'db'`. */
export async function ormRotationScenario(
  db: Admin,
  label: string,
  build: (provider: CachedSecretProvider, firstUser: string) => OrmUnderTest | Promise<OrmUnderTest>,
  options: OrmScenarioOptions = {},
): Promise<OrmRun> {
  const concurrency = options.concurrency ?? 50
  const lifetime = options.tokenLifetimeMs ?? 600
  const wanted = options.expiries ?? 20
  const alternate = options.alternate ?? true
  const singleUserFirst = options.singleUserFirst ?? true
  const extra = options.fullSecret ? { ...server(), dbname: server().database } : {}
  const users = [await db.createRole(`${label}a`), await db.createRole(`${label}b`)] as const
  const tokenUser = alternate ? users[1] : users[0]
  let stored = credentialsJson(users[0].name, users[0].password, extra)
  let tokenMode = false
  const minted: number[] = []
  const book = new IamTokenBook()
  const front: RdsIamFront | undefined =
    options.tokens === 'front'
      ? await startRdsIamFront({
          upstream: { host: server().host, port: server().port },
          upstreamPassword: (user) => (user === tokenUser.name ? tokenUser.password : undefined),
          tokens: book,
        })
      : undefined
  const source: SecretSource = {
    name: 'scenario',
    async load(): Promise<LoadedSecret> {
      if (!tokenMode) return { value: stored, ttlMs: 300 }
      // Cached for 80 % of the token's life (RdsIamAuthSource: 840 of 900 s), refreshed ahead at 80 % of that.
      const ttlMs = Math.floor(lifetime * 0.8)
      if (front !== undefined) {
        const { token, expiresAt } = book.issue(tokenUser.name, lifetime)
        minted.push(expiresAt)
        return {
          value: credentialsJson(tokenUser.name, token, { ...extra, host: front.host, port: front.port }),
          ttlMs,
        }
      }
      const token = canary(`${label}-token`)
      const expiresAt = Date.now() + lifetime
      await db.query(
        `ALTER ROLE "${tokenUser.name}" PASSWORD ${sqlLiteral(token)} VALID UNTIL ${sqlLiteral(new Date(expiresAt).toISOString())}`,
      )
      minted.push(expiresAt)
      return { value: credentialsJson(tokenUser.name, token, extra), ttlMs }
    },
  }
  const provider = new CachedSecretProvider(source, { minRefreshInterval: 100 })
  const orm = await build(provider, users[0].name)
  const seen = new Set<string>()
  let afterExpiry = 0
  let frontQueries = 0
  let tokensFrom = Number.POSITIVE_INFINITY
  const load = queryLoad(async () => {
    const started = Date.now()
    const answer = await orm.query()
    const who = typeof answer === 'string' ? answer : answer.user
    const session = typeof answer === 'string' ? undefined : front?.sessions.get(answer.pid)
    if (session !== undefined) frontQueries++
    if (
      front !== undefined &&
      started > tokensFrom + lifetime &&
      !(session && session.tokenExpiresAt > started)
    ) {
      afterExpiry++
    }
    seen.add(who)
    return who === users[0].name || who === users[1].name
  }, concurrency)
  await sleep(300)
  if (singleUserFirst) {
    // Stored-password rotation of the first user: the database first, then the secret.
    users[0].password = await db.rotatePassword(users[0].name)
    await sleep(50)
    stored = credentialsJson(users[0].name, users[0].password, extra)
    await sleep(600)
  }
  if (alternate) {
    // Alternating users: switch to the second, then rotate the first's password away.
    users[1].password = await db.rotatePassword(users[1].name)
    stored = credentialsJson(users[1].name, users[1].password, extra)
    await sleep(600)
    users[0].password = await db.rotatePassword(users[0].name)
    await sleep(300)
  }
  // Tokens (for the second user when alternating), until `wanted` of them have expired under load.
  const tokenStart = Date.now()
  if (options.tokens ?? true) {
    tokenMode = true
    tokensFrom = tokenStart
    await provider.refresh('db')
    const minEnd = tokenStart + (options.minTokenPhaseMs ?? 0)
    const expired = () => minted.filter((at) => at <= Date.now()).length
    while ((expired() < wanted || Date.now() < minEnd) && Date.now() - tokenStart < 60_000) {
      await sleep(50)
    }
  } else {
    await sleep(1_000)
  }
  const tokenEnd = Date.now()
  await load.stop()
  await sleep(options.settleMs ?? 0)
  const lastAnswer = await orm.query()
  const last = typeof lastAnswer === 'string' ? lastAnswer : lastAnswer.user
  await orm.close()
  await provider.close()
  const refused = front === undefined ? 0 : Object.values(front.refused).reduce((sum, n) => sum + n, 0)
  const frontFigures = front && { accepted: front.accepted, refused, queries: frontQueries }
  await front?.close()
  return {
    load,
    concurrency,
    users,
    seen,
    last,
    tokens: minted.length,
    expiries: minted.filter((at) => at <= tokenEnd).length,
    mintsPerLifetime: minted.length === 0 ? 0 : minted.length / ((tokenEnd - tokenStart) / lifetime),
    tokenLifetimeMs: lifetime,
    ...(frontFigures === undefined ? {} : { front: frontFigures }),
    afterExpiry,
  }
}

/** One line of figures for the closing note: `[orm] queries, failed, expiries, concurrency, mints per lifetime`. */
export function figures(name: string, run: OrmRun): string {
  const front =
    run.front === undefined
      ? ''
      : `; RDS IAM front: ${run.front.queries} token-phase queries, ${run.front.accepted} logins accepted, ${run.front.refused} refused, ${run.afterExpiry} queries on a login without an unexpired token`
  return `[${name}] ${run.load.ok} queries, ${run.load.failed} failed, ${run.concurrency} concurrent; ${run.tokens} tokens (${run.tokenLifetimeMs} ms each), ${run.expiries} expiries under load, ${run.mintsPerLifetime.toFixed(2)} mints per token lifetime${front}`
}

/**
 * What every rotation run must show: 0 failed queries (more than 100 run), each user it used seen
 * and the last one last (both with `alternate`, the default), ≥ 20 token expiries under load, and
 * at most `mintsPerLifetime` token mints per token lifetime (default 3).
 */
export function expectRotationRun(run: OrmRun, { alternate = true, mintsPerLifetime = 3 } = {}): void {
  const users = alternate ? [run.users[0].name, run.users[1].name] : [run.users[0].name]
  expect(run.load.failures).toEqual([])
  expect(run.load.ok).toBeGreaterThan(100)
  expect(run.seen).toEqual(new Set(users))
  expect(run.last).toBe(users.at(-1))
  expect(run.expiries).toBeGreaterThanOrEqual(20)
  expect(run.mintsPerLifetime).toBeLessThanOrEqual(mintsPerLifetime)
}

/**
 * What a run with `tokens: 'front'` must show: {@link expectRotationRun} with at most 2 token
 * mints per lifetime, no login refused, more logins than tokens (never one token per connection),
 * and no query on a login without an unexpired token.
 */
export function expectFrontRun(run: OrmRun): void {
  expectRotationRun(run, { mintsPerLifetime: 2 })
  expect(run.front?.refused).toBe(0)
  expect(run.front?.queries).toBeGreaterThan(100)
  expect(run.front?.accepted).toBeGreaterThan(run.tokens)
  expect(run.afterExpiry).toBe(0)
}
