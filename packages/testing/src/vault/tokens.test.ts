import { ErrorCode, InvalidOptionsError } from '@latchkey/core'
import { thrownBy } from '@latchkey/test-support'
import vault from 'node-vault'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refusal } from '../../test/vault-replies.js'
import { startVaultEmulator, type VaultEmulator, type VaultTokenOptions } from './index.js'

let emulator: VaultEmulator

beforeAll(async () => {
  emulator = await startVaultEmulator()
  emulator.kv.write('tokens/app', { mark: 'readable' })
})
afterAll(() => emulator.close())

/** A node-vault client of its own: token-creating commands overwrite `client.token`. */
const clientFor = (token: string) => vault({ endpoint: emulator.endpoint, token })

const KV_READ = { path: 'secret/data/tokens/*', capabilities: ['read' as const] }
const CREATE = { path: 'auth/token/create', capabilities: ['update' as const] }

describe('auth/token/create and the token tree', () => {
  it('create answers auth like Vault; the child inherits the parent’s rules, and revoking the parent revokes it', async () => {
    const parent = emulator.createToken({ allow: [KV_READ, CREATE], ttl: 600 })
    const reply = await clientFor(parent).tokenCreate({
      ttl: '5m',
      meta: { user: 'ci' },
      display_name: 'ci job',
    })
    expect(reply.auth).toMatchObject({
      policies: ['default'],
      metadata: { user: 'ci' },
      lease_duration: 300,
      renewable: true,
      token_type: 'service',
      orphan: false,
      num_uses: 0,
    })
    expect(reply.auth.client_token).toMatch(/^hvs\.[A-Za-z0-9]{24}$/)
    const child = reply.auth.client_token as string
    expect((await clientFor(child).read('secret/data/tokens/app')).data.data).toEqual({ mark: 'readable' })
    const looked = await clientFor(child).tokenLookupSelf()
    expect(looked.data).toMatchObject({
      display_name: 'token-ci-job',
      path: 'auth/token/create',
      orphan: false,
    })
    await clientFor(parent).tokenRevokeSelf()
    const after = await refusal(clientFor(child).read('secret/data/tokens/app'))
    expect(after.status).toBe(403)
  })

  it('create-orphan and revoke-orphan: orphans outlive the revoked parent', async () => {
    const parent = emulator.createToken({
      allow: [KV_READ, CREATE, { path: 'auth/token/create-orphan', capabilities: ['update'] }],
    })
    const orphan = (await clientFor(parent).tokenCreateOrphan({})).auth.client_token as string
    const child = (await clientFor(parent).tokenCreate({})).auth.client_token as string
    expect((await clientFor(emulator.token).tokenLookup({ token: orphan })).data.orphan).toBe(true)
    await clientFor(emulator.token).tokenRevokeOrphan({ token: parent })
    // revoke-orphan makes the children orphans instead of revoking them.
    expect((await clientFor(child).tokenLookupSelf()).data.orphan).toBe(true)
    expect((await clientFor(orphan).read('secret/data/tokens/app')).data.data.mark).toBe('readable')
    expect((await refusal(clientFor(parent).tokenLookupSelf())).status).toBe(403)
  })

  it('refuses what Vault refuses: wider policies, no_parent without sudo, orphan revocation without sudo', async () => {
    const parent = emulator.createToken({
      allow: [CREATE, { path: 'auth/token/revoke-orphan', capabilities: ['update'] }],
    })
    expect(await refusal(clientFor(parent).tokenCreate({ policies: ['admin'] }))).toEqual({
      status: 400,
      errors: ['child policies must be subset of parent'],
    })
    expect(await refusal(clientFor(parent).tokenCreate({ no_parent: true }))).toEqual({
      status: 400,
      errors: ['root or sudo privileges required to create orphan token'],
    })
    expect(await refusal(clientFor(parent).tokenCreate({ id: 'chosen' }))).toEqual({
      status: 400,
      errors: ['root or sudo privileges required to specify token id'],
    })
    expect((await refusal(clientFor(parent).tokenRevokeOrphan({ token: parent }))).status).toBe(403)
    expect(await refusal(clientFor(emulator.token).tokenCreate({ num_uses: -1 }))).toEqual({
      status: 400,
      errors: ['number of uses cannot be negative'],
    })
    expect(await refusal(clientFor(emulator.token).write('auth/token/create', { type: 'other' }))).toEqual({
      status: 400,
      errors: ["invalid 'token_type' value"],
    })
  })
})

describe('lookup, renew and revoke by token, by accessor and self', () => {
  it('lookup and lookup-accessor answer the token’s data (no id by accessor); unknown ones are refused', async () => {
    const created = await clientFor(emulator.token).tokenCreate({ ttl: '1h', policies: ['reader'] })
    const { client_token: token, accessor } = created.auth as { client_token: string; accessor: string }
    const byToken = await clientFor(emulator.token).tokenLookup({ token })
    expect(byToken.data).toMatchObject({
      id: token,
      accessor,
      policies: ['default', 'reader'],
      ttl: 3600,
      type: 'service',
    })
    const byAccessor = await clientFor(emulator.token).tokenLookupAccessor({ accessor })
    expect(byAccessor.data).toMatchObject({ id: '', accessor, creation_ttl: 3600 })
    expect(await refusal(clientFor(emulator.token).tokenLookup({ token: 'hvs.unknown' }))).toEqual({
      status: 403,
      errors: ['bad token'],
    })
    expect(await refusal(clientFor(emulator.token).tokenLookupAccessor({ accessor: 'nope' }))).toEqual({
      status: 400,
      errors: ['invalid accessor'],
    })
    expect(await refusal(clientFor(emulator.token).write('auth/token/lookup-accessor', {}))).toEqual({
      status: 400,
      errors: ['missing accessor'],
    })
  })

  it('renew, renew-self and renew-accessor extend the TTL up to the max TTL; renew-accessor hides the token', async () => {
    const token = emulator.createToken({ ttl: 60, maxTtl: 600 })
    const { accessor } = (await clientFor(token).tokenLookupSelf()).data as { accessor: string }
    const renewed = await clientFor(emulator.token).tokenRenew({ token, increment: '300' })
    expect(renewed.auth).toMatchObject({ client_token: token, lease_duration: 300 })
    const self = await clientFor(token).tokenRenewSelf({ increment: '400' })
    expect(self.auth.lease_duration).toBe(400)
    const byAccessor = await clientFor(emulator.token).write('auth/token/renew-accessor', {
      accessor,
      increment: '9999',
    })
    expect(byAccessor.auth.client_token).toBe('')
    expect(byAccessor.auth.lease_duration).toBeLessThanOrEqual(600)
    expect(byAccessor.warnings?.[0]).toMatch(/exceeded the effective max_ttl/)
    expect(await refusal(clientFor(emulator.token).tokenRenew({ token: 'hvs.unknown' }))).toEqual({
      status: 400,
      errors: ['token not found'],
    })
  })

  it('revoke and revoke-accessor end the token and its children; revoking an unknown token is a no-op', async () => {
    const parent = emulator.createToken({ allow: [CREATE] })
    const child = (await clientFor(parent).tokenCreate({})).auth.client_token as string
    await clientFor(emulator.token).tokenRevoke({ token: parent })
    expect((await refusal(clientFor(child).tokenLookupSelf())).status).toBe(403)
    const other = emulator.createToken({})
    const { accessor } = (await clientFor(other).tokenLookupSelf()).data as { accessor: string }
    await clientFor(emulator.token).tokenRevokeAccessor({ accessor })
    expect((await refusal(clientFor(other).tokenLookupSelf())).status).toBe(403)
    const noop = await fetch(`${emulator.endpoint}/v1/auth/token/revoke`, {
      method: 'POST',
      headers: { 'X-Vault-Token': emulator.token },
      body: JSON.stringify({ token: 'hvs.neverissued' }),
    })
    expect(noop.status).toBe(204)
  })

  it('LIST auth/token/accessors needs sudo and lists live accessors', async () => {
    const token = emulator.createToken({})
    const { accessor } = (await clientFor(token).tokenLookupSelf()).data as { accessor: string }
    const listed = await clientFor(emulator.token).tokenAccessors()
    expect(listed.data.keys).toContain(accessor)
    expect((await refusal(clientFor(token).tokenAccessors())).status).toBe(403)
  })
})

describe('periodic tokens', () => {
  it('a periodic token has its period as TTL, is renewed to it whatever the increment, and has no max TTL', async () => {
    const created = await clientFor(emulator.token).write('auth/token/create', {
      period: '10m',
      ttl: '1h',
      policies: ['default'],
    })
    expect(created.auth.lease_duration).toBe(600)
    const token = created.auth.client_token as string
    const renewed = await clientFor(token).tokenRenewSelf({ increment: '5h' })
    expect(renewed.auth.lease_duration).toBe(600)
    expect(renewed.warnings).toBeNull()
    expect((await clientFor(token).tokenLookupSelf()).data).toMatchObject({
      period: 600,
      explicit_max_ttl: 0,
    })
  })

  it('needs sudo, and batch tokens cannot be periodic', async () => {
    const caller = emulator.createToken({ allow: [CREATE] })
    expect(await refusal(clientFor(caller).write('auth/token/create', { period: '1h' }))).toEqual({
      status: 400,
      errors: ['root or sudo privileges required to create periodic token'],
    })
    expect(
      await refusal(clientFor(emulator.token).write('auth/token/create', { type: 'batch', period: '1h' })),
    ).toEqual({
      status: 400,
      errors: ['batch tokens cannot have "period" set'],
    })
  })
})

describe('num_uses, bound_cidrs and batch tokens', () => {
  it('a use-limited token works num_uses times, counts down in lookups, and is revoked after its last use', async () => {
    const token = (await clientFor(emulator.token).tokenCreate({ num_uses: 3, policies: ['default'] })).auth
      .client_token as string
    const first = await clientFor(token).tokenLookupSelf()
    expect(first.data.num_uses).toBe(2)
    const second = await clientFor(token).tokenLookupSelf()
    expect(second.data.num_uses).toBe(1)
    await clientFor(token).tokenLookupSelf()
    expect((await refusal(clientFor(token).tokenLookupSelf())).status).toBe(403)
    expect(await refusal(clientFor(emulator.token).tokenLookup({ token }))).toEqual({
      status: 403,
      errors: ['bad token'],
    })
  })

  it('a use-limited token cannot create tokens', async () => {
    const token = emulator.createToken({ numUses: 5, allow: [CREATE] })
    expect(await refusal(clientFor(token).tokenCreate({}))).toEqual({
      status: 400,
      errors: ['restricted use token cannot generate child tokens'],
    })
  })

  it('bound_cidrs: a request from outside every block gets 403 permission denied; from inside it works', async () => {
    const outside = emulator.createToken({ allow: [KV_READ], boundCidrs: ['10.0.0.0/8', '2001:db8::/32'] })
    expect(await refusal(clientFor(outside).read('secret/data/tokens/app'))).toEqual({
      status: 403,
      errors: ['permission denied'],
    })
    const inside = emulator.createToken({ allow: [KV_READ], boundCidrs: ['127.0.0.0/8'] })
    expect((await clientFor(inside).read('secret/data/tokens/app')).data.data.mark).toBe('readable')
    // A child inherits its parent's binding.
    const parent = emulator.createToken({ allow: [CREATE], boundCidrs: ['127.0.0.1/32'] })
    const child = (await clientFor(parent).tokenCreate({})).auth.client_token as string
    expect((await clientFor(emulator.token).tokenLookup({ token: child })).data.bound_cidrs).toEqual([
      '127.0.0.1/32',
    ])
  })

  it('the createToken helper refuses a bad numUses, type or CIDR block with InvalidOptionsError', () => {
    const cases: Array<[VaultTokenOptions, string]> = [
      [{ numUses: -1 }, 'numUses'],
      [{ type: 'other' as 'batch' }, 'type'],
      [{ boundCidrs: ['10.0.0.0/33'] }, 'boundCidrs'],
      [{ boundCidrs: ['not-an-address'] }, 'boundCidrs'],
    ]
    for (const [options, option] of cases) {
      const error = thrownBy(() => emulator.createToken(options), InvalidOptionsError)
      expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTIONS })
      expect(error.message).toContain(`createToken ${option}`)
    }
  })

  it('batch tokens: hvb. ids, no accessor, not renewable, cannot create tokens or be revoked by hand', async () => {
    // A named policy, written as Vault takes one, lets the batch token ask for a child token.
    emulator.writePolicy('token-maker', 'path "auth/token/create" {\n  capabilities = ["update"]\n}\n')
    const reply = await clientFor(emulator.token).write('auth/token/create', {
      type: 'batch',
      ttl: '10m',
      policies: ['token-maker'],
    })
    expect(reply.auth).toMatchObject({
      accessor: '',
      renewable: false,
      token_type: 'batch',
      lease_duration: 600,
    })
    const batch = reply.auth.client_token as string
    expect(batch).toMatch(/^hvb\./)
    expect(await refusal(clientFor(batch).write('auth/token/create', {}))).toEqual({
      status: 400,
      errors: ['batch tokens cannot create more tokens'],
    })
    expect(await refusal(clientFor(batch).tokenRenewSelf({}))).toEqual({
      status: 400,
      errors: ['batch tokens cannot be renewed'],
    })
    expect(await refusal(clientFor(emulator.token).tokenRevoke({ token: batch }))).toEqual({
      status: 400,
      errors: ['batch tokens cannot be revoked'],
    })
    expect(
      await refusal(clientFor(emulator.token).write('auth/token/create', { type: 'batch', num_uses: 2 })),
    ).toEqual({
      status: 400,
      errors: ['batch tokens cannot have "num_uses" set'],
    })
  })

  it('a non-orphan batch token stops working when its parent is revoked', async () => {
    const parent = emulator.createToken({ allow: [KV_READ, CREATE] })
    const batch = (await clientFor(parent).write('auth/token/create', { type: 'batch' })).auth
      .client_token as string
    expect((await clientFor(batch).read('secret/data/tokens/app')).data.data.mark).toBe('readable')
    await clientFor(parent).tokenRevokeSelf()
    expect((await refusal(clientFor(batch).read('secret/data/tokens/app'))).status).toBe(403)
  })
})

describe('token roles', () => {
  it('roles are written, read, listed and deleted; create/<role> applies the role over the request', async () => {
    const root = clientFor(emulator.token)
    // node-vault's addTokenRole sends only the fields of its schema, so the role is written with write().
    await root.write('auth/token/roles/ci', {
      allowed_policies: 'ci-read',
      orphan: true,
      renewable: false,
      path_suffix: 'v2',
      token_ttl: '15m',
      token_bound_cidrs: ['127.0.0.1/32'],
    })
    const read = await root.getTokenRole({ role_name: 'ci' })
    expect(read.data).toMatchObject({
      name: 'ci',
      allowed_policies: ['ci-read'],
      orphan: true,
      renewable: false,
      path_suffix: 'v2',
      token_ttl: 900,
      token_type: 'default-service',
      token_bound_cidrs: ['127.0.0.1/32'],
    })
    expect((await root.tokenRoles()).data.keys).toContain('ci')
    const created = await clientFor(emulator.token).tokenCreateRole({ role_name: 'ci' })
    expect(created.auth).toMatchObject({
      policies: ['ci-read', 'default'],
      renewable: false,
      orphan: true,
      lease_duration: 900,
    })
    const lookup = await root.tokenLookup({ token: created.auth.client_token })
    expect(lookup.data).toMatchObject({
      path: 'auth/token/create/ci/v2',
      role: 'ci',
      bound_cidrs: ['127.0.0.1/32'],
    })
    expect(
      await refusal(clientFor(emulator.token).tokenCreateRole({ role_name: 'ci', policies: ['admin'] })),
    ).toEqual({
      status: 400,
      errors: [
        'token policies (["admin" "default"]) must be subset of the role\'s allowed policies (["ci-read" "default"])',
      ],
    })
    await root.removeTokenRole({ role_name: 'ci' })
    expect(await refusal(clientFor(emulator.token).tokenCreateRole({ role_name: 'ci' }))).toEqual({
      status: 400,
      errors: ['unknown role ci'],
    })
  })

  it('a role with token_type batch makes batch tokens', async () => {
    await clientFor(emulator.token).write('auth/token/roles/batcher', { token_type: 'batch' })
    // Without policies the child would inherit root's, and Vault refuses root batch tokens.
    expect(await refusal(clientFor(emulator.token).tokenCreateRole({ role_name: 'batcher' }))).toEqual({
      status: 400,
      errors: ['batch tokens cannot be root tokens'],
    })
    const created = await clientFor(emulator.token).tokenCreateRole({
      role_name: 'batcher',
      policies: ['default'],
    })
    expect(created.auth).toMatchObject({ token_type: 'batch', accessor: '', renewable: false })
  })
})
