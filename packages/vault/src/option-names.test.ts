import { InvalidOptionsError } from '@latchkey/core'
import { thrownBy } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { VaultDatabaseSource } from './database-source.js'
import { VaultKvSource } from './kv-source.js'

const auth = { type: 'token', token: 'hvs.not-a-real-token' } as const
const endpoint = 'http://127.0.0.1:8200'

describe('unknown option names (vault)', () => {
  it.each([
    ['VaultKvSource', () => new VaultKvSource({ endpoint, auth, mout: 'kv' } as never), 'mout', 'mount'],
    [
      'VaultKvSource',
      () => new VaultKvSource({ endpoint, auth, kvversion: 1 } as never),
      'kvversion',
      'kvVersion',
    ],
    ['VaultKvSource', () => new VaultKvSource({ endpont: endpoint, auth } as never), 'endpont', 'endpoint'],
    [
      'VaultDatabaseSource',
      () => new VaultDatabaseSource({ endpoint, auth, revokeOnClos: false } as never),
      'revokeOnClos',
      'revokeOnClose',
    ],
    [
      'VaultDatabaseSource',
      () => new VaultDatabaseSource({ endpoint, auth, namspace: 'team' } as never),
      'namspace',
      'namespace',
    ],
  ])('%s({ %s }) is ERR_SECRET_INVALID_OPTIONS naming the nearest option', (owner, build, key, nearest) => {
    const error = thrownBy(build, InvalidOptionsError)
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toBe(`${owner}: unknown option "${key}"; did you mean "${nearest}"?`)
  })

  it('accept every declared option', async () => {
    const logger = { warn: () => undefined }
    const kv = new VaultKvSource({ endpoint, auth, namespace: 'team', logger, mount: 'kv', kvVersion: 1 })
    const db = new VaultDatabaseSource({
      endpoint,
      auth,
      namespace: 'team',
      logger,
      mount: 'db',
      revokeOnClose: false,
    })
    await kv.close()
    await db.close()
    expect(kv.name).toBe('vault-kv')
  })
})
