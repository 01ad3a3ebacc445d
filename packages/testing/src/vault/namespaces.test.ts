import vault from 'node-vault'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refusal } from '../../test/vault-replies.js'
import { startVaultEmulator, type VaultEmulator } from './index.js'

let emulator: VaultEmulator

beforeAll(async () => {
  emulator = await startVaultEmulator()
})
afterAll(() => emulator.close())

const clientFor = (token: string, namespace?: string) =>
  vault({ endpoint: emulator.endpoint, token, ...(namespace === undefined ? {} : { namespace }) })

describe('sys/namespaces', () => {
  it('creates, reads, lists and deletes namespaces, nested ones through the header', async () => {
    const root = clientFor(emulator.token)
    const created = await root.write('sys/namespaces/team-a', { custom_metadata: { owner: 'a' } })
    expect(created.data).toMatchObject({ path: 'team-a/', custom_metadata: { owner: 'a' } })
    expect(created.data.id).toMatch(/^[A-Za-z0-9]{5}$/)
    await clientFor(emulator.token, 'team-a/').write('sys/namespaces/child', {})
    expect((await root.read('sys/namespaces/team-a')).data).toMatchObject({
      path: 'team-a/',
      id: created.data.id,
    })
    const listed = await root.list('sys/namespaces')
    expect(listed.data.keys).toContain('team-a/')
    expect(listed.data.key_info['team-a/']).toMatchObject({ path: 'team-a/' })
    expect((await clientFor(emulator.token, 'team-a').list('sys/namespaces')).data.keys).toEqual(['child/'])
    expect(await refusal(root.delete('sys/namespaces/team-a'))).toEqual({
      status: 400,
      errors: ['cannot delete namespace ("team-a/") containing child namespaces'],
    })
    await clientFor(emulator.token, 'team-a').delete('sys/namespaces/child')
    await root.delete('sys/namespaces/team-a')
    expect((await refusal(root.read('sys/namespaces/team-a'))).status).toBe(404)
  })

  it('a deleted namespace takes its data and its tokens with it', async () => {
    const root = clientFor(emulator.token)
    await root.write('sys/namespaces/gone', {})
    const inGone = clientFor(emulator.token, 'gone')
    await inGone.write('secret/data/app', { data: { a: '1' } })
    const token = emulator.createToken({ namespace: 'gone', allow: ['secret/data/*'] })
    expect((await clientFor(token, 'gone').read('secret/data/app')).data.data).toEqual({ a: '1' })
    await root.delete('sys/namespaces/gone')
    expect((await refusal(clientFor(token, 'gone').read('secret/data/app'))).status).toBe(403)
    await root.write('sys/namespaces/gone', {})
    expect((await refusal(inGone.read('secret/data/app'))).status).toBe(404)
  })
})

describe('per-namespace logins and tokens', () => {
  it('an AppRole role in a namespace logs in only there; its token works in that namespace, not in the root', async () => {
    emulator.kv.write('app/db', { user: 'in-team-b' }, { namespace: 'team-b' })
    emulator.kv.write('app/db', { user: 'in-root' })
    const { roleId, secretId } = emulator.addAppRole({
      roleName: 'app',
      namespace: 'team-b',
      token: { allow: ['secret/data/app/*'] },
    })
    const anonymous = vault({ endpoint: emulator.endpoint })
    expect(
      (await refusal(anonymous.write('auth/approle/login', { role_id: roleId, secret_id: secretId }))).status,
    ).toBe(404)
    const login = await clientFor('', 'team-b').write('auth/approle/login', {
      role_id: roleId,
      secret_id: secretId,
    })
    const token = login.auth.client_token as string
    // The namespace may be given at the front of the path instead.
    const inPath = await anonymous.write('team-b/auth/approle/login', {
      role_id: roleId,
      secret_id: secretId,
    })
    expect(inPath.auth.metadata).toEqual({ role_name: 'app' })
    expect((await clientFor(token, 'team-b').read('secret/data/app/db')).data.data).toEqual({
      user: 'in-team-b',
    })
    expect((await refusal(clientFor(token).read('secret/data/app/db'))).status).toBe(403)
  })

  it('a Kubernetes role in a namespace logs in with X-Vault-Namespace only', async () => {
    const { role, jwt } = emulator.addKubernetesRole({
      role: 'web',
      namespace: 'team-k',
      token: { allow: ['secret/data/*'] },
    })
    expect(
      (await refusal(vault({ endpoint: emulator.endpoint }).write('auth/kubernetes/login', { role, jwt })))
        .status,
    ).toBe(404)
    const login = await clientFor('', 'team-k').write('auth/kubernetes/login', { role, jwt })
    expect(login.auth.metadata.role).toBe('web')
  })

  it('a root-namespace token reaches a child namespace; its policy paths carry the namespace in front', async () => {
    emulator.kv.write('shared', { v: 'team-c' }, { namespace: 'team-c' })
    const scoped = emulator.createToken({ allow: ['team-c/secret/data/shared'] })
    expect((await clientFor(scoped, 'team-c').read('secret/data/shared')).data.data).toEqual({ v: 'team-c' })
    expect((await clientFor(scoped).read('team-c/secret/data/shared')).data.data).toEqual({ v: 'team-c' })
    const unscoped = emulator.createToken({ allow: ['secret/data/shared'] })
    expect((await refusal(clientFor(unscoped, 'team-c').read('secret/data/shared'))).status).toBe(403)
  })

  it('policies written in a namespace are its own: tokens made there by HTTP belong to it', async () => {
    emulator.kv.write('own', { v: 'd' }, { namespace: 'team-d' })
    const admin = emulator.createToken({
      namespace: 'team-d',
      allow: ['secret/data/*', { path: 'auth/token/create', capabilities: ['update'] }],
    })
    const child = (await clientFor(admin, 'team-d').tokenCreate({})).auth.client_token as string
    expect((await clientFor(emulator.token).tokenLookup({ token: child })).data.path).toBe(
      'auth/token/create',
    )
    expect((await clientFor(child, 'team-d').read('secret/data/own')).data.data).toEqual({ v: 'd' })
    expect((await refusal(clientFor(child).read('secret/data/own'))).status).toBe(403)
  })
})
