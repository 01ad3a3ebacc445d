import { inspect } from 'node:util'
import { CachedSecretProvider, InvalidSecretJsonError, MemorySource } from '@latchkey/core'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { SecretCredentials } from './credentials.js'

async function credentialsFor(value: string, spec: 'json' | { user: string } = 'json') {
  const source = new MemorySource({ 'db/creds': value })
  const provider = new CachedSecretProvider(source)
  const credentials = new SecretCredentials(
    provider,
    spec === 'json'
      ? { kind: 'json', secret: 'db/creds' }
      : { kind: 'password', secret: 'db/creds', user: spec.user },
  )
  return { source, provider, credentials }
}

async function failure(value: string): Promise<InvalidSecretJsonError> {
  const { credentials } = await credentialsFor(value)
  const error = await credentials.current().catch((e: unknown) => e)
  expect(error).toBeInstanceOf(InvalidSecretJsonError)
  assertNoCanary(`${String(error)} ${inspect(error)} ${JSON.stringify(error)}`, 'the error')
  return error as InvalidSecretJsonError
}

describe('SecretCredentials', () => {
  it('reads username, password, host, port and dbname from a JSON secret', async () => {
    const password = canary('json')
    const { credentials } = await credentialsFor(
      JSON.stringify({
        engine: 'postgres',
        username: 'app',
        password,
        host: 'db.local',
        port: 6543,
        dbname: 'shop',
      }),
    )
    const current = await credentials.current()
    expect(current).toMatchObject({
      user: 'app',
      host: 'db.local',
      port: 6543,
      database: 'shop',
      version: 'v1',
    })
    expect(current.password).toBe(password)
    expect(Object.keys(current)).not.toContain('password')
    assertNoCanary(inspect(current) + JSON.stringify(current), 'the credentials object')
  })

  it('accepts a port given as a string and ignores empty optional fields', async () => {
    const { credentials } = await credentialsFor(
      JSON.stringify({ username: 'app', password: canary('p'), port: '5433', host: '', dbname: null }),
    )
    const current = await credentials.current()
    expect(current.port).toBe(5433)
    expect(current).not.toHaveProperty('host')
    expect(current).not.toHaveProperty('database')
  })

  it('uses the whole secret as the password with a fixed user', async () => {
    const password = canary('plain')
    const { credentials } = await credentialsFor(password, { user: 'fixed' })
    const current = await credentials.current()
    expect(current.user).toBe('fixed')
    expect(current.password).toBe(password)
  })

  it.each([
    ['username', { password: 'x-c4n4ry-1' }],
    ['password', { username: 'app' }],
    ['password', { username: 'app', password: 12345 }],
    ['username', { username: '', password: 'x' }],
    ['port', { username: 'app', password: 'x', port: 'c4n4ry' }],
    ['port', { username: 'app', password: 'x', port: 70_000 }],
    ['host', { username: 'app', password: 'x', host: 7 }],
  ])('a bad "%s" field is an InvalidSecretJsonError naming that field', async (field, json) => {
    const error = await failure(JSON.stringify({ ...json, note: canary('other') }))
    expect(error).toMatchObject({
      code: 'ERR_SECRET_INVALID_JSON',
      field,
      secretName: 'db/creds',
      source: 'memory',
    })
    expect(error.message).toContain(field)
  })

  it('a secret that is not JSON, or not an object, is an InvalidSecretJsonError', async () => {
    expect(await failure(canary('not-json'))).toMatchObject({ code: 'ERR_SECRET_INVALID_JSON' })
    expect(await failure(JSON.stringify([canary('array')]))).toMatchObject({
      code: 'ERR_SECRET_INVALID_JSON',
    })
  })

  it('parses once per version and tells which clients opened with rotated-out credentials', async () => {
    const { source, provider, credentials } = await credentialsFor(
      JSON.stringify({ username: 'a', password: 'pa' }),
    )
    const first = await credentials.current()
    expect(credentials.currentSync()).toBe(first)
    const client = {}
    credentials.remember(client, first.version)
    expect(credentials.isStale(client)).toBe(false)
    expect(credentials.isStale({})).toBe(false)

    const rotations: unknown[] = []
    credentials.onRotate((event) => rotations.push(event))
    source.set('db/creds', JSON.stringify({ username: 'b', password: 'pb' }))
    await provider.refresh('db/creds')
    expect(rotations).toEqual([{ oldVersion: 'v1', newVersion: 'v2' }])
    expect(credentials.currentSync().user).toBe('b')
    expect(credentials.isStale(client)).toBe(true)
  })
})
