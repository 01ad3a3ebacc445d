import { request } from 'node:http'
import { ErrorCode, SecretError } from '@latchkey/core'
import { canary, thrownBy } from '@latchkey/test-support'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type LambdaExtensionEmulator, startLambdaExtensionEmulator } from './emulator.js'

let extension: LambdaExtensionEmulator
let now = 1_767_225_600_000

beforeAll(async () => {
  extension = await startLambdaExtensionEmulator({ clock: () => now, cacheTtl: 1_000 })
})
afterAll(() => extension.close())
beforeEach(() => {
  extension.faults.reset()
  extension.resetCalls()
  extension.clearCache()
  extension.setPhase('invoke')
})

function get(path: string, token: string | null = extension.token, method = 'GET') {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(`${extension.endpoint}${path}`, {
      method,
      headers: token === null ? {} : { 'X-Aws-Parameters-Secrets-Token': token },
    })
    req.on('error', reject)
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.end()
  })
}

describe('the Lambda extension emulator on the wire', () => {
  it('serves GetSecretValue JSON by stage and id, and refuses a missing or wrong token with 401', async () => {
    const one = canary('wire-1')
    const two = canary('wire-2')
    const { versionId: v1 } = extension.putSecret('app/key', one)
    extension.rotate('app/key', two)
    const current = JSON.parse((await get('/secretsmanager/get?secretId=app%2Fkey')).body)
    expect(current).toMatchObject({ Name: 'app/key', SecretString: two, VersionStages: ['AWSCURRENT'] })
    const previous = JSON.parse(
      (await get('/secretsmanager/get?secretId=app/key&versionStage=AWSPREVIOUS')).body,
    )
    expect(previous).toMatchObject({ VersionId: v1, SecretString: one })
    expect((await get(`/secretsmanager/get?secretId=app/key&versionId=${v1}`)).status).toBe(200)
    expect((await get('/secretsmanager/get?secretId=app/key', null)).status).toBe(401)
    expect((await get('/secretsmanager/get?secretId=app/key', 'wrong')).status).toBe(401)
    expect(extension.calls().map((c) => c.authorized)).toEqual([true, true, true, false, false])
  })

  it('answers unknown secrets and parameters with the service error in a 400 text body', async () => {
    const secret = await get('/secretsmanager/get?secretId=none')
    expect(secret).toMatchObject({ status: 400 })
    expect(secret.body).toContain('ResourceNotFoundException')
    expect((await get('/systemsmanager/parameters/get?name=/none')).body).toContain('ParameterNotFound')
    expect((await get('/secretsmanager/get')).status).toBe(400)
  })

  it('serves parameters, decrypting only with withDecryption=true', async () => {
    const value = canary('wire-param')
    extension.putParameter('/p', value, { type: 'SecureString' })
    const plain = JSON.parse((await get('/systemsmanager/parameters/get?name=/p&withDecryption=true')).body)
    expect(plain.Parameter).toMatchObject({ Name: '/p', Type: 'SecureString', Value: value, Version: 1 })
    const cipher = JSON.parse((await get('/systemsmanager/parameters/get?name=/p')).body)
    expect(cipher.Parameter.Value).not.toBe(value)
  })

  it('caches answers for cacheTtl, as the extension does', async () => {
    extension.putSecret('cached', canary('c1'))
    await get('/secretsmanager/get?secretId=cached')
    extension.rotate('cached', canary('c2'))
    await get('/secretsmanager/get?secretId=cached')
    now += 1_000
    const fresh = JSON.parse((await get('/secretsmanager/get?secretId=cached')).body)
    expect(extension.calls().map((c) => c.cached)).toEqual([false, true, false])
    expect(fresh.VersionStages).toEqual(['AWSCURRENT'])
  })

  it('answers 400 "not ready" in the init phase, 404 for other paths, 405 for other methods', async () => {
    extension.putSecret('phase', canary('phase'))
    extension.setPhase('init')
    const early = await get('/secretsmanager/get?secretId=phase')
    expect(early.status).toBe(400)
    expect(early.body).toContain('not ready')
    extension.setPhase('invoke')
    expect((await get('/elsewhere')).status).toBe(404)
    expect((await get('/secretsmanager/get?secretId=phase', extension.token, 'POST')).status).toBe(405)
  })

  it('injects faults per operation and drops connections', async () => {
    extension.putSecret('f', canary('fault'))
    extension.faults.fail('throttling', { operation: 'GetSecretValue' })
    expect((await get('/secretsmanager/get?secretId=f')).body).toContain('ThrottlingException')
    extension.faults.fail({ status: 503, type: 'ServiceUnavailable', message: 'busy' })
    expect(await get('/secretsmanager/get?secretId=f')).toEqual({
      status: 503,
      body: 'ServiceUnavailable: busy',
    })
    extension.faults.drop()
    await expect(get('/secretsmanager/get?secretId=f')).rejects.toThrow()
    expect(extension.calls().map((c) => c.fault)).toEqual(['throttling', 'custom', 'drop'])
  })

  it('checks its options and fault arguments', async () => {
    for (const run of [
      () => extension.faults.fail('nope' as never),
      () => extension.faults.fail({ status: 99 }),
      () => extension.faults.setLatency(-1),
      () => extension.setPhase('frozen' as never),
      () => extension.rotate('never-created', 'x'),
    ]) {
      expect(thrownBy(run, SecretError).code).toBe(ErrorCode.INVALID_OPTIONS)
    }
    await expect(startLambdaExtensionEmulator({ cacheTtl: -1 })).rejects.toMatchObject({
      code: ErrorCode.INVALID_OPTIONS,
    })
  })
})
