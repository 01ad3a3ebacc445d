import { CachedSecretProvider, type RotateEvent, type SecretError } from '@latchkey/core'
import { canary, rejectionOf, sqlLiteral } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { type Creds, databaseStack } from '../test/database-stack.js'
import { VaultDatabaseSource } from './index.js'

/** svc-hourly's password before Vault takes it over. */
const hourlyInitial = canary('svc-hourly-initial')

const stack = databaseStack(async (postgres, emulator) => {
  await postgres.query(`CREATE ROLE "svc-hourly" WITH LOGIN PASSWORD ${sqlLiteral(hourlyInitial)}`)
  await postgres.query(`CREATE ROLE "svc-fast" WITH LOGIN PASSWORD ${sqlLiteral(canary('svc-fast-initial'))}`)
  await emulator.database.createStaticRole({ name: 'hourly', username: 'svc-hourly', rotationPeriod: 3600 })
  await emulator.database.createStaticRole({ name: 'fast', username: 'svc-fast', rotationPeriod: 5 })
  return emulator.createToken({ allow: ['database/static-creds/*'] })
})

const ctx = () => ({ signal: new AbortController().signal })
const source = () =>
  new VaultDatabaseSource({ endpoint: stack.emulator.endpoint, auth: { type: 'token', token: stack.token } })

describe('VaultDatabaseSource static-creds/<role>', () => {
  it('loads the static user and its current password, version last_vault_rotation, ttlMs until the next rotation', async () => {
    const loader = source()
    try {
      const loaded = await loader.load('static-creds/hourly', ctx())
      const creds = JSON.parse(String(loaded.value)) as Creds
      expect(creds.username).toBe('svc-hourly')
      expect(await stack.canLogIn(creds)).toBe(true)
      expect(await stack.canLogIn({ username: 'svc-hourly', password: hourlyInitial })).toBe('28P01')
      expect(Date.parse(String(loaded.version))).toBeGreaterThan(Date.now() - 60_000)
      expect(loaded.ttlMs).toBeGreaterThan(3_500_000)
      expect(loaded.ttlMs).toBeLessThanOrEqual(3_600_000)
      // A static role has no lease: nothing to revoke on close.
      expect(loader.activeLeases()).toEqual([])
    } finally {
      await loader.close()
    }
    expect(stack.emulator.calls.count('sys/leases/revoke')).toBe(0)
  })

  it('after rotate-role a forced refresh emits rotate (versions only) and serves the new password', async () => {
    const provider = new CachedSecretProvider(source(), { minRefreshInterval: 0 })
    try {
      const before = await provider.getJson<Creds>('static-creds/hourly')
      const rotations: RotateEvent[] = []
      provider.on('rotate', (event) => rotations.push(event))
      const rotated = await fetch(`${stack.emulator.endpoint}/v1/database/rotate-role/hourly`, {
        method: 'POST',
        headers: { 'X-Vault-Token': stack.emulator.token },
      })
      expect(rotated.status).toBe(204)
      expect(await stack.canLogIn(before)).toBe('28P01')
      await provider.refresh('static-creds/hourly')
      const after = await provider.getJson<Creds>('static-creds/hourly')
      expect(after.password).not.toBe(before.password)
      expect(await stack.canLogIn(after)).toBe(true)
      expect(rotations).toHaveLength(1)
      expect(JSON.stringify(rotations)).not.toContain(before.password)
      expect(JSON.stringify(rotations)).not.toContain(after.password)
    } finally {
      await provider.close()
    }
  })

  it('the cache reloads on the rotation schedule by itself: the password in hand always logs in', async () => {
    const provider = new CachedSecretProvider(source())
    try {
      const first = await provider.getJson<Creds>('static-creds/fast')
      await expect
        .poll(async () => (await provider.getJson<Creds>('static-creds/fast')).password, {
          timeout: 9_000,
          interval: 200,
        })
        .not.toBe(first.password)
      expect(await stack.canLogIn(await provider.getJson<Creds>('static-creds/fast'))).toBe(true)
    } finally {
      await provider.close()
    }
  })

  it('a 200 that is not static credentials is transient and quotes nothing; a bad name is refused', async () => {
    const loader = source()
    try {
      stack.emulator.faults.fail(
        { status: 200, body: '{"data":{"username":"svc-hourly"}}' },
        { path: 'database/static-creds/' },
      )
      const error = await rejectionOf<SecretError>(loader.load('static-creds/hourly', ctx()))
      expect(error).toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE', transient: true })
      expect(await rejectionOf<SecretError>(loader.load('static-creds/', ctx()))).toMatchObject({
        code: 'ERR_SECRET_INVALID_NAME',
      })
      expect(await rejectionOf<SecretError>(loader.load('static-creds/a/b', ctx()))).toMatchObject({
        code: 'ERR_SECRET_INVALID_NAME',
      })
    } finally {
      stack.emulator.faults.reset()
      await loader.close()
    }
  })

  it('an unknown static role is ERR_SECRET_NOT_FOUND (400 unknown role), a token without the path is access denied', async () => {
    const loader = source()
    const denied = new VaultDatabaseSource({
      endpoint: stack.emulator.endpoint,
      auth: { type: 'token', token: stack.emulator.createToken({ allow: ['database/creds/*'] }) },
    })
    try {
      const unknown = await rejectionOf<SecretError>(loader.load('static-creds/nope', ctx()))
      expect(unknown).toMatchObject({ code: 'ERR_SECRET_NOT_FOUND', transient: false })
      expect(unknown.cause).toMatchObject({ statusCode: 400, errors: ['unknown role'] })
      expect(await rejectionOf<SecretError>(denied.load('static-creds/hourly', ctx()))).toMatchObject({
        code: 'ERR_SECRET_ACCESS_DENIED',
      })
    } finally {
      await loader.close()
      await denied.close()
    }
  })
})
