/**
 * The rotation every ORM test runs on real PostgreSQL, while `concurrency` loops query through
 * the ORM: a stored-password rotation of one user (the database first, then the secret), a switch
 * to a second user (alternating users), then IAM-style tokens for that user — the test plays the
 * cloud: each load mints a token, sets it as the role's password `VALID UNTIL` its expiry, and
 * hands it out with a `ttlMs` that ends before it.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { CachedSecretProvider, type LoadedSecret, type SecretSource } from '@latchkey/core'
import { canary, type QueryLoad, queryLoad, sqlLiteral } from '@latchkey/test-support'
import { type Admin, credentialsJson, server } from './support.js'

/** One ORM built over the provider: a query answering `current_user`, and its shutdown. */
export interface OrmUnderTest {
  query(): Promise<string>
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
   * End with the token phase. Our PostgreSQL holds one password per role, so a token replaces the
   * last one at once — a login still using the previous token is refused (RDS accepts every
   * unexpired token); only clients that retry a refused login (RotatingPool, `withSecret`) pass it.
   * Without it the run ends with 1 s of stored-password entries expiring every 300 ms.
   * @default true
   */
  tokens?: boolean
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
  const source: SecretSource = {
    name: 'scenario',
    async load(): Promise<LoadedSecret> {
      if (!tokenMode) return { value: stored, ttlMs: 300 }
      const token = canary(`${label}-token`)
      const expiresAt = Date.now() + lifetime
      await db.query(
        `ALTER ROLE "${tokenUser.name}" PASSWORD ${sqlLiteral(token)} VALID UNTIL ${sqlLiteral(new Date(expiresAt).toISOString())}`,
      )
      minted.push(expiresAt)
      // Cached for 80 % of the token's life (RdsIamAuthSource: 840 of 900 s), refreshed ahead at 80 % of that.
      return { value: credentialsJson(tokenUser.name, token, extra), ttlMs: Math.floor(lifetime * 0.8) }
    },
  }
  const provider = new CachedSecretProvider(source, { minRefreshInterval: 100 })
  const orm = await build(provider, users[0].name)
  const seen = new Set<string>()
  const load = queryLoad(async () => {
    const who = await orm.query()
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
    await provider.refresh('db')
    while (minted.filter((at) => at <= Date.now()).length < wanted && Date.now() - tokenStart < 60_000) {
      await sleep(50)
    }
  } else {
    await sleep(1_000)
  }
  const tokenEnd = Date.now()
  await load.stop()
  await sleep(options.settleMs ?? 0)
  const last = await orm.query()
  await orm.close()
  await provider.close()
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
  }
}

/** One line of figures for the closing note: `[orm] queries, failed, expiries, concurrency, mints per lifetime`. */
export function figures(name: string, run: OrmRun): string {
  return `[${name}] ${run.load.ok} queries, ${run.load.failed} failed, ${run.concurrency} concurrent; ${run.tokens} tokens (${run.tokenLifetimeMs} ms each), ${run.expiries} expiries under load, ${run.mintsPerLifetime.toFixed(2)} mints per token lifetime`
}
