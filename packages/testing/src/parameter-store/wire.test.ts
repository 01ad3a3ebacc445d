import { assertNoCanary, canary } from '@latchkey/test-support'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  PARAMETER_STORE_MAX_REQUEST_BYTES,
  type ParameterStoreEmulator,
  startParameterStoreEmulator,
} from './index.js'

let emulator: ParameterStoreEmulator
let counter = 0
const unique = (label: string) => `/wire/${label}-${++counter}`

beforeAll(async () => {
  emulator = await startParameterStoreEmulator({ clock: () => 1_700_000_000_500 })
})
afterAll(() => emulator.close())
beforeEach(() => {
  emulator.faults.reset()
  emulator.resetCalls()
})

/** One raw awsJson1_1 call, as the SDK would make it (minus the signature, which is not checked). */
async function call(operation: string, body: object | string = {}, headers: Record<string, string> = {}) {
  const response = await fetch(`${emulator.endpoint}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `AmazonSSM.${operation}`,
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  return { response, text, json: () => JSON.parse(text) as Record<string, unknown> }
}

describe('transport', () => {
  it('answers POST / with the awsJson1_1 content type, an x-amzn-RequestId and epoch-second dates', async () => {
    const name = unique('headers')
    emulator.putParameter(name, canary('headers'))
    const { response, json } = await call('GetParameter', { Name: name })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1')
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    expect(json().Parameter).toMatchObject({
      Name: name,
      Type: 'String',
      Version: 1,
      LastModifiedDate: 1_700_000_000.5,
    })
  })

  it('serves unsigned requests from the default Region and refuses an Authorization header without a credential scope', async () => {
    const name = unique('unsigned')
    emulator.putParameter(name, canary('unsigned'))
    expect((await call('GetParameter', { Name: name })).response.status).toBe(200)
    const unscoped = await call(
      'GetParameter',
      { Name: name },
      { Authorization: 'AWS4-HMAC-SHA256 Signature=abc' },
    )
    expect(unscoped.response.status).toBe(400)
    expect(unscoped.json().__type).toBe('IncompleteSignatureException')
    expect(emulator.calls().map((c) => c.region)).toEqual(['us-east-1', 'us-east-1'])
  })

  it('answers an unknown target, a GET and a body that is not JSON with the service errors', async () => {
    expect((await call('GetSecretValue', {})).json().__type).toBe('UnknownOperationException')
    const get = await fetch(`${emulator.endpoint}/`)
    expect(get.status).toBe(404)
    const notJson = await call('GetParameter', '{"Name":')
    expect(notJson.response.status).toBe(400)
    expect(notJson.json().__type).toBe('SerializationException')
  })

  it(`refuses a body over ${PARAMETER_STORE_MAX_REQUEST_BYTES} bytes with 413 RequestEntityTooLargeException`, async () => {
    const big = await call('PutParameter', {
      Name: unique('big'),
      Value: 'x'.repeat(PARAMETER_STORE_MAX_REQUEST_BYTES),
    })
    expect(big.response.status).toBe(413)
    expect(big.json().__type).toBe('RequestEntityTooLargeException')
  })
})

describe('errors and values on the wire', () => {
  it('answers a missing parameter with 400 {"__type":"ParameterNotFound"} and no message', async () => {
    const { response, json } = await call('GetParameter', { Name: unique('absent') })
    expect(response.status).toBe(400)
    expect(json()).toEqual({ __type: 'ParameterNotFound' })
  })

  it('names error text "message" (lower case)', async () => {
    const { json } = await call('GetParameters', { Names: Array.from({ length: 11 }, (_, i) => `/n${i}`) })
    expect(json()).toEqual({
      __type: 'ValidationException',
      message:
        "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to 10",
    })
  })

  it('sends a SecureString as ciphertext-like base64 without WithDecryption, different per version, never the value', async () => {
    const name = unique('cipher')
    const one = canary('cipher1')
    emulator.putParameter(name, one, { type: 'SecureString' })
    const first = (await call('GetParameter', { Name: name })).json().Parameter as { Value: string }
    emulator.rotate(name, canary('cipher2'))
    const second = (await call('GetParameter', { Name: name })).json().Parameter as { Value: string }
    for (const text of [first.Value, second.Value]) {
      expect(text).toMatch(/^[A-Za-z0-9+/]{40,}=*$/)
      assertNoCanary(Buffer.from(text, 'base64').toString('latin1'), 'a SecureString read without decryption')
    }
    expect(first.Value).not.toBe(second.Value)
    const plain = (await call('GetParameter', { Name: name, WithDecryption: true })).json().Parameter
    expect(plain).toMatchObject({ Version: 2, Type: 'SecureString' })
  })

  it('GetParametersByPath: MaxResults 1–10, an invalid NextToken, a path without "/", and ParameterFilters', async () => {
    const root = unique('paths')
    for (let i = 0; i < 3; i++) emulator.putParameter(`${root}/p${i}`, canary('p'))
    const first = (await call('GetParametersByPath', { Path: root, MaxResults: 2 })).json()
    expect((first.Parameters as unknown[]).length).toBe(2)
    const second = (
      await call('GetParametersByPath', { Path: root, MaxResults: 2, NextToken: first.NextToken })
    ).json()
    expect(second).not.toHaveProperty('NextToken')
    expect((second.Parameters as Array<{ Name: string }>).map((p) => p.Name)).toEqual([`${root}/p2`])
    expect((await call('GetParametersByPath', { Path: root, MaxResults: 0 })).json().__type).toBe(
      'ValidationException',
    )
    expect((await call('GetParametersByPath', { Path: root, NextToken: 'bm9wZQ' })).json().__type).toBe(
      'InvalidNextToken',
    )
    expect((await call('GetParametersByPath', { Path: 'relative' })).json().__type).toBe(
      'ValidationException',
    )
    const filters = await call('GetParametersByPath', { Path: root, ParameterFilters: [{ Key: 'Type' }] })
    expect(filters.response.status).toBe(400)
  })
})

describe('PutParameter and LabelParameterVersion rules', () => {
  it('needs a Type to create, and keeps values within the tier limit (4,096 standard, 8,192 advanced)', async () => {
    expect((await call('PutParameter', { Name: unique('untyped'), Value: 'x' })).json().__type).toBe(
      'ValidationException',
    )
    const standard = await call('PutParameter', {
      Name: unique('big'),
      Value: 'x'.repeat(4097),
      Type: 'String',
    })
    expect(standard.json().__type).toBe('ValidationException')
    const advanced = await call('PutParameter', {
      Name: unique('big'),
      Value: 'x'.repeat(8192),
      Type: 'String',
      Tier: 'Advanced',
    })
    expect(advanced.json()).toEqual({ Version: 1, Tier: 'Advanced' })
    const badType = await call('PutParameter', { Name: unique('type'), Value: 'x', Type: 'Binary' })
    expect(badType.json().__type).toBe('ValidationException')
  })

  it('keeps 100 versions: the oldest unlabeled one makes room; a labeled oldest one refuses', async () => {
    const name = unique('versions')
    for (let i = 0; i < 100; i++) emulator.putParameter(name, `v${i}`)
    emulator.putParameter(name, 'v100')
    expect(emulator.versions(name).map((v) => v.version)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 2),
    )
    emulator.labelParameterVersion(name, ['keep'], { version: 2 })
    const refused = await call('PutParameter', { Name: name, Value: 'v101', Overwrite: true })
    expect(refused.json().__type).toBe('ParameterMaxVersionLimitExceeded')
  })

  it('allows 10 labels per version and reports invalid labels without failing', async () => {
    const name = unique('labels')
    emulator.putParameter(name, canary('labels'))
    const ten = Array.from({ length: 10 }, (_, i) => `l${i}`)
    const labelled = (
      await call('LabelParameterVersion', { Name: name, Labels: [...ten.slice(0, 9), '9lives'] })
    ).json()
    expect(labelled).toEqual({ InvalidLabels: ['9lives'], ParameterVersion: 1 })
    expect((await call('LabelParameterVersion', { Name: name, Labels: ['l9'] })).response.status).toBe(200)
    const eleventh = await call('LabelParameterVersion', { Name: name, Labels: ['l10'] })
    expect(eleventh.json().__type).toBe('ParameterVersionLabelLimitExceeded')
    const missing = await call('LabelParameterVersion', { Name: name, ParameterVersion: 5, Labels: ['x'] })
    expect(missing.json().__type).toBe('ParameterVersionNotFound')
  })
})
