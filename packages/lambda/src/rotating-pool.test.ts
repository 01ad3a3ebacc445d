import { CachedSecretProvider } from '@latchkey/core'
import { RotatingPool } from '@latchkey/pg'
import { canary, rotatingPoolHooks, sqlLiteral } from '@latchkey/test-support'
import { startLambdaExtensionEmulator, startPostgres } from '@latchkey/testing'
import { describe, expect, it, vi } from 'vitest'
import { LambdaExtensionSource, withSecrets } from './index.js'

const env = rotatingPoolHooks(() => startLambdaExtensionEmulator({ cacheTtl: 0 }), startPostgres, 'lambda')
const context = () => ({ getRemainingTimeInMillis: () => 3_000, awsRequestId: 'pool' })

describe('RotatingPool inside a Lambda handler (real PostgreSQL, password auth, through the extension)', () => {
  it('keeps its connection across invocations and a rotation; a refused login forces a refresh; 0 failed invocations', async () => {
    const { emulator: extension, postgres, role } = env
    const credentials = (password: string) =>
      JSON.stringify({
        username: role,
        password,
        host: postgres.host,
        port: postgres.port,
        dbname: postgres.database,
      })
    const first = canary('lambda-pg-1')
    await postgres.query(`CREATE ROLE ${role} LOGIN PASSWORD ${sqlLiteral(first)}`)
    const { versionId: firstVersion } = extension.putSecret('prod/db', credentials(first))

    // module scope of the handler file: one provider, the pool and the wrapper share it
    const provider = new CachedSecretProvider(new LambdaExtensionSource({ env: extension.env }), {
      clock: () => Date.now(),
      minRefreshInterval: 0,
      logger: { warn: () => undefined },
    })
    const pool = new RotatingPool({ provider, secret: 'prod/db', max: 1, idleTimeoutMillis: 0 })
    pool.on('error', () => undefined)
    const handler = withSecrets(
      async () => {
        const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
        return rows[0]?.pid as number
      },
      { provider, secrets: { db: 'prod/db' } },
    )

    const outcomes: Array<'ok' | 'failed'> = []
    const invoke = async () => {
      try {
        const pid = await handler({}, context())
        outcomes.push('ok')
        return pid
      } catch {
        outcomes.push('failed')
        return undefined
      }
    }
    const pid = await invoke()
    expect(await invoke()).toBe(pid) // the same connection, invocation after invocation

    // rotation as AWS single-user rotation does it: the database first, then the secret
    const second = canary('lambda-pg-2')
    await postgres.query(`ALTER ROLE ${role} PASSWORD ${sqlLiteral(second)}`)
    const { versionId: secondVersion } = extension.rotate('prod/db', credentials(second))
    expect(await invoke()).toBe(pid) // the open connection outlives the rotation (login is checked once)

    // the connection dies (a freeze longer than a timeout, a failover): the next login uses the
    // cached old password, is refused with 28P01, and RotatingPool forces a refresh and retries
    await postgres.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${role}'`)
    // the invocation comes once the sandbox has seen the socket close (pg-pool drops the idle
    // client on its 'error'); before that, pg-pool would hand out the dead client (1 run in 6 did)
    await vi.waitFor(() => expect(pool.idleCount).toBe(0), { timeout: 5_000 })
    const newPid = await invoke()
    expect(newPid).not.toBe(pid)
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok'])
    expect(provider.describe('prod/db')?.version).toBe(secondVersion)
    expect(secondVersion).not.toBe(firstVersion)
    await pool.end()
    await provider.close()
  })
})
