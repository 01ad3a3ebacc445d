import { assertNoCanary, canary } from '@latchkey/test-support'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type SecretsManagerEmulator, startSecretsManagerEmulator } from './index.js'

let emulator: SecretsManagerEmulator

beforeAll(async () => {
  emulator = await startSecretsManagerEmulator()
})
afterAll(() => emulator.close())
beforeEach(() => emulator.faults.reset())

/** One raw awsJson1_1 call, as the SDK would make it (minus the signature, which is not checked). */
async function call(operation: string, body: object | string = {}, headers: Record<string, string> = {}) {
  const response = await fetch(`${emulator.endpoint}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `secretsmanager.${operation}`,
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  return { response, text, json: () => JSON.parse(text) as Record<string, unknown> }
}

describe('transport', () => {
  it('answers POST / with the awsJson1_1 content type and an x-amzn-RequestId', async () => {
    const name = `wire/headers-${Date.now()}`
    emulator.createSecret(name, canary('headers'))
    const { response, json } = await call('GetSecretValue', { SecretId: name })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1')
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    expect(json().Name).toBe(name)
  })

  it('sends timestamps as epoch seconds (JSON numbers with fractions)', async () => {
    const before = Date.now() / 1000
    const name = `wire/dates-${Date.now()}`
    emulator.createSecret(name, canary('dates'))
    const value = (await call('GetSecretValue', { SecretId: name })).json()
    expect(typeof value.CreatedDate).toBe('number')
    expect(value.CreatedDate as number).toBeGreaterThanOrEqual(Math.floor(before))
    expect(value.CreatedDate as number).toBeLessThan(before + 60)
    const described = (await call('DescribeSecret', { SecretId: name })).json()
    expect(typeof described.LastChangedDate).toBe('number')
    expect(typeof described.CreatedDate).toBe('number')
  })

  it('takes and returns SecretBinary as base64', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255])
    const name = `wire/binary-${Date.now()}`
    const created = await call('CreateSecret', { Name: name, SecretBinary: bytes.toString('base64') })
    expect(created.response.status).toBe(200)
    const value = (await call('GetSecretValue', { SecretId: name })).json()
    expect(value.SecretBinary).toBe(bytes.toString('base64'))
    expect(value).not.toHaveProperty('SecretString')
  })

  it('uses ClientRequestToken as the VersionId', async () => {
    const name = `wire/token-${Date.now()}`
    const token = 'EXAMPLE1-90ab-cdef-fedc-ba987SECRET1'
    const created = (
      await call('CreateSecret', { Name: name, SecretString: canary('token'), ClientRequestToken: token })
    ).json()
    expect(created.VersionId).toBe(token)
  })
})

describe('error replies', () => {
  it('answers a missing secret with 400 {"__type":"ResourceNotFoundException","Message":…}', async () => {
    const { response, json } = await call('GetSecretValue', { SecretId: 'wire/does-not-exist' })
    expect(response.status).toBe(400)
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1')
    expect(response.headers.get('x-amzn-requestid')).toBeTruthy()
    expect(json()).toEqual({
      __type: 'ResourceNotFoundException',
      Message: "Secrets Manager can't find the specified secret.",
    })
  })

  it('names the staging label when the secret has no value for it', async () => {
    const name = `wire/empty-${Date.now()}`
    emulator.createSecret(name)
    const { response, json } = await call('GetSecretValue', { SecretId: name })
    expect(response.status).toBe(400)
    expect(json()).toEqual({
      __type: 'ResourceNotFoundException',
      Message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    })
  })

  it('rejects a read of a secret scheduled for deletion with InvalidRequestException', async () => {
    const name = `wire/deleted-${Date.now()}`
    emulator.createSecret(name, canary('deleted'))
    const deleted = (await call('DeleteSecret', { SecretId: name, RecoveryWindowInDays: 7 })).json()
    expect(typeof deleted.DeletionDate).toBe('number')
    const { response, json } = await call('GetSecretValue', { SecretId: name })
    expect(response.status).toBe(400)
    expect(json()).toEqual({
      __type: 'InvalidRequestException',
      Message: "You can't perform this operation on the secret because it was marked for deletion.",
    })
  })

  it('rejects a value over 65,536 bytes with a ValidationException that does not echo the value', async () => {
    const name = `wire/large-${Date.now()}`
    emulator.createSecret(name, canary('small'))
    const big = canary('big').padEnd(65_537, 'x')
    const { response, text, json } = await call('PutSecretValue', { SecretId: name, SecretString: big })
    expect(response.status).toBe(400)
    expect(json().__type).toBe('ValidationException')
    expect(json().Message).toContain('65536')
    assertNoCanary(text, 'the ValidationException body')
    const exact = 'y'.repeat(65_536)
    expect((await call('PutSecretValue', { SecretId: name, SecretString: exact })).response.status).toBe(200)
  })

  it('answers an unknown X-Amz-Target with UnknownOperationException', async () => {
    const { response, json } = await call('NoSuchOperation')
    expect(response.status).toBe(400)
    expect(json().__type).toBe('UnknownOperationException')
  })

  it('answers a body that is not JSON with SerializationException', async () => {
    const { response, json } = await call('GetSecretValue', '{not json')
    expect(response.status).toBe(400)
    expect(json().__type).toBe('SerializationException')
  })

  it('checks member lengths like the model (SecretId ≤ 2048)', async () => {
    const { response, json } = await call('GetSecretValue', { SecretId: 'a'.repeat(2049) })
    expect(response.status).toBe(400)
    expect(json().__type).toBe('ValidationException')
  })
})

describe('BatchGetSecretValue', () => {
  it('returns partial failure as HTTP 200 with per-secret Errors', async () => {
    const name = `wire/batch-${Date.now()}`
    emulator.createSecret(name, canary('batch'))
    const { response, json } = await call('BatchGetSecretValue', {
      SecretIdList: [name, 'wire/batch-missing'],
    })
    expect(response.status).toBe(200)
    const body = json() as { SecretValues: Array<{ Name: string }>; Errors: unknown[] }
    expect(body.SecretValues.map((v) => v.Name)).toEqual([name])
    expect(body.Errors).toEqual([
      {
        SecretId: 'wire/batch-missing',
        ErrorCode: 'ResourceNotFoundException',
        Message: "Secrets Manager can't find the specified secret.",
      },
    ])
  })

  it('rejects more than 20 ids, and SecretIdList together with Filters', async () => {
    const ids = Array.from({ length: 21 }, (_, i) => `wire/many-${i}`)
    const tooMany = await call('BatchGetSecretValue', { SecretIdList: ids })
    expect(tooMany.response.status).toBe(400)
    expect(tooMany.json().__type).toBe('ValidationException')
    const both = await call('BatchGetSecretValue', {
      SecretIdList: ['a'],
      Filters: [{ Key: 'name', Values: ['a'] }],
    })
    expect(both.response.status).toBe(400)
    expect(both.json().__type).toBe('InvalidParameterException')
  })
})

describe('faults on the wire', () => {
  it("'throttling' is 400 ThrottlingException", async () => {
    emulator.faults.fail('throttling')
    const { response, json } = await call('GetSecretValue', { SecretId: 'x' })
    expect(response.status).toBe(400)
    expect(json()).toEqual({ __type: 'ThrottlingException', Message: 'Rate exceeded' })
  })

  it("'internal' is 500 InternalServiceError", async () => {
    emulator.faults.fail('internal')
    const { response, json } = await call('GetSecretValue', { SecretId: 'x' })
    expect(response.status).toBe(500)
    expect(json().__type).toBe('InternalServiceError')
  })

  it("'accessDenied' is 400 AccessDeniedException naming the action", async () => {
    emulator.faults.fail('accessDenied')
    const { response, json } = await call('GetSecretValue', { SecretId: 'x' })
    expect(response.status).toBe(400)
    expect(json().__type).toBe('AccessDeniedException')
    expect(json().Message).toContain('secretsmanager:GetSecretValue')
  })

  it("'unavailable' is 503 with an HTML body, not JSON", async () => {
    emulator.faults.fail('unavailable')
    const { response, text } = await call('GetSecretValue', { SecretId: 'x' })
    expect(response.status).toBe(503)
    expect(response.headers.get('content-type')).toBe('text/html')
    expect(text).toMatch(/^<html>/)
    expect(() => JSON.parse(text)).toThrow(SyntaxError)
  })

  it('a custom fault sends the given status and __type', async () => {
    emulator.faults.fail({ status: 400, type: 'DecryptionFailure', message: 'cannot decrypt' })
    const { response, json } = await call('GetSecretValue', { SecretId: 'x' })
    expect(response.status).toBe(400)
    expect(json()).toEqual({ __type: 'DecryptionFailure', Message: 'cannot decrypt' })
  })

  it('a custom fault can send an empty body or a raw one', async () => {
    emulator.faults.fail({ status: 429 })
    emulator.faults.fail({ status: 200, body: '{"Name":"trunc' })
    const empty = await call('GetSecretValue', { SecretId: 'x' })
    expect(empty.response.status).toBe(429)
    expect(empty.text).toBe('')
    const raw = await call('GetSecretValue', { SecretId: 'x' })
    expect(raw.response.status).toBe(200)
    expect(raw.text).toBe('{"Name":"trunc')
  })

  it('a dropped connection ends without any response', async () => {
    emulator.faults.drop()
    await expect(call('GetSecretValue', { SecretId: 'x' })).rejects.toThrow(TypeError)
    expect(emulator.calls().at(-1)).toMatchObject({ operation: 'GetSecretValue', status: 0, fault: 'drop' })
  })
})
