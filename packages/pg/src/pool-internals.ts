import type pg from 'pg'

/**
 * The parts of pg-pool (pg ≥ 8.8, pg-pool ≥ 3.5) that RotatingPool builds on. They are not in
 * `@types/pg`, so they are typed here, in one place.
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
  _remove(client: pg.PoolClient, callback?: () => void): void
  _pulseQueue(): void
}
