import { assertNoCanary, canary } from '@latchkey/test-support'
import vault from 'node-vault'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startVaultEmulator, type VaultEmulator } from './index.js'

const ENVELOPE_FIELDS = [
  'request_id',
  'lease_id',
  'renewable',
  'lease_duration',
  'data',
  'wrap_info',
  'warnings',
  'auth',
  'mount_type',
]
const PERMISSION_DENIED = '1 error occurred:\n\t* permission denied\n\n'

let emulator: VaultEmulator

interface Reply {
  status: number
  headers: Headers
  text: string
  // biome-ignore lint/suspicious/noExplicitAny: wire bodies are checked field by field
  body: any
}

async function api(
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const token = options.token === undefined ? emulator.token : options.token
  const response = await fetch(`${emulator.endpoint}/v1/${path}`, {
    method,
    headers: { ...(token === null ? {} : { 'X-Vault-Token': token }), ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  })
  const text = await response.text()
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: text === '' ? undefined : JSON.parse(text),
  }
}

beforeAll(async () => {
  emulator = await startVaultEmulator()
})
afterAll(async () => {
  await emulator.close()
})
afterEach(() => {
  emulator.faults.reset()
  emulator.unseal()
})

describe('transport and envelope', () => {
  it('answers under /v1/ with the envelope fields in order, JSON and Cache-Control: no-store', async () => {
    const secret = canary('envelope')
    emulator.kv.write('envelope/app', { value: secret })
    const reply = await api('GET', 'secret/data/envelope/app')
    expect(reply.status).toBe(200)
    expect(Object.keys(reply.body)).toEqual(ENVELOPE_FIELDS)
    expect(reply.headers.get('content-type')).toBe('application/json')
    expect(reply.headers.get('cache-control')).toBe('no-store')
    expect(reply.body.request_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(reply.body).toMatchObject({ lease_id: '', renewable: false, lease_duration: 0, mount_type: 'kv' })
    expect(reply.body.data.data.value).toBe(secret)
    expect(reply.body.data.metadata).toEqual({
      created_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      custom_metadata: null,
      deletion_time: '',
      destroyed: false,
      version: 1,
    })
  })

  it('accepts Authorization: Bearer as well as X-Vault-Token', async () => {
    emulator.kv.write('bearer', { a: 'b' })
    const reply = await api('GET', 'secret/data/bearer', {
      token: null,
      headers: { Authorization: `Bearer ${emulator.token}` },
    })
    expect(reply.status).toBe(200)
  })

  it('answers paths outside /v1/ and unknown mounts with 404 {"errors":[…]}', async () => {
    const outside = await fetch(`${emulator.endpoint}/v2/secret/data/x`, {
      headers: { 'X-Vault-Token': emulator.token },
    })
    expect(outside.status).toBe(404)
    expect(await outside.json()).toEqual({ errors: [] })
    const unknown = await api('GET', 'nomount/thing')
    expect(unknown.status).toBe(404)
    expect(unknown.body).toEqual({ errors: ['no handler for route "nomount/thing". route entry not found.'] })
  })
})

describe('KV v2', () => {
  it('writes versions, reads the latest or ?version=N, and enforces check-and-set', async () => {
    const first = canary('kv2-first')
    const second = canary('kv2-second')
    const write = await api('POST', 'secret/data/versions', { body: { data: { value: first } } })
    expect(write.status).toBe(200)
    expect(write.body.data).toEqual({
      created_time: expect.any(String),
      custom_metadata: null,
      deletion_time: '',
      destroyed: false,
      version: 1,
    })
    const cas = await api('POST', 'secret/data/versions', {
      body: { data: { value: second }, options: { cas: 0 } },
    })
    expect(cas.status).toBe(400)
    expect(cas.body).toEqual({ errors: ['check-and-set parameter did not match the current version'] })
    const ok = await api('PUT', 'secret/data/versions', {
      body: { data: { value: second }, options: { cas: 1 } },
    })
    expect(ok.body.data.version).toBe(2)
    expect((await api('GET', 'secret/data/versions')).body.data.data.value).toBe(second)
    expect((await api('GET', 'secret/data/versions?version=1')).body.data.data.value).toBe(first)
    const missingVersion = await api('GET', 'secret/data/versions?version=7')
    expect(missingVersion.status).toBe(404)
    expect(missingVersion.body).toEqual({ errors: [] })
    const noData = await api('POST', 'secret/data/versions', { body: { options: {} } })
    expect(noData.status).toBe(400)
    expect(noData.body).toEqual({ errors: ['no data provided'] })
  })

  it('answers a missing key with 404 {"errors":[]}', async () => {
    const reply = await api('GET', 'secret/data/does/not/exist')
    expect(reply.status).toBe(404)
    expect(reply.body).toEqual({ errors: [] })
  })

  it('soft delete: DELETE answers 204 and the read is a 404 with the normal envelope and no errors key', async () => {
    const secret = canary('soft-delete')
    emulator.kv.write('deleted', { value: secret })
    const del = await api('DELETE', 'secret/data/deleted')
    expect(del.status).toBe(204)
    expect(del.text).toBe('')
    const read = await api('GET', 'secret/data/deleted')
    expect(read.status).toBe(404)
    expect(Object.keys(read.body)).toEqual(ENVELOPE_FIELDS)
    expect(read.body.errors).toBeUndefined()
    expect(read.body.data.data).toBeNull()
    expect(read.body.data.metadata.deletion_time).not.toBe('')
    expect(read.body.data.metadata.destroyed).toBe(false)
    assertNoCanary(read.text, 'the soft-deleted read')
    const undelete = await api('POST', 'secret/undelete/deleted', { body: { versions: [1] } })
    expect(undelete.status).toBe(204)
    expect((await api('GET', 'secret/data/deleted')).status).toBe(200)
  })

  it('destroy: the version reads as 404 with destroyed: true, through the API and node-vault', async () => {
    const secret = canary('destroy')
    emulator.kv.write('destroyed', { value: secret })
    emulator.kv.rotate('destroyed', { value: canary('destroy-2') })
    const client = vault({ endpoint: emulator.endpoint, token: emulator.token })
    await client.destroySecretVersions({ mount_point: 'secret', path: 'destroyed', versions: [1] })
    const read = await api('GET', 'secret/data/destroyed?version=1')
    expect(read.status).toBe(404)
    expect(read.body.data).toEqual({
      data: null,
      metadata: expect.objectContaining({ destroyed: true, version: 1 }),
    })
    assertNoCanary(read.text, 'the destroyed read')
    const error = await client.read('secret/data/destroyed?version=1').catch((e: unknown) => e)
    expect(error).toMatchObject({ message: 'Status 404', response: { statusCode: 404 } })
    expect((await client.read('secret/data/destroyed')).data.metadata.version).toBe(2)
  })

  it('serves metadata with every version, and lists keys', async () => {
    emulator.kv.write('meta/one', { a: '1' })
    emulator.kv.rotate('meta/one', { a: '2' })
    emulator.kv.write('meta/dir/two', { a: '3' })
    const meta = await api('GET', 'secret/metadata/meta/one')
    expect(meta.status).toBe(200)
    expect(meta.body.data).toMatchObject({
      current_version: 2,
      oldest_version: 1,
      max_versions: 0, // the key's own setting: unset (Vault prints 0; the mount's, else 10, applies)
      cas_required: false,
    })
    expect(Object.keys(meta.body.data.versions)).toEqual(['1', '2'])
    const list = await api('LIST', 'secret/metadata/meta/')
    expect(list.status).toBe(200)
    expect(list.body.data.keys).toEqual(['dir/', 'one'])
    const client = vault({ endpoint: emulator.endpoint, token: emulator.token })
    expect((await client.list('secret/metadata/meta')).data.keys).toEqual(['dir/', 'one'])
    const viaQuery = await api('GET', 'secret/metadata/meta?list=true')
    expect(viaQuery.body.data.keys).toEqual(['dir/', 'one'])
    expect((await api('LIST', 'secret/metadata/empty/')).status).toBe(404)
  })
})

describe('KV v1', () => {
  it('writes with 204 and reads the map itself as data, with lease_duration from ttl or 2764800', async () => {
    const secret = canary('kv1')
    const write = await api('POST', 'kv/app/config', { body: { password: secret } })
    expect(write.status).toBe(204)
    expect(write.text).toBe('')
    const read = await api('GET', 'kv/app/config')
    expect(read.status).toBe(200)
    expect(read.body).toMatchObject({
      lease_id: '',
      renewable: false,
      lease_duration: 2764800,
      data: { password: secret },
    })
    await api('POST', 'kv/app/short', { body: { password: secret, ttl: '1h' } })
    expect((await api('GET', 'kv/app/short')).body.lease_duration).toBe(3600)
    const empty = await api('POST', 'kv/app/empty', { body: {} })
    expect(empty.status).toBe(400)
    expect(empty.body).toEqual({ errors: ['missing data fields'] })
    expect((await api('DELETE', 'kv/app/config')).status).toBe(204)
    const gone = await api('GET', 'kv/app/config')
    expect(gone.status).toBe(404)
    expect(gone.body).toEqual({ errors: [] })
  })
})

describe('tokens and policies', () => {
  it('answers a path outside the policy with 403 and the multierror text, and a missing token with 403', async () => {
    emulator.kv.write('policy/allowed', { value: canary('allowed') })
    emulator.kv.write('policy/other', { value: canary('other') })
    const token = emulator.createToken({ allow: ['secret/data/policy/allowed'] })
    expect((await api('GET', 'secret/data/policy/allowed', { token })).status).toBe(200)
    const denied = await api('GET', 'secret/data/policy/other', { token })
    expect(denied.status).toBe(403)
    expect(denied.body).toEqual({ errors: [PERMISSION_DENIED] })
    assertNoCanary(denied.text, 'a 403 body')
    const writeDenied = await api('POST', 'secret/data/policy/allowed', { token, body: { data: { a: 'b' } } })
    expect(writeDenied.status).toBe(403)
    const none = await api('GET', 'secret/data/policy/allowed', { token: null })
    expect(none.status).toBe(403)
    expect(none.body).toEqual({ errors: ['permission denied'] })
    const unknown = await api('GET', 'secret/data/policy/allowed', { token: 'hvs.unknown' })
    expect(unknown.status).toBe(403)
  })

  it('supports globs: trailing * and + for one segment, and deny', async () => {
    emulator.kv.write('glob/a/x', { a: '1' })
    emulator.kv.write('glob/b/x', { a: '1' })
    emulator.kv.write('glob/b/y', { a: '1' })
    const token = emulator.createToken({
      allow: [
        'secret/data/glob/+/x',
        { path: 'secret/data/glob/b/*', capabilities: ['read'] },
        { path: 'secret/data/glob/a/x', capabilities: ['deny'] },
      ],
    })
    expect((await api('GET', 'secret/data/glob/a/x', { token })).status).toBe(403)
    expect((await api('GET', 'secret/data/glob/b/x', { token })).status).toBe(200)
    expect((await api('GET', 'secret/data/glob/b/y', { token })).status).toBe(200)
  })

  it('looks up, renews (capped by max TTL, with a warning) and revokes its own token', async () => {
    const token = emulator.createToken({ ttl: 60, maxTtl: 90, policies: ['app'], displayName: 'app' })
    const client = vault({ endpoint: emulator.endpoint, token })
    const lookup = await client.tokenLookupSelf()
    expect(lookup.data).toMatchObject({
      id: token,
      ttl: 60,
      renewable: true,
      policies: ['app', 'default'], // sorted, as Vault sorts a token's policies
      display_name: 'app',
      type: 'service',
    })
    expect(lookup.data.expire_time).toMatch(/Z$/)
    const renewed = await client.tokenRenewSelf({ increment: '1h' })
    expect(renewed.auth).toMatchObject({ client_token: token, renewable: true, token_type: 'service' })
    // Capped at what is left of the 90 s max TTL, in whole seconds (truncated like Vault's).
    const granted = renewed.auth.lease_duration
    expect([89, 90]).toContain(granted)
    expect(renewed.warnings).toEqual([
      `TTL of "3600s" exceeded the effective max_ttl of "${granted}s"; TTL value is capped accordingly`,
    ])
    await client.tokenRevokeSelf()
    const after = await client.tokenLookupSelf().catch((e: unknown) => e)
    expect(after).toMatchObject({ response: { statusCode: 403 } })
  })

  it('refuses renew-self for a non-renewable token with 400, and an expired token with 403', async () => {
    const token = emulator.createToken({ ttl: 60, renewable: false })
    const renew = await api('POST', 'auth/token/renew-self', { token, body: {} })
    expect(renew.status).toBe(400)
    expect(renew.body).toEqual({ errors: ['lease is not renewable'] })
    const rootRenew = await api('POST', 'auth/token/renew-self', { body: {} })
    expect(rootRenew.status).toBe(400)
    expect(emulator.expireTokens({ token })).toBe(1)
    const expired = await api('GET', 'auth/token/lookup-self', { token })
    expect(expired.status).toBe(403)
    expect(expired.body.errors[0]).toContain('permission denied')
    expect(expired.body.errors[0]).toContain('invalid token')
  })
})

describe('AppRole and Kubernetes login', () => {
  it('AppRole: issues a token with the role metadata and TTL; bad credentials get 400 "invalid role or secret ID"', async () => {
    const { roleId, secretId } = emulator.addAppRole({
      roleName: 'web',
      token: { ttl: 120, allow: ['secret/data/web/*'] },
    })
    const client = vault({ endpoint: emulator.endpoint })
    const login = await client.approleLogin({ role_id: roleId, secret_id: secretId })
    expect(Object.keys(login)).toEqual(ENVELOPE_FIELDS)
    expect(login).toMatchObject({
      lease_id: '',
      renewable: false,
      lease_duration: 0,
      data: null,
      mount_type: 'approle',
    })
    expect(login.auth).toMatchObject({
      metadata: { role_name: 'web' },
      lease_duration: 120,
      renewable: true,
      token_type: 'service',
      orphan: true,
      policies: ['default'],
    })
    expect(client.token).toBe(login.auth.client_token)
    const wrong = await api('POST', 'auth/approle/login', {
      token: null,
      body: { role_id: roleId, secret_id: 'nope' },
    })
    expect(wrong.status).toBe(400)
    expect(wrong.body).toEqual({ errors: ['invalid role or secret ID'] })
    const missing = await api('POST', 'auth/approle/login', { token: null, body: { role_id: roleId } })
    expect(missing.body).toEqual({ errors: ['missing secret_id'] })
  })

  it('Kubernetes: the registered JWT logs in; another JWT gets 403; node-vault needs mount_point', async () => {
    const { role, jwt } = emulator.addKubernetesRole({
      role: 'api',
      serviceAccountName: 'api',
      token: { ttl: 30, renewable: false },
    })
    const client = vault({ endpoint: emulator.endpoint })
    const login = await client.kubernetesLogin({ role, jwt, mount_point: 'kubernetes' })
    expect(login.auth).toMatchObject({
      lease_duration: 30,
      renewable: false,
      metadata: { role: 'api', service_account_name: 'api', service_account_namespace: 'default' },
    })
    const rejected = await api('POST', 'auth/kubernetes/login', {
      token: null,
      body: { role, jwt: `${jwt}x` },
    })
    expect(rejected.status).toBe(403)
    const unknownRole = await api('POST', 'auth/kubernetes/login', {
      token: null,
      body: { role: 'nope', jwt },
    })
    expect(unknownRole.body).toEqual({ errors: ['invalid role name "nope"'] })
    // node-vault's gotcha (docs/wire-facts.md#vault-node-vault-client): without mount_point it posts to auth//login.
    const gotcha = await client.kubernetesLogin({ role, jwt }).catch((e: unknown) => e)
    expect(gotcha).toMatchObject({ response: { statusCode: 404 } })
    expect(emulator.calls.log.at(-1)?.path).toBe('auth//login')
  })
})

describe('seal, health, faults and call counters', () => {
  it('sealed: every call gets 503 "Vault is sealed"; sys/health reports it with 503', async () => {
    emulator.seal()
    const read = await api('GET', 'secret/data/anything')
    expect(read.status).toBe(503)
    expect(read.body).toEqual({ errors: ['Vault is sealed'] })
    const health = await api('GET', 'sys/health', { token: null })
    expect(health.status).toBe(503)
    expect(health.body).toMatchObject({ initialized: true, sealed: true, standby: false })
    const client = vault({ endpoint: emulator.endpoint })
    expect(await client.health()).toMatchObject({ sealed: true })
    const error = await client.read('secret/data/anything').catch((e: unknown) => e)
    expect(error).toMatchObject({ message: 'Vault is sealed', response: { statusCode: 503 } })
    emulator.unseal()
    expect((await api('GET', 'sys/health', { token: null })).status).toBe(200)
  })

  it('fails the next N matching calls with the chosen error, then recovers', async () => {
    emulator.kv.write('faulty', { a: 'b' })
    emulator.faults.fail('rateLimited', { times: 2, path: 'secret/' })
    emulator.faults.fail('internal')
    emulator.faults.fail('permissionDenied')
    emulator.faults.fail('sealed')
    expect(emulator.faults.pending).toBe(5)
    const statuses: Array<[number, unknown]> = []
    for (let i = 0; i < 6; i++) {
      const reply = await api('GET', 'secret/data/faulty')
      statuses.push([reply.status, reply.body?.errors])
    }
    expect(statuses).toEqual([
      [429, ['rate limit quota exceeded']],
      [429, ['rate limit quota exceeded']],
      [500, ['internal error']],
      [403, [PERMISSION_DENIED]],
      [503, ['Vault is sealed']],
      [200, undefined],
    ])
  })

  it('drops connections: node-vault rejects with a network error and no response', async () => {
    emulator.faults.drop({ path: 'secret/data/dropped' })
    const client = vault({ endpoint: emulator.endpoint, token: emulator.token })
    const error = (await client.read('secret/data/dropped').catch((e: unknown) => e)) as {
      code?: string
      response?: unknown
    }
    expect(error.response).toBeUndefined()
    expect(error.code).toBe('ECONNRESET')
  })

  it('adds latency and resets', async () => {
    emulator.faults.setLatency(150, { path: 'sys/health' })
    const started = performance.now()
    await api('GET', 'sys/health', { token: null })
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
    emulator.faults.fail('internal', { times: Number.POSITIVE_INFINITY })
    emulator.faults.reset()
    expect(emulator.faults.pending).toBe(0)
    const fast = performance.now()
    expect((await api('GET', 'sys/health', { token: null })).status).toBe(200)
    expect(performance.now() - fast).toBeLessThan(140)
  })

  it('counts calls per path and method and records the namespace header', async () => {
    emulator.calls.reset()
    emulator.kv.write('counted', { a: 'b' })
    await api('GET', 'secret/data/counted')
    await api('GET', 'secret/data/counted', { headers: { 'X-Vault-Namespace': 'team-a/' } })
    await api('DELETE', 'secret/data/counted')
    expect(emulator.calls.count('secret/data/counted')).toBe(3)
    expect(emulator.calls.count('secret/data/counted', 'GET')).toBe(2)
    expect(emulator.calls.count('secret/')).toBe(3)
    expect(emulator.calls.count()).toBe(3)
    expect(emulator.calls.log.map((c) => [c.method, c.status, c.namespace])).toEqual([
      ['GET', 200, undefined],
      ['GET', 404, 'team-a/'],
      ['DELETE', 204, undefined],
    ])
  })
})

describe('documented behaviour the emulator follows (docs/wire-facts.md#hashicorp-vault)', () => {
  it('namespaces separate data: a namespaced path reads 404 without X-Vault-Namespace, and the root path 404 inside it', async () => {
    const value = canary('ns-separate')
    emulator.kv.write('team/db', { value }, { namespace: 'team-a/' })
    const header = { 'X-Vault-Namespace': 'team-a/' }
    const inside = await api('GET', 'secret/data/team/db', { headers: header })
    expect(inside.status).toBe(200)
    expect(inside.body.data.data).toEqual({ value })
    expect(
      (await api('GET', 'secret/data/team/db', { headers: { 'X-Vault-Namespace': '/team-a' } })).status,
    ).toBe(200)
    const outside = await api('GET', 'secret/data/team/db')
    expect(outside.status).toBe(404)
    expect(outside.body).toEqual({ errors: [] })
    expect(
      (await api('GET', 'secret/data/team/db', { headers: { 'X-Vault-Namespace': 'team-b/' } })).status,
    ).toBe(404)
    emulator.kv.write('root/only', { value: canary('ns-root') })
    expect((await api('GET', 'secret/data/root/only', { headers: header })).status).toBe(404)
    // A write through HTTP lands in the namespace of its header.
    const written = await api('POST', 'secret/data/team/http', {
      headers: header,
      body: { data: { a: 'b' } },
    })
    expect(written.status).toBe(200)
    expect((await api('GET', 'secret/data/team/http')).status).toBe(404)
    expect((await api('GET', 'secret/data/team/http', { headers: header })).status).toBe(200)
  })

  it('AppRole: a role with bindSecretId false logs in with role_id alone; a bound role still asks for secret_id', async () => {
    const { roleId } = emulator.addAppRole({ roleName: 'unbound', bindSecretId: false, token: { ttl: 60 } })
    const login = await api('POST', 'auth/approle/login', { token: null, body: { role_id: roleId } })
    expect(login.status).toBe(200)
    expect(login.body.auth).toMatchObject({ metadata: { role_name: 'unbound' }, lease_duration: 60 })
    const bound = emulator.addAppRole({ roleName: 'bound' })
    const missing = await api('POST', 'auth/approle/login', { token: null, body: { role_id: bound.roleId } })
    expect(missing.status).toBe(400)
    expect(missing.body).toEqual({ errors: ['missing secret_id'] })
    const unknown = await api('POST', 'auth/approle/login', {
      token: null,
      body: { role_id: 'no-such-role' },
    })
    expect(unknown.status).toBe(400)
  })

  it('POST metadata on a key with no versions creates it; data reads stay 404 until a version is written', async () => {
    const created = await api('POST', 'secret/metadata/fresh/key', {
      body: { max_versions: 3, cas_required: false },
    })
    expect(created.status).toBe(204)
    const metadata = await api('GET', 'secret/metadata/fresh/key')
    expect(metadata.status).toBe(200)
    expect(metadata.body.data).toMatchObject({
      current_version: 0,
      oldest_version: 0,
      max_versions: 3,
      versions: {},
    })
    expect((await api('GET', 'secret/data/fresh/key')).status).toBe(404)
    await api('POST', 'secret/data/fresh/key', { body: { data: { v: '1' } } })
    expect((await api('GET', 'secret/metadata/fresh/key')).body.data.current_version).toBe(1)
  })

  it('delete_version_after gives new versions a deletion_time; served before it, 404 with the envelope after it', async () => {
    const set = await api('POST', 'secret/metadata/expiring', { body: { delete_version_after: '1s' } })
    expect(set.status).toBe(204)
    expect((await api('GET', 'secret/metadata/expiring')).body.data.delete_version_after).toBe('1s')
    const before = Date.now()
    await api('POST', 'secret/data/expiring', { body: { data: { v: canary('expiring') } } })
    const fresh = await api('GET', 'secret/data/expiring')
    expect(fresh.status).toBe(200)
    const deletion = Date.parse(fresh.body.data.metadata.deletion_time)
    expect(deletion).toBeGreaterThanOrEqual(before + 1_000 - 1)
    expect(deletion).toBeLessThanOrEqual(Date.now() + 1_000)
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, deletion - Date.now()) + 20))
    const gone = await api('GET', 'secret/data/expiring')
    expect(gone.status).toBe(404)
    expect(gone.body.data).toMatchObject({ data: null, metadata: { version: 1 } })
    expect(gone.body.errors).toBeUndefined()
    expect(
      (await api('POST', 'secret/metadata/expiring', { body: { delete_version_after: 'soon' } })).status,
    ).toBe(400)
    expect(
      (await api('POST', 'secret/metadata/expiring', { body: { delete_version_after: '1h30m' } })).status,
    ).toBe(204)
    expect((await api('GET', 'secret/metadata/expiring')).body.data.delete_version_after).toBe('1h30m0s')
  })
})
