import { ErrorCode, InvalidOptionsError } from '@latchkey/core'
import { thrownBy } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { vaultClientForFile } from '../../test/vault-client.js'
import { refusal } from '../../test/vault-replies.js'

const file = vaultClientForFile()

const multierror = (text: string) => `1 error occurred:\n\t* ${text}\n\n`

describe('KV v2 custom_metadata', () => {
  it('POST …/metadata sets custom_metadata; metadata reads, data reads and writes return it', async () => {
    await file.client.write('secret/metadata/cm/one', { custom_metadata: { owner: 'team-a', tier: 'gold' } })
    const metadata = await file.client.read('secret/metadata/cm/one')
    expect(metadata.data.custom_metadata).toEqual({ owner: 'team-a', tier: 'gold' })
    const written = await file.client.write('secret/data/cm/one', { data: { a: '1' } })
    expect(written.data.custom_metadata).toEqual({ owner: 'team-a', tier: 'gold' })
    const read = await file.client.read('secret/data/cm/one')
    expect(read.data.metadata.custom_metadata).toEqual({ owner: 'team-a', tier: 'gold' })
    // A POST replaces the whole map.
    await file.client.write('secret/metadata/cm/one', { custom_metadata: { owner: 'team-b' } })
    expect((await file.client.read('secret/metadata/cm/one')).data.custom_metadata).toEqual({
      owner: 'team-b',
    })
  })

  it('a key without custom metadata answers null, as Vault does', async () => {
    file.emulator.kv.write('cm/plain', { a: '1' })
    expect((await file.client.read('secret/metadata/cm/plain')).data.custom_metadata).toBeNull()
    expect((await file.client.read('secret/data/cm/plain')).data.metadata.custom_metadata).toBeNull()
  })

  it('PATCH …/metadata merges: keys added and replaced, null removes one, other settings kept', async () => {
    await file.client.write('secret/metadata/cm/patch', {
      max_versions: 3,
      custom_metadata: { a: '1', b: '2' },
    })
    await file.client.update('secret/metadata/cm/patch', {
      custom_metadata: { b: null, c: '3' },
      cas_required: true,
    })
    const metadata = await file.client.read('secret/metadata/cm/patch')
    expect(metadata.data).toMatchObject({
      custom_metadata: { a: '1', c: '3' },
      max_versions: 3,
      cas_required: true,
    })
    await file.client.update('secret/metadata/cm/patch', { custom_metadata: null })
    expect((await file.client.read('secret/metadata/cm/patch')).data.custom_metadata).toBeNull()
  })

  it('PATCH …/metadata of a key that does not exist answers 404', async () => {
    expect(
      await refusal(file.client.update('secret/metadata/cm/none', { custom_metadata: { a: '1' } })),
    ).toEqual({
      status: 404,
      errors: [],
    })
  })

  it('refuses what the KV plugin refuses: over 64 keys, a 129-byte key, an empty or 513-byte value', async () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']))
    expect(await refusal(file.client.write('secret/metadata/cm/bad', { custom_metadata: many }))).toEqual({
      status: 400,
      errors: [
        multierror('custom_metadata validation failed: payload must contain at most 64 keys, provided 65'),
      ],
    })
    const longKey = 'k'.repeat(129)
    expect(
      await refusal(file.client.write('secret/metadata/cm/bad', { custom_metadata: { [longKey]: 'v' } })),
    ).toEqual({
      status: 400,
      errors: [
        multierror(
          `custom_metadata validation failed: length of key "${longKey}" is 129 but must be 0 < len(key) <= 128`,
        ),
      ],
    })
    expect(
      await refusal(file.client.write('secret/metadata/cm/bad', { custom_metadata: { k: 'v'.repeat(513) } })),
    ).toEqual({
      status: 400,
      errors: [
        multierror(
          'custom_metadata validation failed: length of value for key "k" is 513 but must be 0 < len(value) <= 512',
        ),
      ],
    })
    expect(
      (await refusal(file.client.write('secret/metadata/cm/bad', { custom_metadata: { k: '' } }))).status,
    ).toBe(400)
    expect(
      (await refusal(file.client.write('secret/metadata/cm/bad', { custom_metadata: ['a'] }))).status,
    ).toBe(400)
    expect((await refusal(file.client.read('secret/metadata/cm/bad'))).status).toBe(404)
  })

  it('the setMetadata helper sets it too, and refuses what Vault refuses with InvalidOptionsError', async () => {
    file.emulator.kv.setMetadata('cm/helper', { customMetadata: { owner: 'helper' } })
    expect((await file.client.read('secret/metadata/cm/helper')).data.custom_metadata).toEqual({
      owner: 'helper',
    })
    const error = thrownBy(
      () => file.emulator.kv.setMetadata('cm/helper', { customMetadata: { k: 'v'.repeat(600) } }),
      InvalidOptionsError,
    )
    expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTIONS })
    expect(error.message).toContain('kv.setMetadata customMetadata must be')
    expect(error.message).toContain('is 600 but must be 0 < len(value) <= 512')
  })
})
