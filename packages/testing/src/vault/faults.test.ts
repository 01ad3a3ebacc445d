import { ErrorCode, InvalidOptionsError } from '@latchkey/core'
import { canary, thrownBy } from '@latchkey/test-support'
import vault from 'node-vault'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startVaultEmulator, type VaultEmulator } from './index.js'

let emulator: VaultEmulator

beforeAll(async () => {
  emulator = await startVaultEmulator()
  emulator.kv.write('faults/app', { value: canary('vault-faults') })
})
afterAll(() => emulator.close())
afterEach(() => emulator.faults.reset())

async function read(
  path = 'secret/data/faults/app',
): Promise<{ status: number; text: string; type: string | null }> {
  const response = await fetch(`${emulator.endpoint}/v1/${path}`, {
    headers: { 'X-Vault-Token': emulator.token },
  })
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') }
}

describe('fault validation', () => {
  const bad: Array<[string, () => void, RegExp]> = [
    ['status 42', () => emulator.faults.fail({ status: 42 }), /status .*200 to 599; got number 42/],
    ['status 1000', () => emulator.faults.fail({ status: 1000 }), /status/],
    ['status NaN', () => emulator.faults.fail({ status: Number.NaN }), /got number NaN/],
    ['an unknown fault name', () => emulator.faults.fail('meltdown' as never), /'sealed'/],
    [
      'a message that is not text',
      () => emulator.faults.fail({ status: 500, message: 1 as never }),
      /message/,
    ],
    [
      'a content type with a line break',
      () => emulator.faults.fail({ status: 200, body: '<html>', contentType: 'text/html\n' }),
      /contentType/,
    ],
    ['a zero count', () => emulator.faults.fail('internal', { times: 0 }), /times/],
    ['a path that is not text', () => emulator.faults.drop({ path: 3 as never }), /path/],
    ['a NaN latency', () => emulator.faults.setLatency(Number.NaN), /setLatency ms/],
  ]
  // The same loop as the AWS emulators' fault tests on purpose: each emulator lists its own bad inputs.
  for (const [what, add, message] of bad) {
    it(`refuses ${what} at the faults call with ERR_SECRET_INVALID_OPTIONS`, () => {
      expect(thrownBy(add, InvalidOptionsError)).toMatchObject({ code: ErrorCode.INVALID_OPTIONS, message })
      expect(emulator.faults.pending).toBe(0)
    })
  }

  it('keeps a copy of a custom fault, so changing the object afterwards cannot break a request', async () => {
    const fault = { status: 502, message: 'upstream' }
    emulator.faults.fail(fault)
    fault.status = 42
    expect(await read()).toMatchObject({ status: 502, text: '{"errors":["upstream"]}' })
    expect((await read()).status).toBe(200)
  })
})

describe('raw-body faults', () => {
  it('answer 200 with an HTML page or truncated JSON, as a proxy or a cut connection would', async () => {
    emulator.faults.fail({ status: 200, body: '<html><body>login</body></html>', contentType: 'text/html' })
    emulator.faults.fail({ status: 200, body: '{"request_id":"x","data":{"da' })
    expect(await read()).toEqual({ status: 200, text: '<html><body>login</body></html>', type: 'text/html' })
    expect(await read()).toEqual({
      status: 200,
      text: '{"request_id":"x","data":{"da',
      type: 'application/json',
    })
    expect((await read()).status).toBe(200)
  })
})

describe('request size limit', () => {
  it('answers a body over maxRequestSize with 413 "http: request body too large", then keeps serving', async () => {
    const small = await startVaultEmulator({ maxRequestSize: 1024 })
    try {
      const client = vault({ endpoint: small.endpoint, token: small.token })
      const error = await client
        .write('secret/data/big', { data: { value: 'x'.repeat(2048) } })
        .catch((e: unknown) => e)
      expect(error).toMatchObject({
        message: 'http: request body too large',
        response: { statusCode: 413, body: { errors: ['http: request body too large'] } },
      })
      await client.write('secret/data/small', { data: { value: 'fits' } })
      expect(await client.read('secret/data/small')).toMatchObject({ data: { data: { value: 'fits' } } })
      expect(small.calls.log.map((c) => c.status)).toEqual([413, 200, 200])
    } finally {
      await small.close()
    }
  })

  it("defaults to Vault's 32 MiB: a 33 MiB body gets 413, a 1 MiB one is written", async () => {
    const client = vault({ endpoint: emulator.endpoint, token: emulator.token })
    const error = await client
      .write('secret/data/huge', { data: { value: 'x'.repeat(33 * 1024 * 1024) } })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ response: { statusCode: 413 } })
    await client.write('secret/data/large', { data: { value: 'y'.repeat(1024 * 1024) } })
    expect(
      ((await client.read('secret/data/large')) as { data: { data: { value: string } } }).data.data.value,
    ).toHaveLength(1024 * 1024)
  })

  it('refuses a maxRequestSize that is not a positive integer', async () => {
    await expect(startVaultEmulator({ maxRequestSize: 0 })).rejects.toMatchObject({
      code: ErrorCode.INVALID_OPTIONS,
    })
  })
})

describe('exactly one 403', () => {
  it("permissionDenied with the default times answers one 403 on the matching path, then Vault's normal answer", async () => {
    emulator.calls.reset()
    emulator.faults.fail('permissionDenied', { path: 'secret/data/faults/app' })
    expect(emulator.faults.pending).toBe(1)
    const other = await read('secret/data/faults/missing')
    expect(other.status).toBe(404)
    const denied = await read()
    expect(denied.status).toBe(403)
    expect(JSON.parse(denied.text)).toEqual({ errors: ['1 error occurred:\n\t* permission denied\n\n'] })
    expect(emulator.faults.pending).toBe(0)
    const after = await read()
    expect(after.status).toBe(200)
    expect(emulator.calls.log.map((c) => c.status)).toEqual([404, 403, 200])
  })
})
