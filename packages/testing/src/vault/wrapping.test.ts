import { canary } from '@latchkey/test-support'
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
const WRAP = (ttl: string) => ({ headers: { 'X-Vault-Wrap-TTL': ttl } })
const NOT_VALID = { status: 400, errors: ['wrapping token is not valid or does not exist'] }

describe('response wrapping', () => {
  it('X-Vault-Wrap-TTL on a read answers wrap_info only; unwrap with the wrapping token gives the answer once', async () => {
    const password = canary('wrapped')
    emulator.kv.write('wrap/db', { password })
    const wrapped = await clientFor(emulator.token).read('secret/data/wrap/db', WRAP('2m'))
    expect(wrapped.data).toBeNull()
    expect(JSON.stringify(wrapped)).not.toContain(password)
    expect(wrapped.wrap_info).toMatchObject({ ttl: 120, creation_path: 'secret/data/wrap/db' })
    expect(wrapped.wrap_info.token).toMatch(/^hvs\.[A-Za-z0-9]{24}$/)
    expect(wrapped.wrap_info.creation_time).toMatch(/Z$/)
    const unwrapped = await clientFor(wrapped.wrap_info.token).unwrap()
    expect(unwrapped.data.data).toEqual({ password })
    expect(await refusal(clientFor(wrapped.wrap_info.token).unwrap())).toEqual(NOT_VALID)
  })

  it('unwrap with the token in the body; lookup needs no token and does not use the wrapping token up', async () => {
    const wrapped = await clientFor(emulator.token).write('sys/wrapping/wrap', { zip: 'zap' }, WRAP('300'))
    const token = wrapped.wrap_info.token as string
    const lookup = await fetch(`${emulator.endpoint}/v1/sys/wrapping/lookup`, {
      method: 'POST',
      body: JSON.stringify({ token }),
    })
    expect(lookup.status).toBe(200)
    expect(((await lookup.json()) as { data: unknown }).data).toMatchObject({
      creation_path: 'sys/wrapping/wrap',
      creation_ttl: 300,
    })
    const caller = emulator.createToken({})
    const unwrapped = await clientFor(caller).unwrap({ token })
    expect(unwrapped.data).toEqual({ zip: 'zap' })
    expect(await refusal(clientFor(caller).unwrap({ token }))).toEqual(NOT_VALID)
  })

  it('rewrap gives a new wrapping token for the same answer and ends the old one', async () => {
    const first = await clientFor(emulator.token).write('sys/wrapping/wrap', { a: '1' }, WRAP('60'))
    const rewrapped = await clientFor(emulator.token).write('sys/wrapping/rewrap', {
      token: first.wrap_info.token,
    })
    expect(rewrapped.wrap_info.token).not.toBe(first.wrap_info.token)
    expect(await refusal(clientFor(emulator.token).unwrap({ token: first.wrap_info.token }))).toEqual(
      NOT_VALID,
    )
    expect((await clientFor(emulator.token).unwrap({ token: rewrapped.wrap_info.token })).data).toEqual({
      a: '1',
    })
  })

  it('a wrapped token creation carries wrapped_accessor; the wrapping token ends with its TTL', async () => {
    const wrapped = await clientFor(emulator.token).write('auth/token/create', { ttl: '1h' }, WRAP('1'))
    expect(wrapped.auth).toBeNull()
    expect(wrapped.wrap_info.wrapped_accessor).toMatch(/^[A-Za-z0-9]{24}$/)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    expect(await refusal(clientFor(emulator.token).unwrap({ token: wrapped.wrap_info.token }))).toEqual(
      NOT_VALID,
    )
  })

  it('a wrapped AppRole login hands out only wrap_info; unwrapping gives the auth block with a working token', async () => {
    const { roleId, secretId } = emulator.addAppRole({ roleName: 'wrapped', token: { ttl: 300 } })
    const anonymous = vault({ endpoint: emulator.endpoint })
    const wrapped = await anonymous.write(
      'auth/approle/login',
      { role_id: roleId, secret_id: secretId },
      WRAP('60'),
    )
    expect(wrapped.auth).toBeNull()
    expect(wrapped.wrap_info).toMatchObject({ creation_path: 'auth/approle/login', ttl: 60 })
    const unwrapped = await clientFor(wrapped.wrap_info.token).unwrap()
    expect(unwrapped.auth.accessor).toBe(wrapped.wrap_info.wrapped_accessor)
    const lookup = await clientFor(unwrapped.auth.client_token).tokenLookupSelf()
    expect(lookup.data.meta).toEqual({ role_name: 'wrapped' })
  })

  it('errors are not wrapped; sys/wrapping/wrap without a wrap TTL is refused; a wrapping token reads nothing else', async () => {
    expect((await refusal(clientFor(emulator.token).read('secret/data/wrap/none', WRAP('60')))).status).toBe(
      404,
    )
    expect(await refusal(clientFor(emulator.token).write('sys/wrapping/wrap', { a: '1' }))).toEqual({
      status: 400,
      errors: ['endpoint requires response wrapping to be used'],
    })
    const wrapped = await clientFor(emulator.token).write('sys/wrapping/wrap', { a: '1' }, WRAP('60'))
    expect((await refusal(clientFor(wrapped.wrap_info.token).read('secret/data/wrap/db'))).status).toBe(403)
    expect(await refusal(clientFor(emulator.token).read('secret/data/wrap/db', WRAP('soon')))).toEqual({
      status: 400,
      errors: ['error parsing X-Vault-Wrap-TTL header: time: invalid duration "soon"'],
    })
  })
})
