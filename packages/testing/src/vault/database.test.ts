import { loginOutcome } from '@latchkey/test-support'
import vault from 'node-vault'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningPostgres, startPostgres } from '../postgres.js'
import { startVaultEmulator, type VaultEmulator } from './index.js'

let postgres: RunningPostgres
let emulator: VaultEmulator

async function canLogIn(user: string, password: string): Promise<true | string> {
  return loginOutcome(
    new pg.Client({
      host: postgres.host,
      port: postgres.port,
      database: postgres.database,
      user,
      password,
    }),
  )
}

async function roleExists(name: string): Promise<boolean> {
  return (await postgres.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount === 1
}

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${emulator.endpoint}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': emulator.token },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, text, body: text === '' ? undefined : JSON.parse(text) }
}

beforeAll(async () => {
  postgres = await startPostgres()
  emulator = await startVaultEmulator()
  emulator.database.configure({ connectionString: postgres.connectionString })
  emulator.database.createRole({ name: 'app', defaultTtl: 600, maxTtl: 900 })
  emulator.database.createRole({ name: 'brief', defaultTtl: 1, maxTtl: 10 })
})

afterAll(async () => {
  await emulator?.close()
  await postgres?.stop()
})

describe('database engine', () => {
  it('creates a real PostgreSQL role per creds call, with a Vault-shaped lease', async () => {
    const client = vault({ endpoint: emulator.endpoint, token: emulator.token })
    const creds = await client.generateDatabaseCredentials({ databasePath: 'database', name: 'app' })
    expect(creds).toMatchObject({ renewable: true, lease_duration: 600, mount_type: 'database' })
    expect(creds.lease_id).toMatch(/^database\/creds\/app\/[A-Za-z0-9]{24}$/)
    expect(creds.data.username).toMatch(/^v-root-app-[A-Za-z0-9]{20}-\d{10}$/)
    expect(creds.data.password).toMatch(/^[A-Za-z0-9-]{20}$/)
    expect(await canLogIn(creds.data.username, creds.data.password)).toBe(true)
    const validUntil = await postgres.query<{ rolvaliduntil: Date }>(
      'SELECT rolvaliduntil FROM pg_roles WHERE rolname = $1',
      [creds.data.username],
    )
    const expiry = validUntil.rows[0]?.rolvaliduntil.getTime() ?? 0
    // {{expiration}} = now + TTL + 5 s buffer, at one-second precision.
    expect(expiry - Date.now()).toBeGreaterThan(600_000)
    expect(expiry - Date.now()).toBeLessThanOrEqual(606_000)
    expect(emulator.database.leases().map((l) => l.leaseId)).toContain(creds.lease_id)
  })

  it('answers an unknown role with 400 "unknown role: <name>"', async () => {
    const reply = await api('GET', 'database/creds/nope')
    expect(reply.status).toBe(400)
    expect(reply.body).toEqual({ errors: ['unknown role: nope'] })
  })

  it('renews with ALTER ROLE VALID UNTIL, capped by max_ttl with a warning; looks leases up', async () => {
    const creds = (await api('GET', 'database/creds/app')).body
    const renewed = await api('PUT', 'sys/leases/renew', { lease_id: creds.lease_id, increment: 3600 })
    expect(renewed.status).toBe(200)
    expect(renewed.body).toMatchObject({ lease_id: creds.lease_id, renewable: true, data: null })
    const granted = renewed.body.lease_duration
    expect([899, 900]).toContain(granted)
    expect(renewed.body.warnings).toEqual([
      `TTL of "3600s" exceeded the effective max_ttl of "${granted}s"; TTL value is capped accordingly`,
    ])
    const validUntil = await postgres.query<{ rolvaliduntil: Date }>(
      'SELECT rolvaliduntil FROM pg_roles WHERE rolname = $1',
      [creds.data.username],
    )
    expect((validUntil.rows[0]?.rolvaliduntil.getTime() ?? 0) - Date.now()).toBeGreaterThan(890_000)
    const lookup = await api('PUT', 'sys/leases/lookup', { lease_id: creds.lease_id })
    expect(lookup.body.data).toMatchObject({
      id: creds.lease_id,
      renewable: true,
      last_renewal_time: expect.stringMatching(/Z$/),
    })
    expect(lookup.body.data.ttl).toBeGreaterThan(890)
  })

  it('revokes with 204 (DROP ROLE), treats an unknown lease as a no-op, and answers 202 for sync: false', async () => {
    const client = vault({ endpoint: emulator.endpoint, token: emulator.token })
    const creds = (await api('GET', 'database/creds/app')).body
    expect(await roleExists(creds.data.username)).toBe(true)
    const revoked = await api('PUT', 'sys/leases/revoke', { lease_id: creds.lease_id })
    expect(revoked.status).toBe(204)
    expect(revoked.text).toBe('')
    expect(await roleExists(creds.data.username)).toBe(false)
    expect(await canLogIn(creds.data.username, creds.data.password)).toBe('28P01')
    expect(
      (await api('PUT', 'sys/leases/revoke', { lease_id: 'database/creds/app/unknownunknownunknown1' }))
        .status,
    ).toBe(204)
    // A 204 resolves in node-vault (axios gives the empty body as '').
    expect(await client.revoke({ lease_id: creds.lease_id })).toBe('')
    const other = (await api('GET', 'database/creds/app')).body
    const async = await api('PUT', 'sys/leases/revoke', { lease_id: other.lease_id, sync: false })
    expect(async.status).toBe(202)
    expect(async.text).toBe('')
    const missing = await api('PUT', 'sys/leases/revoke', {})
    expect(missing.body).toEqual({ errors: ['lease_id must be specified'] })
  })

  it('revokes many leases at once', async () => {
    const leases = await Promise.all([1, 2, 3].map(() => api('GET', 'database/creds/app')))
    const replies = await Promise.all(
      leases.map((l) => api('PUT', 'sys/leases/revoke', { lease_id: l.body.lease_id })),
    )
    expect(replies.map((r) => r.status)).toEqual([204, 204, 204])
    for (const lease of leases) expect(await roleExists(lease.body.data.username)).toBe(false)
  })

  it('answers renewals of unknown leases and tokens with 400', async () => {
    const unknown = await api('PUT', 'sys/leases/renew', {
      lease_id: 'database/creds/app/unknownunknownunknown1',
    })
    expect(unknown.status).toBe(400)
    expect(unknown.body).toEqual({ errors: ['lease not found'] })
    const token = await api('PUT', 'sys/leases/renew', { lease_id: 'auth/approle/login/abc' })
    expect(token.body).toEqual({ errors: ['tokens cannot be renewed through this endpoint'] })
    const client = vault({ endpoint: emulator.endpoint, token: emulator.token })
    const error = await client
      .renew({ lease_id: 'database/creds/app/unknownunknownunknown1' })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ message: 'lease not found', response: { statusCode: 400 } })
  })

  it('revokes leases by itself when they expire, even with a session open', async () => {
    const creds = (await api('GET', 'database/creds/brief')).body
    expect(creds.lease_duration).toBe(1)
    const session = new pg.Client({
      host: postgres.host,
      port: postgres.port,
      database: postgres.database,
      user: creds.data.username,
      password: creds.data.password,
    })
    await session.connect()
    try {
      await expect.poll(() => roleExists(creds.data.username), { timeout: 5_000, interval: 100 }).toBe(false)
      expect(emulator.database.leases().some((l) => l.leaseId === creds.lease_id)).toBe(false)
      expect((await api('PUT', 'sys/leases/renew', { lease_id: creds.lease_id })).body).toEqual({
        errors: ['lease not found'],
      })
      expect(emulator.database.revocationErrors).toEqual([])
    } finally {
      await session.end()
    }
  })

  it('checks the creds path against the token policy', async () => {
    const token = emulator.createToken({ allow: ['database/creds/brief'] })
    const denied = await fetch(`${emulator.endpoint}/v1/database/creds/app`, {
      headers: { 'X-Vault-Token': token },
    })
    expect(denied.status).toBe(403)
    const allowed = await fetch(`${emulator.endpoint}/v1/database/creds/brief`, {
      headers: { 'X-Vault-Token': token },
    })
    expect(allowed.status).toBe(200)
    const body = (await allowed.json()) as { data: { username: string } }
    expect(body.data.username).toMatch(/^v-token-brief-/)
  })
})

describe('leases end with the token that created them (docs/wire-facts.md#vault-leases-and-tokens)', () => {
  async function credsWith(token: string, role = 'app') {
    const response = await fetch(`${emulator.endpoint}/v1/database/creds/${role}`, {
      headers: { 'X-Vault-Token': token },
    })
    expect(response.status).toBe(200)
    return (await response.json()) as {
      lease_id: string
      lease_duration: number
      data: { username: string; password: string }
    }
  }
  const leaseIds = () => emulator.database.leases().map((l) => l.leaseId)

  it('a token that expires by itself takes its leases along: the PostgreSQL role is dropped, the lease TTL notwithstanding', async () => {
    const token = emulator.createToken({ ttl: 1, renewable: false, allow: ['database/creds/*'] })
    const creds = await credsWith(token)
    expect(creds.lease_duration).toBe(600)
    const lease = emulator.database.leases().find((l) => l.leaseId === creds.lease_id)
    expect(lease?.tokenExpiresAt).toBeLessThanOrEqual(Date.now() + 1_000)
    expect(lease?.expiresAt).toBeGreaterThan(Date.now() + 590_000)
    expect(await canLogIn(creds.data.username, creds.data.password)).toBe(true)
    await expect.poll(() => roleExists(creds.data.username), { timeout: 5_000, interval: 50 }).toBe(false)
    expect(leaseIds()).not.toContain(creds.lease_id)
    expect(await canLogIn(creds.data.username, creds.data.password)).toBe('28P01')
    expect(emulator.database.revocationErrors).toEqual([])
  })

  it('revoke-self and expireTokens() revoke the token’s leases at once; other tokens’ leases stay', async () => {
    const a = emulator.createToken({ allow: ['database/creds/*'] })
    const b = emulator.createToken({ allow: ['database/creds/*'] })
    const c = emulator.createToken({ allow: ['database/creds/*'] })
    const [fromA, fromB, fromC] = [await credsWith(a), await credsWith(b), await credsWith(c)]
    expect(
      (
        await fetch(`${emulator.endpoint}/v1/auth/token/revoke-self`, {
          method: 'POST',
          headers: { 'X-Vault-Token': a },
        })
      ).status,
    ).toBe(204)
    await expect.poll(() => roleExists(fromA.data.username), { timeout: 5_000, interval: 50 }).toBe(false)
    expect(emulator.expireTokens({ token: b })).toBe(1)
    await expect.poll(() => roleExists(fromB.data.username), { timeout: 5_000, interval: 50 }).toBe(false)
    expect(leaseIds()).not.toContain(fromA.lease_id)
    expect(leaseIds()).not.toContain(fromB.lease_id)
    expect(leaseIds()).toContain(fromC.lease_id)
    expect(await roleExists(fromC.data.username)).toBe(true)
  })

  it('a renewed token keeps its leases past its first expiry; the root token’s leases never end with it', async () => {
    const token = emulator.createToken({ ttl: 1, maxTtl: 30, allow: ['database/creds/*'] })
    const creds = await credsWith(token)
    const renewed = await fetch(`${emulator.endpoint}/v1/auth/token/renew-self`, {
      method: 'POST',
      headers: { 'X-Vault-Token': token },
      body: JSON.stringify({ increment: 20 }),
    })
    expect(renewed.status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 1_300))
    expect(await roleExists(creds.data.username)).toBe(true)
    expect(leaseIds()).toContain(creds.lease_id)
    const root = await credsWith(emulator.token)
    expect(emulator.database.leases().find((l) => l.leaseId === root.lease_id)?.tokenExpiresAt).toBe(
      Number.POSITIVE_INFINITY,
    )
  })
})
