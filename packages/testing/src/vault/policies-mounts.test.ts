import { ErrorCode, InvalidOptionsError } from '@latchkey/core'
import { thrownBy } from '@latchkey/test-support'
import vault from 'node-vault'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refusal } from '../../test/vault-replies.js'
import { startVaultEmulator, type VaultEmulator } from './index.js'

let emulator: VaultEmulator

beforeAll(async () => {
  emulator = await startVaultEmulator()
})
afterAll(() => emulator.close())

const clientFor = (token: string) => vault({ endpoint: emulator.endpoint, token })

const READ_APP = 'path "secret/data/app/*" {\n  capabilities = ["read"]\n}\n'

describe('sys/policy and sys/policies/acl', () => {
  it('writes, reads, lists and deletes a policy (node-vault addPolicy/getPolicy/policies/removePolicy)', async () => {
    const root = clientFor(emulator.token)
    await root.addPolicy({ name: 'app-read', rules: READ_APP })
    const read = await root.getPolicy({ name: 'app-read' })
    expect(read).toMatchObject({
      name: 'app-read',
      rules: READ_APP,
      data: { name: 'app-read', rules: READ_APP },
    })
    const listed = await root.policies()
    expect(listed.policies).toEqual(expect.arrayContaining(['app-read', 'default', 'root']))
    expect(listed.data.keys).toEqual(listed.policies)
    await root.removePolicy({ name: 'app-read' })
    expect((await refusal(root.getPolicy({ name: 'app-read' }))).status).toBe(404)
  })

  it('the ACL check enforces a written policy at once, for tokens issued before the change too', async () => {
    emulator.kv.write('app/db', { user: 'app' })
    emulator.kv.write('other/db', { user: 'other' })
    const token = emulator.createToken({ policies: ['app-read'] })
    const client = clientFor(token)
    expect((await refusal(client.read('secret/data/app/db'))).status).toBe(403)
    await clientFor(emulator.token).write('sys/policies/acl/app-read', { policy: READ_APP })
    expect((await client.read('secret/data/app/db')).data.data).toEqual({ user: 'app' })
    expect((await refusal(client.read('secret/data/other/db'))).status).toBe(403)
    // JSON policy documents work too, and `deny` wins over a grant.
    await clientFor(emulator.token).write('sys/policies/acl/app-read', {
      policy: JSON.stringify({
        path: {
          'secret/data/app/*': { capabilities: ['read'] },
          'secret/data/app/db': { capabilities: ['deny'] },
        },
      }),
    })
    expect((await refusal(client.read('secret/data/app/db'))).status).toBe(403)
    const acl = await clientFor(emulator.token).read('sys/policies/acl/app-read')
    expect(acl.data.name).toBe('app-read')
    expect(JSON.parse(acl.data.policy).path['secret/data/app/db'].capabilities).toEqual(['deny'])
    expect((await clientFor(emulator.token).list('sys/policies/acl')).data.keys).toContain('app-read')
  })

  it('refuses what Vault refuses: bad documents, unknown capabilities, changing root, deleting default', async () => {
    const root = clientFor(emulator.token)
    expect(
      await refusal(root.write('sys/policy/broken', { policy: 'path "x" { capabilities = ["fly"] }' })),
    ).toEqual({
      status: 400,
      errors: ['failed to parse policy: path "x": invalid capability "fly"'],
    })
    expect((await refusal(root.write('sys/policy/broken', { policy: 'not hcl at all' }))).status).toBe(400)
    expect(await refusal(root.write('sys/policy/empty', { policy: '' }))).toEqual({
      status: 400,
      errors: ["'policy' parameter not supplied or empty"],
    })
    expect(await refusal(root.write('sys/policy/root', { policy: READ_APP }))).toEqual({
      status: 400,
      errors: ['cannot update root policy'],
    })
    expect(await refusal(root.delete('sys/policy/default'))).toEqual({
      status: 400,
      errors: ['cannot delete default policy'],
    })
    const defaultPolicy = await root.getPolicy({ name: 'default' })
    expect(defaultPolicy.rules).toContain('path "auth/token/lookup-self"')
  })

  it('the writePolicy helper refuses what Vault refuses with InvalidOptionsError', () => {
    const bad = thrownBy(
      () => emulator.writePolicy('bad', 'path "x" { capabilities = ["fly"] }'),
      InvalidOptionsError,
    )
    expect(bad).toMatchObject({ code: ErrorCode.INVALID_OPTIONS })
    expect(bad.message).toContain('writePolicy policy must be an HCL or JSON policy document')
    expect(bad.message).toContain('invalid capability "fly"')
    expect(thrownBy(() => emulator.writePolicy('root', READ_APP), InvalidOptionsError).message).toContain(
      'writePolicy name',
    )
  })

  it('managing policies needs a capability on sys/policy like any other path', async () => {
    const token = emulator.createToken({})
    expect((await refusal(clientFor(token).addPolicy({ name: 'mine', rules: READ_APP }))).status).toBe(403)
    const admin = emulator.createToken({
      allow: [{ path: 'sys/policy/*', capabilities: ['create', 'update'] }],
    })
    await clientFor(admin).addPolicy({ name: 'mine', rules: READ_APP })
    expect((await clientFor(emulator.token).getPolicy({ name: 'mine' })).rules).toBe(READ_APP)
  })
})

describe('sys/mounts', () => {
  it('lists the mounts with their type and KV version', async () => {
    const mounts = await clientFor(emulator.token).mounts()
    expect(mounts['secret/']).toMatchObject({ type: 'kv', options: { version: '2' } })
    expect(mounts.data['kv/']).toMatchObject({ type: 'kv', options: { version: '1' } })
    expect(mounts.data['database/']).toMatchObject({ type: 'database' })
    expect(mounts.data['sys/']).toMatchObject({ type: 'system' })
  })

  it('enabling a kv v2 mount makes it readable and writable over HTTP and through the helpers; disabling removes it', async () => {
    const root = clientFor(emulator.token)
    await root.mount({
      mount_point: 'team',
      type: 'kv',
      options: { version: '2' },
      description: 'team secrets',
    })
    await root.write('team/data/app', { data: { key: 'v1' } })
    expect((await root.read('team/data/app')).data.data).toEqual({ key: 'v1' })
    emulator.kv.write('app', { key: 'v2' }, { mount: 'team' })
    expect((await root.read('team/data/app')).data.metadata.version).toBe(2)
    expect((await root.mounts())['team/']).toMatchObject({ type: 'kv', description: 'team secrets' })
    await root.unmount({ mount_point: 'team' })
    expect((await refusal(root.read('team/data/app'))).status).toBe(404)
  })

  it('enables kv v1 (kv, or kv without a version); tune sets the default lease TTL a KV v1 read reports', async () => {
    const root = clientFor(emulator.token)
    await root.mount({ mount_point: 'legacy', type: 'kv' })
    await root.write('legacy/app', { key: 'value' })
    expect((await root.read('legacy/app')).lease_duration).toBe(2_764_800)
    await root.write('sys/mounts/legacy/tune', { default_lease_ttl: '1h', max_lease_ttl: '2h' })
    expect((await root.read('legacy/app')).lease_duration).toBe(3600)
    const tune = await root.read('sys/mounts/legacy/tune')
    expect(tune.data).toMatchObject({
      default_lease_ttl: 3600,
      max_lease_ttl: 7200,
      options: { version: '1' },
    })
  })

  it('a mount path may have several segments; a mount inside another one is refused', async () => {
    const root = clientFor(emulator.token)
    await root.mount({ mount_point: 'teams/payments', type: 'kv-v2' })
    await root.write('teams/payments/data/api', { data: { key: 'p' } })
    expect((await root.read('teams/payments/data/api')).data.data).toEqual({ key: 'p' })
    expect((await root.read('teams/payments/metadata/api')).data.current_version).toBe(1)
    expect(await refusal(root.mount({ mount_point: 'teams/payments/inner', type: 'kv' }))).toEqual({
      status: 400,
      errors: ['path is already in use at teams/payments/'],
    })
    expect(await refusal(root.mount({ mount_point: 'secret/deeper', type: 'kv' }))).toEqual({
      status: 400,
      errors: ['path is already in use at secret/'],
    })
  })

  it('refuses a path in use, an unknown engine type and tuning an unknown mount', async () => {
    const root = clientFor(emulator.token)
    expect(await refusal(root.mount({ mount_point: 'secret', type: 'kv' }))).toEqual({
      status: 400,
      errors: ['path is already in use at secret/'],
    })
    expect(await refusal(root.mount({ mount_point: 'odd', type: 'no-such-engine' }))).toEqual({
      status: 400,
      errors: ['plugin not found in the catalog: no-such-engine'],
    })
    expect(await refusal(root.read('sys/mounts/missing/tune'))).toEqual({
      status: 400,
      errors: ['cannot fetch sysview for path "missing/"'],
    })
    expect((await refusal(clientFor(emulator.createToken({})).mounts())).status).toBe(403)
  })
})
