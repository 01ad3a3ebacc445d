import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { ErrorCode, SecretError } from '@latchkey/core'
import type pg from 'pg'

/**
 * The parts of pg-pool (pg ≥ 8.8, pg-pool ≥ 3.5.2) that RotatingPool builds on. They are not in
 * `@types/pg`, so they are typed here, in one place; the README's "pg-pool internals" section lists
 * each with the reason RotatingPool needs it, and {@link checkPoolInternals} checks them when a pool
 * is built.
 */

/** Called once a checkout settles: with a client, or with the error that prevented it. */
export type PoolCallback = (
  error: Error | undefined,
  client?: pg.PoolClient,
  release?: (error?: unknown) => void,
) => void

/** One waiting checkout. pg-pool sets `timedOut` when the caller has already been given a timeout. */
export interface PendingItem {
  callback: PoolCallback
  timedOut?: boolean
}

/** An idle client in the pool. */
export interface IdleItem {
  client: pg.PoolClient
}

/** pg-pool's internal state and methods. */
export interface PoolInternals {
  _idle: IdleItem[]
  _pendingQueue: PendingItem[]
  _expired: WeakSet<object>
  newClient(item: PendingItem): void
  _release(client: pg.PoolClient, idleListener: unknown, error?: unknown): void
  /** Newer pg-pool (3.14.0, for one) calls `callback` once the client has ended; 3.5.2 takes none. */
  _remove(client: pg.PoolClient, callback?: () => void): void
  _pulseQueue(): void
}

/** Methods on pg-pool's prototype, with the fewest declared parameters each must have. */
const METHODS: ReadonlyArray<readonly [keyof PoolInternals, number]> = [
  ['newClient', 1],
  ['_release', 3],
  ['_remove', 1],
  ['_pulseQueue', 0],
]

/** Fields pg-pool's constructor sets, with the class each must be an instance of. */
const FIELDS: ReadonlyArray<readonly [keyof PoolInternals, 'Array' | 'WeakSet']> = [
  ['_idle', 'Array'],
  ['_pendingQueue', 'Array'],
  ['_expired', 'WeakSet'],
]

/** The versions of pg and of the pg-pool it loads; `'unknown'` where one cannot be read. */
export interface PgVersions {
  pg: string
  pgPool: string
}

/**
 * pg or pg-pool does not have the members RotatingPool relies on (a release changed them). Thrown
 * by `new RotatingPool()`; a permanent `SecretError` with `code` `'ERR_PG_POOL_UNSUPPORTED'`.
 */
export class UnsupportedPgPoolError extends SecretError {
  static override readonly code = ErrorCode.PG_POOL_UNSUPPORTED
  /** The installed pg-pool version, or `'unknown'` when it could not be read. */
  readonly pgPoolVersion: string
  /** The installed pg version, or `'unknown'` when it could not be read. */
  readonly pgVersion: string
  /** What is missing or has another shape, such as `'_expired (not a WeakSet)'`. */
  readonly problems: readonly string[]

  constructor(versions: PgVersions, problems: readonly string[]) {
    super(
      ErrorCode.PG_POOL_UNSUPPORTED,
      `RotatingPool: the installed pg-pool ${versions.pgPool} (pg ${versions.pg}) lacks what RotatingPool ` +
        `relies on: ${problems.join(', ')}. Use a pg 8 release from 8.8.0 on whose pg-pool keeps these ` +
        'members (see "pg-pool internals" in the @latchkey/pg README), and report the versions.',
      false,
    )
    this.pgPoolVersion = versions.pgPool
    this.pgVersion = versions.pg
    this.problems = problems
  }

  // spelled out so that a bundler renaming the class cannot change what logs show
  override get name(): string {
    return 'UnsupportedPgPoolError'
  }
}

/**
 * What is wrong with `prototype` (pg-pool's methods), `pool` (a constructed pool's fields) and
 * `client` (a constructed, unconnected pg `Client`); empty when all is in place.
 */
export function poolInternalsProblems(prototype: object, pool: object, client?: object): string[] {
  const problems: string[] = []
  const methods = prototype as Record<string, unknown>
  for (const [name, arity] of METHODS) {
    const method = methods[name]
    if (typeof method !== 'function') problems.push(`${name}() (missing)`)
    else if (method.length < arity)
      problems.push(`${name}() (takes ${method.length} parameters, needs ${arity})`)
  }
  const fields = pool as Record<string, unknown>
  for (const [name, kind] of FIELDS) {
    const value = fields[name]
    const ok = kind === 'Array' ? Array.isArray(value) : value instanceof WeakSet
    if (!ok)
      problems.push(
        `${name} (${value === undefined ? 'missing' : kind === 'Array' ? 'not an array' : 'not a WeakSet'})`,
      )
  }
  if (client !== undefined) {
    const fields = client as {
      connectionParameters?: unknown
      connection?: { stream?: { destroyed?: unknown } }
    }
    if (typeof fields.connectionParameters !== 'object' || fields.connectionParameters === null) {
      problems.push('Client.connectionParameters (missing)')
    }
    if (typeof fields.connection?.stream?.destroyed !== 'boolean') {
      problems.push('Client.connection.stream.destroyed (missing)')
    }
  }
  return problems
}

/**
 * Throws {@link UnsupportedPgPoolError} when pg-pool's prototype, a constructed pool or a
 * constructed client lacks a member RotatingPool relies on.
 */
export function checkPoolInternals(
  prototype: object,
  pool: object,
  client?: object,
  versions: () => PgVersions = installedPgVersions,
): void {
  const problems = poolInternalsProblems(prototype, pool, client)
  if (problems.length > 0) throw new UnsupportedPgPoolError(versions(), problems)
}

/** Reads `name`'s version from the package.json above `entry`; `'unknown'` if there is none. */
function versionAbove(entry: string, name: string): string {
  let dir = dirname(entry)
  for (let depth = 0; depth < 4; depth++) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string
        version?: string
      }
      if (manifest.name === name && typeof manifest.version === 'string') return manifest.version
    } catch {
      // no package.json at this level
    }
    dir = dirname(dir)
  }
  return 'unknown'
}

/** The versions of pg (as this package resolves it) and of the pg-pool that pg loads. */
export function installedPgVersions(): PgVersions {
  let pgEntry: string
  try {
    pgEntry = createRequire(import.meta.url).resolve('pg')
  } catch {
    return { pg: 'unknown', pgPool: 'unknown' }
  }
  let pgPool = 'unknown'
  try {
    // pg-pool is pg's dependency, so it is resolved from pg's own directory.
    pgPool = versionAbove(createRequire(pgEntry).resolve('pg-pool'), 'pg-pool')
  } catch {
    // pg-pool not resolvable from pg
  }
  return { pg: versionAbove(pgEntry, 'pg'), pgPool }
}
