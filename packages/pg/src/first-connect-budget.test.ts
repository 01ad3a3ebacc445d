import { ErrorCode, type SecretSource, SecretTimeoutError } from '@latchkey/core'
import { assertNoCanary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { server } from '../test/support.js'
import { RotatingPool } from './index.js'

/** A secret store that never answers (and ignores the abort signal, like a hung peer). */
function hungStore(): SecretSource & { loads: number } {
  const store = {
    name: 'hung-store',
    loads: 0,
    load: () => {
      store.loads++
      return new Promise<never>(() => undefined)
    },
  }
  return store
}

describe('the first connect of a RotatingPool against a hung secret store', () => {
  it('fails inside connectionTimeoutMillis with a SecretTimeoutError naming the secret', async () => {
    // Default cache options: 5 s per attempt × 4 attempts, far beyond the 1 s connection timeout.
    const source = hungStore()
    const pool = new RotatingPool({ source, secret: 'db/creds', ...server(), connectionTimeoutMillis: 1_000 })
    pool.on('error', () => undefined)

    const error = await pool.connect().then(
      () => undefined,
      (reason: unknown) => reason,
    )

    // Before, the caller waited for the whole retry budget and then got pg's
    // "Connection terminated due to connection timeout", which names no secret.
    expect(error).toBeInstanceOf(SecretTimeoutError)
    const timeout = error as SecretTimeoutError
    expect(timeout.code).toBe(ErrorCode.TIMEOUT)
    expect(timeout.secretName).toBe('db/creds')
    expect(timeout.source).toBe('hung-store')
    // 1_000 ms less a tenth of it, so this error wins over pg-pool's own timer.
    expect(timeout.message).toBe('loading secret "db/creds" (source hung-store) timed out after 900 ms')
    expect((timeout.cause as Error).message).toBe(
      "the connection's budget (connectionTimeoutMillis less a margin: 900 ms) ran out before the credentials loaded",
    )
    expect(pool.totalCount).toBe(0)
    assertNoCanary(`${timeout.message}\n${timeout.stack}`, 'the connect error')

    // A second checkout shares the load still running and is bounded the same way.
    const second = await pool.query('SELECT 1').then(
      () => undefined,
      (reason: unknown) => reason,
    )
    expect((second as SecretTimeoutError).code).toBe(ErrorCode.TIMEOUT)
    expect(source.loads).toBe(1)
    await pool.end()
  })
})
