import {
  BatchGetSecretValueCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager'
import { ErrorCode, InvalidOptionsError } from '@latchkey/core'
import { canary, emulatorHooks, thrownBy } from '@latchkey/test-support'
import { afterAll, describe, expect, it } from 'vitest'
import {
  SECRETS_MANAGER_MAX_REQUEST_BYTES,
  type SecretsManagerEmulator,
  startSecretsManagerEmulator,
} from './index.js'

let emulator: SecretsManagerEmulator
let client: SecretsManagerClient

emulatorHooks(() => startSecretsManagerEmulator({ secrets: { 'faults/app': canary('app') } }), {
  started: (started) => {
    emulator = started
    client = new SecretsManagerClient({ ...emulator.clientConfig, maxAttempts: 1 })
  },
})
afterAll(() => client.destroy())

const get = () => client.send(new GetSecretValueCommand({ SecretId: 'faults/app' }))
const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: Error) => error.name,
  )

describe('error faults', () => {
  it('fail the next N calls, then calls succeed again', async () => {
    emulator.faults.fail('throttling', { times: 2 })
    expect(emulator.faults.pending).toBe(2)
    expect([await outcome(get()), await outcome(get()), await outcome(get())]).toEqual([
      'ThrottlingException',
      'ThrottlingException',
      'ok',
    ])
    expect(emulator.faults.pending).toBe(0)
    expect(emulator.calls().map((c) => c.fault)).toEqual(['throttling', 'throttling', undefined])
  })

  it('apply only to the given operation', async () => {
    emulator.faults.fail('internal', { operation: 'DescribeSecret' })
    expect(await outcome(get())).toBe('ok')
    expect(await outcome(client.send(new DescribeSecretCommand({ SecretId: 'faults/app' })))).toBe(
      'InternalServiceError',
    )
    expect(await outcome(client.send(new DescribeSecretCommand({ SecretId: 'faults/app' })))).toBe('ok')
  })

  it('are used in the order they were added', async () => {
    emulator.faults.fail('accessDenied')
    emulator.faults.fail('unavailable')
    expect([await outcome(get()), await outcome(get()), await outcome(get())]).toEqual([
      'AccessDeniedException',
      'SyntaxError',
      'ok',
    ])
  })

  it('with times: Infinity last until reset()', async () => {
    emulator.faults.fail('internal', { times: Number.POSITIVE_INFINITY })
    for (let i = 0; i < 5; i++) expect(await outcome(get())).toBe('InternalServiceError')
    expect(emulator.faults.pending).toBe(Number.POSITIVE_INFINITY)
    emulator.faults.reset()
    expect(await outcome(get())).toBe('ok')
  })

  it('reject a nonsensical count with ERR_SECRET_INVALID_OPTIONS', () => {
    expect(() => emulator.faults.fail('internal', { times: 0 })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS }),
    )
    expect(() => emulator.faults.drop({ times: 1.5 })).toThrow(InvalidOptionsError)
    expect(emulator.faults.pending).toBe(0)
  })
})

describe('fault validation', () => {
  const bad: Array<[string, () => void, RegExp]> = [
    ['status 42', () => emulator.faults.fail({ status: 42 }), /status .*200 to 599; got number 42/],
    ['status 600', () => emulator.faults.fail({ status: 600 }), /status/],
    ['status 200.5', () => emulator.faults.fail({ status: 200.5 }), /status/],
    ['status as a string', () => emulator.faults.fail({ status: '500' as never }), /got string "500"/],
    ['no status', () => emulator.faults.fail({} as never), /got undefined/],
    ['an unknown fault name', () => emulator.faults.fail('boom' as never), /'throttling'/],
    ['null', () => emulator.faults.fail(null as never), /got null/],
    ['a body that is not text', () => emulator.faults.fail({ status: 200, body: 5 as never }), /body/],
    [
      'a content type with a line break',
      () => emulator.faults.fail({ status: 200, body: '{}', contentType: 'text/html\r\nX: 1' }),
      /contentType/,
    ],
    [
      'an unknown operation',
      () => emulator.faults.fail('internal', { operation: 'Nope' as never }),
      /operation/,
    ],
    ['a negative latency', () => emulator.faults.setLatency(-1), /setLatency ms/],
    ['an endless latency', () => emulator.faults.setLatency(Number.POSITIVE_INFINITY), /setLatency ms/],
  ]
  for (const [what, add, message] of bad) {
    it(`refuses ${what} at the faults call with ERR_SECRET_INVALID_OPTIONS`, () => {
      expect(thrownBy(add, InvalidOptionsError)).toMatchObject({ code: ErrorCode.INVALID_OPTIONS, message })
      expect(emulator.faults.pending).toBe(0)
    })
  }

  it('keeps a copy of a custom fault, so changing the object afterwards cannot break a request', async () => {
    const fault = { status: 400, type: 'DecryptionFailure' }
    emulator.faults.fail(fault)
    fault.status = 42
    expect(await outcome(get())).toBe('DecryptionFailure')
    expect(emulator.calls().map((c) => c.status)).toEqual([400])
    expect(await outcome(get())).toBe('ok')
  })

  it('keeps serving after a refused fault: the next request gets its normal reply', async () => {
    expect(() => emulator.faults.fail({ status: 42 })).toThrow(InvalidOptionsError)
    expect(await outcome(get())).toBe('ok')
  })
})

describe('request bodies', () => {
  it(`answers a body over ${SECRETS_MANAGER_MAX_REQUEST_BYTES} bytes with 413 RequestEntityTooLargeException, then keeps serving`, async () => {
    const value = 'x'.repeat(SECRETS_MANAGER_MAX_REQUEST_BYTES)
    const error = await client
      .send(new PutSecretValueCommand({ SecretId: 'faults/app', SecretString: value }))
      .catch((e: { name: string; $metadata: { httpStatusCode?: number } }) => e)
    expect(error).toMatchObject({
      name: 'RequestEntityTooLargeException',
      $metadata: { httpStatusCode: 413 },
    })
    expect(emulator.calls('PutSecretValue').map((c) => c.status)).toEqual([413])
    expect(await outcome(get())).toBe('ok')
  })

  it('accepts the largest valid secret (65,536 bytes) even when JSON escaping makes the body several times larger', async () => {
    const value = '"'.repeat(65_536)
    const put = await client.send(new PutSecretValueCommand({ SecretId: 'faults/app', SecretString: value }))
    expect(put.VersionId).toBeDefined()
    const read = await get()
    expect(read.SecretString?.length).toBe(65_536)
    emulator.rotate('faults/app', canary('app'))
  })

  it('answers a secret value over 65,536 bytes with ValidationException, as the model constrains it', async () => {
    const error = await client
      .send(new PutSecretValueCommand({ SecretId: 'faults/app', SecretString: 'y'.repeat(65_537) }))
      .catch((e: Error) => e)
    expect(error).toMatchObject({ name: 'ValidationException' })
  })
})

describe('dropped connections', () => {
  it('end the next N matching calls without a response, then the server answers again', async () => {
    emulator.faults.drop({ times: 2, operation: 'GetSecretValue' })
    expect(await outcome(client.send(new DescribeSecretCommand({ SecretId: 'faults/app' })))).toBe('ok')
    const first = await get().catch((error: { code?: string }) => error.code)
    const second = await get().catch((error: { code?: string }) => error.code)
    expect([first, second]).toEqual(['ECONNRESET', 'ECONNRESET'])
    expect(await outcome(get())).toBe('ok')
    expect(emulator.calls('GetSecretValue').map((c) => c.status)).toEqual([0, 0, 200])
  })
})

describe('latency', () => {
  it('delays replies by the given time, for every operation or one', async () => {
    emulator.faults.setLatency(150, { operation: 'GetSecretValue' })
    let started = performance.now()
    await get()
    expect(performance.now() - started).toBeGreaterThanOrEqual(140)
    started = performance.now()
    await client.send(new DescribeSecretCommand({ SecretId: 'faults/app' }))
    expect(performance.now() - started).toBeLessThan(140)
    emulator.faults.setLatency(0, { operation: 'GetSecretValue' })
    started = performance.now()
    await get()
    expect(performance.now() - started).toBeLessThan(140)
  })

  it('lets a client give up (abortSignal) while the reply is delayed, and keeps serving others', async () => {
    emulator.faults.setLatency(5_000)
    const controller = new AbortController()
    const pending = client.send(new GetSecretValueCommand({ SecretId: 'faults/app' }), {
      abortSignal: controller.signal,
    })
    setTimeout(() => controller.abort(), 20)
    expect(await outcome(pending)).toBe('AbortError')
    emulator.faults.reset()
    expect(await outcome(get())).toBe('ok')
  })
})

describe('call records', () => {
  it('count requests per operation with the secret ids and the SDK attempt header, never values', async () => {
    await get()
    await client.send(new BatchGetSecretValueCommand({ SecretIdList: ['faults/app', 'faults/none'] }))
    expect(emulator.callCount()).toBe(2)
    expect(emulator.callCount('GetSecretValue')).toBe(1)
    expect(emulator.calls('BatchGetSecretValue')).toEqual([
      {
        operation: 'BatchGetSecretValue',
        secretIds: ['faults/app', 'faults/none'],
        status: 200,
        region: 'us-east-1',
        sdkRequest: 'attempt=1; max=1',
      },
    ])
  })

  it('do not include helper calls, which change state directly', () => {
    emulator.createSecret('faults/helper', canary('helper'))
    emulator.rotate('faults/helper', canary('helper2'))
    expect(emulator.callCount()).toBe(0)
  })
})

describe('lifecycle', () => {
  it('close() returns promptly despite open keep-alive connections, refuses new ones, and can be called twice', async () => {
    const own = await startSecretsManagerEmulator({ secrets: { a: canary('a') } })
    const ownClient = new SecretsManagerClient({ ...own.clientConfig, maxAttempts: 1 })
    await ownClient.send(new GetSecretValueCommand({ SecretId: 'a' }))
    const started = performance.now()
    await own.close()
    expect(performance.now() - started).toBeLessThan(1_000)
    await own.close()
    const error = await fetch(own.endpoint, { method: 'POST' }).catch(
      (e: Error) => e.cause as { code?: string },
    )
    expect((error as { code?: string }).code).toBe('ECONNREFUSED')
    ownClient.destroy()
  })
})
