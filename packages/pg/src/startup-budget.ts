/**
 * The time kept back from a startup limit (here pg's `connectionTimeoutMillis`), so that a first
 * load of the credentials which runs out of time fails with our error (naming the secret) before
 * pg-pool's own timer fires (which names nothing): a tenth of the limit, at most one second.
 */
export function startupMargin(limit: number): number {
  return Math.min(1_000, Math.ceil(limit / 10))
}
