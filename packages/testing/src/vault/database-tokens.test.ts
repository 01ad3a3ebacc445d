import { ErrorCode, InvalidOptionsError } from '@latchkey/core'
import { canary, loginOutcome, rejectionOf, sqlLiteral } from '@latchkey/test-support'
import vault from 'node-vault'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refusal } from '../../test/vault-replies.js'
import { type RunningPostgres, startPostgres } from '../postgres.js'
import { startVaultEmulator, type VaultEmulator } from './index.js'

let postgres: RunningPostgres
let emulator: VaultEmulator
/** The password static-app has before Vault takes it over. */
const initialPassword = canary('static-app-initial')

const canLogIn = (user: string, password: string) =>
  loginOutcome(
    new pg.Client({ host: postgres.host, port: postgres.port, database: postgres.database, user, password }),
  )
const roleExists = async (name: string) =>
  (await postgres.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount === 1
const clientFor = (token: string, namespace?: string) =>
  vault({ endpoint: emulator.endpoint, token, ...(namespace === undefined ? {} : { namespace }) })
const CREDS = { path: 'database/creds/*', capabilities: ['read' as const] }
const CREATE = { path: 'auth/token/create', capabilities: ['update' as const] }

beforeAll(async () => {
  postgres = await startPostgres()
  emulator = await startVaultEmulator()
  emulator.database.configure({ connectionString: postgres.connectionString })
  emulator.database.createRole({ name: 'app', defaultTtl: 600, maxTtl: 900 })
  await postgres.query(`CREATE ROLE "static-app" WITH LOGIN PASSWORD ${sqlLiteral(initialPassword)}`)
  await postgres.query(
    `CREATE ROLE "static-http" WITH LOGIN PASSWORD ${sqlLiteral(canary('static-http-initial'))}`,
  )
})

afterAll(async () => {
  await emulator?.close()
  await postgres?.stop()
})

describe('database leases and token features', () => {
  it('num_uses: the read that uses a token up gets its credentials, then the token and that lease are revoked', async () => {
    const token = emulator.createToken({ numUses: 1, allow: [CREDS] })
    const creds = await clientFor(token).read('database/creds/app')
    expect(creds.lease_duration).toBe(600)
    await expect.poll(() => roleExists(creds.data.username), { timeout: 5_000, interval: 50 }).toBe(false)
    expect(emulator.database.leases().map((l) => l.leaseId)).not.toContain(creds.lease_id)
    expect((await refusal(clientFor(token).read('database/creds/app'))).status).toBe(403)
  })

  it('a batch token’s lease is held by its parent, capped by the batch TTL, and not renewable', async () => {
    const parent = emulator.createToken({ allow: [CREDS, CREATE] })
    const batch = (await clientFor(parent).write('auth/token/create', { type: 'batch', ttl: '2m' })).auth
      .client_token as string
    const creds = await clientFor(batch).read('database/creds/app')
    expect(creds).toMatchObject({ renewable: false })
    expect(creds.lease_duration).toBeGreaterThanOrEqual(119)
    expect(creds.lease_duration).toBeLessThanOrEqual(120)
    expect(await canLogIn(creds.data.username, creds.data.password)).toBe(true)
    // The parent's revocation takes the lease with it (batch tokens cannot be revoked themselves).
    await clientFor(parent).tokenRevokeSelf()
    await expect.poll(() => roleExists(creds.data.username), { timeout: 5_000, interval: 50 }).toBe(false)
  })

  it('an orphan batch token’s lease ends with the batch token’s TTL', async () => {
    emulator.writePolicy('creds-reader', 'path "database/creds/*" {\n  capabilities = ["read"]\n}\n')
    const batch = (
      await clientFor(emulator.token).write('auth/token/create-orphan', {
        type: 'batch',
        ttl: '1s',
        policies: ['creds-reader'],
      })
    ).auth.client_token as string
    expect(batch).toMatch(/^hvb\./)
    const creds = await clientFor(batch).read('database/creds/app')
    expect(creds.lease_duration).toBeLessThanOrEqual(1)
    await expect.poll(() => roleExists(creds.data.username), { timeout: 5_000, interval: 50 }).toBe(false)
  })

  it('revoking a parent token revokes its children’s leases too', async () => {
    const parent = emulator.createToken({ allow: [CREDS, CREATE] })
    const child = (await clientFor(parent).tokenCreate({})).auth.client_token as string
    const creds = await clientFor(child).read('database/creds/app')
    await clientFor(emulator.token).tokenRevoke({ token: parent })
    await expect.poll(() => roleExists(creds.data.username), { timeout: 5_000, interval: 50 }).toBe(false)
  })
})

describe('database static roles', () => {
  it('createStaticRole sets a new password now; static-creds answer it with last_vault_rotation and ttl', async () => {
    await emulator.database.createStaticRole({ name: 'static', username: 'static-app', rotationPeriod: 3600 })
    expect(await canLogIn('static-app', initialPassword)).toBe('28P01')
    const creds = await clientFor(emulator.token).read('database/static-creds/static')
    expect(creds).toMatchObject({ lease_id: '', lease_duration: 0, renewable: false })
    expect(creds.data).toMatchObject({ username: 'static-app', rotation_period: 3600 })
    expect(creds.data.ttl).toBeGreaterThan(3590)
    expect(Date.parse(creds.data.last_vault_rotation)).toBeGreaterThan(Date.now() - 10_000)
    expect(await canLogIn('static-app', creds.data.password)).toBe(true)
  })

  it('rotate-role changes the password at once; the old one stops working', async () => {
    const before = (await clientFor(emulator.token).read('database/static-creds/static')).data
    const reply = await fetch(`${emulator.endpoint}/v1/database/rotate-role/static`, {
      method: 'POST',
      headers: { 'X-Vault-Token': emulator.token },
    })
    expect(reply.status).toBe(204)
    const after = (await clientFor(emulator.token).read('database/static-creds/static')).data
    expect(after.password).not.toBe(before.password)
    expect(await canLogIn('static-app', before.password)).toBe('28P01')
    expect(await canLogIn('static-app', after.password)).toBe(true)
  })

  it('the password changes by itself every rotation_period', async () => {
    await clientFor(emulator.token).write('database/static-roles/fast', {
      username: 'static-http',
      rotation_period: '5s',
    })
    const role = await clientFor(emulator.token).read('database/static-roles/fast')
    expect(role.data).toMatchObject({ username: 'static-http', rotation_period: 5, db_name: 'postgresql' })
    const first = (await clientFor(emulator.token).read('database/static-creds/fast')).data
    await expect
      .poll(async () => (await clientFor(emulator.token).read('database/static-creds/fast')).data.password, {
        timeout: 9_000,
        interval: 250,
      })
      .not.toBe(first.password)
    const second = (await clientFor(emulator.token).read('database/static-creds/fast')).data
    expect(await canLogIn('static-http', second.password)).toBe(true)
    expect(Date.parse(second.last_vault_rotation)).toBeGreaterThan(Date.parse(first.last_vault_rotation))
    expect((await clientFor(emulator.token).list('database/static-roles')).data.keys).toEqual([
      'fast',
      'static',
    ])
  })

  it('the createStaticRole helper refuses what Vault refuses with InvalidOptionsError, naming the option', async () => {
    for (const [options, option] of [
      [{ name: 'x', username: 'static-app', rotationPeriod: 4 }, 'rotationPeriod'],
      [{ name: 'x', username: '', rotationPeriod: 60 }, 'username'],
      [{ name: 'a/b', username: 'static-app', rotationPeriod: 60 }, 'name'],
    ] as const) {
      const error = await rejectionOf(emulator.database.createStaticRole(options), InvalidOptionsError)
      expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTIONS })
      expect(error.message).toContain(`database.createStaticRole ${option}`)
    }
  })

  it('refuses what Vault refuses: a short rotation_period, no username, unknown roles', async () => {
    const root = clientFor(emulator.token)
    expect(
      await refusal(root.write('database/static-roles/bad', { username: 'x', rotation_period: 2 })),
    ).toEqual({
      status: 400,
      errors: ['rotation_period must be 5 seconds or more'],
    })
    expect(await refusal(root.write('database/static-roles/bad', { rotation_period: 60 }))).toEqual({
      status: 400,
      errors: ['username is a required field to create a static account'],
    })
    expect(await refusal(root.read('database/static-creds/nope'))).toEqual({
      status: 400,
      errors: ['unknown role: nope'],
    })
    expect((await refusal(root.read('database/static-roles/nope'))).status).toBe(404)
  })
})

describe('a database engine per namespace', () => {
  it('a namespace’s database engine has its own roles; its leases are tied to that namespace’s tokens', async () => {
    emulator.database.configure({ connectionString: postgres.connectionString, namespace: 'team-db' })
    emulator.database.createRole({ name: 'ns-only', defaultTtl: 300, namespace: 'team-db' })
    const inTeam = clientFor(emulator.token, 'team-db')
    const creds = await inTeam.read('database/creds/ns-only')
    expect(await canLogIn(creds.data.username, creds.data.password)).toBe(true)
    expect(await refusal(clientFor(emulator.token).read('database/creds/ns-only'))).toEqual({
      status: 400,
      errors: ['unknown role: ns-only'],
    })
    expect(await refusal(inTeam.read('database/creds/app'))).toEqual({
      status: 400,
      errors: ['unknown role: app'],
    })
    const token = emulator.createToken({ namespace: 'team-db', allow: [CREDS] })
    const leased = await clientFor(token, 'team-db').read('database/creds/ns-only')
    emulator.expireTokens({ token })
    await expect.poll(() => roleExists(leased.data.username), { timeout: 5_000, interval: 50 }).toBe(false)
    const renewed = await inTeam.write('sys/leases/renew', { lease_id: creds.lease_id, increment: 60 })
    expect(renewed.lease_duration).toBe(60)
  })
})
