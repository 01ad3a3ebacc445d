import { canary } from '@latchkey/test-support'
import vault from 'node-vault'
import { describe, expect, it } from 'vitest'
import { vaultClientForFile } from '../../test/vault-client.js'
import { startVaultEmulator } from './index.js'

const file = vaultClientForFile()

const statusOf = (error: unknown) => (error as { response?: { statusCode?: number } }).response?.statusCode

describe('KV v2 PATCH (node-vault update)', () => {
  it('merges into the current version as a new version: keys added, replaced, removed by null', async () => {
    const [kept, replaced] = [canary('patch-kept'), canary('patch-new')]
    file.emulator.kv.write('patch/one', { kept, gone: 'x', nested: { a: '1', b: '2' } })
    const reply = await file.client.update('secret/data/patch/one', {
      data: { gone: null, added: replaced, nested: { b: null, c: '3' } },
    })
    expect(reply.data.version).toBe(2)
    const read = await file.client.read('secret/data/patch/one')
    expect(read.data.data).toEqual({ kept, added: replaced, nested: { a: '1', c: '3' } })
    expect((await file.client.read('secret/data/patch/one?version=1')).data.data.gone).toBe('x')
  })

  it('404 for a key with no versions and for a deleted current version; cas as for a write', async () => {
    await expect(file.client.update('secret/data/patch/none', { data: { a: '1' } })).rejects.toSatisfy(
      (e) => statusOf(e) === 404,
    )
    file.emulator.kv.write('patch/deleted', { a: '1' })
    file.emulator.kv.delete('patch/deleted')
    await expect(file.client.update('secret/data/patch/deleted', { data: { a: '2' } })).rejects.toSatisfy(
      (e) => statusOf(e) === 404,
    )
    file.emulator.kv.write('patch/cas', { a: '1' })
    await expect(
      file.client.update('secret/data/patch/cas', { data: { a: '2' }, options: { cas: 0 } }),
    ).rejects.toThrow('check-and-set parameter did not match the current version')
    expect(
      (await file.client.update('secret/data/patch/cas', { data: { a: '2' }, options: { cas: 1 } })).data
        .version,
    ).toBe(2)
  })

  it("a PATCH without Vault's merge-patch content type: 415 naming it, none at all: 400", async () => {
    file.emulator.kv.write('patch/type', { a: '1' })
    const send = (headers: Record<string, string>) =>
      fetch(`${file.emulator.endpoint}/v1/secret/data/patch/type`, {
        method: 'PATCH',
        headers: { 'X-Vault-Token': file.emulator.token, ...headers },
        body: JSON.stringify({ data: { a: '2' } }),
      })
    const json = await send({ 'Content-Type': 'application/json' })
    expect(json.status).toBe(415)
    expect(((await json.json()) as { errors: string[] }).errors).toEqual([
      'PATCH requires Content-Type of application/merge-patch+json, provided application/json',
    ])
    const none = await fetch(`${file.emulator.endpoint}/v1/secret/data/patch/type`, {
      method: 'PATCH',
      headers: { 'X-Vault-Token': file.emulator.token },
    })
    expect(none.status).toBe(400)
    expect((await file.client.read('secret/data/patch/type')).data.metadata.version).toBe(1)
  })
})

describe('KV v2 mount config (<mount>/config)', () => {
  it('max_versions, cas_required and delete_version_after apply to every key; read back with GET', async () => {
    const other = await startVaultEmulator()
    const c = vault({ endpoint: other.endpoint, token: other.token })
    try {
      expect((await c.read('secret/config')).data).toEqual({
        cas_required: false,
        delete_version_after: '0s',
        max_versions: 0,
      })
      await c.write('secret/config', { max_versions: 2, delete_version_after: '1h' })
      expect((await c.read('secret/config')).data).toMatchObject({
        max_versions: 2,
        delete_version_after: '1h0m0s',
      })
      for (let n = 1; n <= 3; n++) other.kv.write('cfg/key', { n: String(n) })
      const meta = (await c.read('secret/metadata/cfg/key')).data
      expect(Object.keys(meta.versions)).toEqual(['2', '3'])
      const latest = (await c.read('secret/data/cfg/key')).data.metadata
      expect(Date.parse(latest.deletion_time) - Date.parse(latest.created_time)).toBe(3_600_000)
      // a key's own shorter delete_version_after wins over the mount's
      await c.write('secret/metadata/cfg/short', { delete_version_after: '30s' })
      other.kv.write('cfg/short', { n: '1' })
      const short = (await c.read('secret/data/cfg/short')).data.metadata
      expect(Date.parse(short.deletion_time) - Date.parse(short.created_time)).toBe(30_000)
      await c.write('secret/config', { cas_required: true })
      await expect(c.write('secret/data/cfg/key', { data: { n: '4' } })).rejects.toThrow(
        'check-and-set parameter required for this call',
      )
      expect(
        (await c.write('secret/data/cfg/key', { data: { n: '4' }, options: { cas: 3 } })).data.version,
      ).toBe(4)
    } finally {
      await other.close()
    }
  })
})

describe('a namespace given in the path', () => {
  it('/v1/<namespace>/<mount>/… reads what the header form wrote, and joins a header namespace', async () => {
    const value = canary('ns-path')
    file.emulator.kv.write('app/db', { value }, { namespace: 'team-a' })
    expect((await file.client.read('team-a/secret/data/app/db')).data.data.value).toBe(value)
    await expect(file.client.read('secret/data/app/db')).rejects.toSatisfy((e) => statusOf(e) === 404)
    file.emulator.kv.write('app/db', { value }, { namespace: 'team-a/child' })
    const nested = vault({
      endpoint: file.emulator.endpoint,
      token: file.emulator.token,
      namespace: 'team-a',
    })
    expect((await nested.read('child/secret/data/app/db')).data.data.value).toBe(value)
  })
})
