import { inspect } from 'node:util'
import { CachedSecretProvider, type RotateEvent, SecretError } from '@latchkey/core'
import { describe, expect, it } from 'vitest'
import { type Creds, databaseStack } from '../test/database-stack.js'
import { VaultDatabaseSource, type VaultDatabaseSourceOptions } from './index.js'

const LEASE_SECONDS = 4

const stack = databaseStack((_postgres, emulator) => {
  emulator.database.createRole({ name: 'app', defaultTtl: LEASE_SECONDS, maxTtl: 60 })
  emulator.database.createRole({ name: 'long', defaultTtl: 600, maxTtl: 3600 })
  return emulator.createToken({
    allow: ['database/creds/*', { path: 'sys/leases/revoke', capabilities: ['update'] }],
    displayName: 'service',
  })
})

async function roleExists(name: string): Promise<boolean> {
  return (await stack.postgres.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount === 1
}

function source(options: Partial<VaultDatabaseSourceOptions> = {}): VaultDatabaseSource {
  return new VaultDatabaseSource({
    endpoint: stack.emulator.endpoint,
    auth: { type: 'token', token: stack.token },
    ...options,
  })
}

const ctx = () => ({ signal: new AbortController().signal })

describe('VaultDatabaseSource', () => {
  it('loads {"username","password"} that log in to PostgreSQL, versioned by lease id, with the lease as ttlMs', async () => {
    const db = source()
    try {
      const loaded = await db.load('creds/long', ctx())
      expect(loaded.version).toMatch(/^database\/creds\/long\/[A-Za-z0-9]{24}$/)
      // The lease's 600 s from when it was asked for (the root-less service token lives 768 h).
      expect(loaded.ttlMs).toBeLessThanOrEqual(600_000)
      expect(loaded.ttlMs).toBeGreaterThan(590_000)
      const creds = JSON.parse(String(loaded.value)) as Creds
      expect(Object.keys(creds)).toEqual(['username', 'password'])
      expect(creds.username).toMatch(/^v-service-long-/)
      expect(await stack.canLogIn(creds)).toBe(true)
      expect(stack.emulator.calls.log.at(-1)).toMatchObject({
        method: 'GET',
        path: 'database/creds/long',
        status: 200,
      })
      const bare = await db.load('long', ctx())
      expect(bare.version).not.toBe(loaded.version)
      expect(db.activeLeases()).toEqual([loaded.version, bare.version])
      const printed = inspect(db, { depth: 10, showHidden: true })
      expect(printed).not.toContain(creds.password)
      expect(printed).not.toContain(stack.token)
    } finally {
      await db.close()
    }
  })

  it('serves fields through the cache and hides the password from describe() and inspect', async () => {
    const cache = new CachedSecretProvider(source())
    try {
      const username = await cache.getSecret('creds/long#username')
      const password = await cache.getSecret('creds/long#password')
      expect(await stack.canLogIn({ username, password })).toBe(true)
      const info = cache.describe('creds/long')
      expect(info?.expiresAt).toBeLessThanOrEqual(Date.now() + 600_000)
      for (const text of [JSON.stringify(info), inspect(cache, { depth: 10 }), JSON.stringify(cache)]) {
        expect(text).not.toContain(password)
      }
    } finally {
      await cache.close()
    }
  })

  it('has the cache replace credentials before their lease ends; the new ones log in, the old ones die with their lease', async () => {
    const cache = new CachedSecretProvider(source())
    try {
      const rotated = new Promise<RotateEvent>((resolve) => cache.on('rotate', resolve))
      await cache.preload(['creds/app'])
      const handle = cache.handle('creds/app')
      const first = handle.json<Creds>()
      const firstLease = stack.emulator.database.leases().find((l) => l.leaseId === handle.version)
      expect(firstLease).toBeDefined()
      const event = await rotated
      const rotatedAt = Date.now()
      expect(event.oldVersion).toBe(firstLease?.leaseId)
      expect(rotatedAt).toBeLessThan(firstLease?.expiresAt ?? 0)
      const second = handle.json<Creds>()
      expect(second.username).not.toBe(first.username)
      expect(handle.version).toBe(event.newVersion)
      expect(await stack.canLogIn(second)).toBe(true)
      expect(await stack.canLogIn(first)).toBe(true)
      await expect.poll(() => roleExists(first.username), { timeout: 5_000, interval: 100 }).toBe(false)
      expect(await stack.canLogIn(first)).toBe('28P01')
      expect(await stack.canLogIn(second)).toBe(true)
      expect(stack.emulator.database.revocationErrors).toEqual([])
    } finally {
      await cache.close()
    }
  })

  it('maps an unknown role to ERR_SECRET_NOT_FOUND without retrying, and refuses nested names', async () => {
    const cache = new CachedSecretProvider(source(), { retry: { retries: 2, baseDelay: 1 } })
    try {
      stack.emulator.calls.reset()
      const error = (await cache.getSecret('creds/nope').catch((e: unknown) => e)) as SecretError
      expect(error).toBeInstanceOf(SecretError)
      expect(error).toMatchObject({
        code: 'ERR_SECRET_NOT_FOUND',
        source: 'vault-database',
        transient: false,
      })
      expect(error.cause).toMatchObject({ statusCode: 400, errors: ['unknown role'] })
      expect(stack.emulator.calls.count('database/creds/nope')).toBe(1)
      const nested = (await cache.getSecret('creds/a/b').catch((e: unknown) => e)) as SecretError
      expect(nested.code).toBe('ERR_SECRET_INVALID_NAME')
    } finally {
      await cache.close()
    }
  })

  it('maps a failing database (500) to ERR_SECRET_UNAVAILABLE and retries', async () => {
    stack.emulator.database.createRole({
      name: 'broken',
      creationStatements: ['SELECT * FROM no_such_table'],
    })
    const cache = new CachedSecretProvider(source(), { retry: { retries: 1, baseDelay: 1 } })
    try {
      stack.emulator.calls.reset()
      const error = (await cache.getSecret('creds/broken').catch((e: unknown) => e)) as SecretError
      expect(error).toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE', transient: true })
      expect(error.cause).toMatchObject({ statusCode: 500 })
      expect(stack.emulator.calls.count('database/creds/broken')).toBe(2)
    } finally {
      await cache.close()
    }
  })

  it('maps a 200 answer that is not database credentials (HTML page, truncated JSON) to ERR_SECRET_UNAVAILABLE', async () => {
    const loader = source()
    try {
      for (const body of [
        '<html><body>proxy</body></html>',
        '{"lease_id":"database/creds/app/x","data":{"user',
      ]) {
        stack.emulator.faults.fail({ status: 200, body }, { path: 'database/creds/app' })
        const error = (await loader.load('creds/app', ctx()).catch((e: unknown) => e)) as SecretError
        expect(error).toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE', transient: true })
        expect(error.cause).toMatchObject({ statusCode: 200 })
      }
      expect(loader.activeLeases()).toEqual([])
    } finally {
      stack.emulator.faults.reset()
      await loader.close()
    }
  })

  it('revokes the leases it obtained on close, unless revokeOnClose is false', async () => {
    const revoking = source()
    const a = JSON.parse(String((await revoking.load('creds/long', ctx())).value)) as Creds
    const b = JSON.parse(String((await revoking.load('creds/long', ctx())).value)) as Creds
    await revoking.close()
    expect(await roleExists(a.username)).toBe(false)
    expect(await roleExists(b.username)).toBe(false)
    expect(stack.emulator.calls.count('sys/leases/revoke', 'POST')).toBe(2)
    await expect(revoking.load('creds/long', ctx())).rejects.toMatchObject({ code: 'ERR_PROVIDER_CLOSED' })

    const keeping = source({ revokeOnClose: false })
    const loaded = await keeping.load('creds/long', ctx())
    const kept = JSON.parse(String(loaded.value)) as Creds
    await keeping.close()
    expect(await roleExists(kept.username)).toBe(true)
    expect(stack.emulator.database.leases().map((l) => l.leaseId)).toContain(loaded.version)
  })

  it('warns through the logger when Vault refuses to revoke', async () => {
    const readOnly = stack.emulator.createToken({ allow: ['database/creds/*'] })
    const warnings: string[] = []
    const db = source({
      auth: { type: 'token', token: readOnly },
      logger: { warn: (message) => warnings.push(message) },
    })
    const loaded = await db.load('creds/long', ctx())
    await db.close()
    expect(warnings).toEqual([
      expect.stringContaining('could not revoke 1 of 1 Vault leases on close: Vault answered 403'),
    ])
    expect(stack.emulator.database.leases().map((l) => l.leaseId)).toContain(loaded.version)
  })
})
