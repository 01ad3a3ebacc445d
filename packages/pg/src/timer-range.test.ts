/**
 * Duration options vs the Node.js timer range (issue 21): past 2^31 − 1 ms Node.js fires a timer
 * after 1 ms (TimeoutOverflowWarning), so a `maxLifetimeMillis` of 30 days closed every connection
 * ~1 ms after it opened. Each pg timer option is refused past the range, naming the option; the
 * largest valid lifetime keeps one connection for many queries against real PostgreSQL.
 */
import { CachedSecretProvider, ErrorCode, MemorySource } from '@latchkey/core'
import { beforeAll, describe, expect, it } from 'vitest'
import { adminForFile, credentialsJson, server } from '../test/support.js'
import { RotatingPool } from './index.js'

const MAX_TIMER = 2 ** 31 - 1

const file = adminForFile()
let app: { name: string; password: string }

beforeAll(async () => {
  app = await file.db.createRole('timers')
})

function build(options: Record<string, unknown>) {
  const provider = new CachedSecretProvider(
    new MemorySource({ 'db/creds': credentialsJson(app.name, app.password) }),
  )
  return {
    provider,
    make: () => new RotatingPool({ provider, secret: 'db/creds', ...server(), max: 1, ...options } as never),
  }
}

function refusal(options: Record<string, unknown>) {
  try {
    build(options).make()
  } catch (error) {
    return error as Error & { code?: string }
  }
  throw new Error('the options were accepted')
}

describe('pg timer options past 2^31 − 1 ms', () => {
  it.each([
    ['maxLifetimeMillis', 2 ** 31],
    ['maxLifetimeMillis', 30 * 24 * 3_600_000],
    ['maxLifetimeMillis', Number.POSITIVE_INFINITY],
    ['maxLifetimeSeconds', 2 ** 31 / 1_000],
    ['idleTimeoutMillis', 2 ** 31],
    ['connectionTimeoutMillis', 2 ** 31],
    ['connectionTimeoutMillis', Number.NaN],
    ['query_timeout', 2 ** 31],
    ['idleTimeoutMillis', -1],
  ])('refuses %s: %d with ERR_SECRET_INVALID_OPTIONS naming it', (key, value) => {
    const error = refusal({ [key]: value })
    expect(error.code).toBe(ErrorCode.INVALID_OPTIONS)
    expect(error.message).toContain(`"${key}"`)
    expect(error.message).toContain('2147483647')
  })

  it.each([
    ['authRetry.timeout', { authRetry: { timeout: 2 ** 31 } }],
    ['authRetry.maxDelay', { authRetry: { maxDelay: 2 ** 31 } }],
  ])('refuses %s past the range', (name, options) => {
    const error = refusal(options)
    expect(error.code).toBe(ErrorCode.INVALID_OPTIONS)
    expect(error.message).toContain(`"${name}"`)
  })

  it('keeps 0 as "no timer" for the pg options that take it', async () => {
    const { provider, make } = build({ idleTimeoutMillis: 0, connectionTimeoutMillis: 0, query_timeout: 0 })
    const pool = make()
    expect(pool.options).toMatchObject({ idleTimeoutMillis: 0, connectionTimeoutMillis: 0 })
    await pool.end()
    await provider.close()
  })

  it('with the largest valid maxLifetimeMillis, one connection serves every query (real PostgreSQL)', async () => {
    const warnings: string[] = []
    const onWarning = (warning: Error) => warnings.push(warning.name)
    process.on('warning', onWarning)
    const { provider, make } = build({ maxLifetimeMillis: MAX_TIMER, idleTimeoutMillis: MAX_TIMER })
    const pool = make()
    try {
      const pids = new Set<number>()
      for (let i = 0; i < 200; i++) {
        const { rows } = await pool.query<{ pid: number }>('select pg_backend_pid() as pid')
        pids.add(rows[0]?.pid as number)
      }
      // a timer that overflowed would have closed the connection ~1 ms after each open
      await new Promise((resolve) => setTimeout(resolve, 50))
      const { rows } = await pool.query<{ pid: number }>('select pg_backend_pid() as pid')
      pids.add(rows[0]?.pid as number)
      expect(pids.size).toBe(1)
      expect(pool.totalCount).toBe(1)
      expect(warnings).not.toContain('TimeoutOverflowWarning')
    } finally {
      process.off('warning', onWarning)
      await pool.end()
      await provider.close()
    }
  })
})
