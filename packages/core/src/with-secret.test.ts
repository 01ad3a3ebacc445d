import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { assertNoCanary, canary, printed, rejectionOf } from '@latchkey/test-support'
import { afterEach, describe, expect, it } from 'vitest'
import { CachedSecretProvider, InvalidOptionsError, MemorySource, withSecret } from './index.js'

/** A real HTTP API that accepts one key at a time (401 for any other), rotated by the test. */
async function keyedApi(firstKey: string) {
  let accepted = firstKey
  const seen: string[] = []
  const server: Server = createServer((req, res) => {
    const key = String(req.headers.authorization ?? '').replace(/^Bearer /, '')
    seen.push(key)
    if (key === accepted) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    } else {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"invalid api key"}')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/charges`
  return {
    seen,
    rotate(key: string) {
      accepted = key
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    async call(key: string) {
      const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } })
      if (!res.ok) throw Object.assign(new Error(`API answered ${res.status}`), { status: res.status })
      return (await res.json()) as { ok: boolean }
    },
  }
}

const isRefused = (error: unknown) => [401, 403].includes((error as { status?: number }).status ?? 0)
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

function countingProvider(initial: string, minRefreshInterval = 1_000) {
  const source = new MemorySource({ 'api/key': initial })
  let loads = 0
  const load = source.load.bind(source)
  source.load = (name, ctx) => {
    loads++
    return load(name, ctx)
  }
  const provider = new CachedSecretProvider(source, { minRefreshInterval })
  closers.push(() => provider.close())
  return {
    source,
    provider,
    get loads() {
      return loads
    },
  }
}

describe('withSecret against a real HTTP API that rotates its key', () => {
  it('a 401 after the key rotated: one refresh, one retry with the new key, the caller sees success', async () => {
    const oldKey = canary('api-old')
    const newKey = canary('api-new')
    const api = await keyedApi(oldKey)
    closers.push(api.close)
    const counts = countingProvider(oldKey)
    const { source, provider } = counts
    expect(await withSecret(provider, 'api/key', (key) => api.call(key), { isRefused })).toEqual({ ok: true })
    source.set('api/key', newKey)
    api.rotate(newKey)
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        withSecret(provider, 'api/key', (key) => api.call(key), { isRefused }),
      ),
    )
    expect(results).toEqual(Array(50).fill({ ok: true }))
    // 1 initial load + 1 forced refresh shared by all 50 refused calls.
    expect(counts.loads).toBe(2)
    expect(api.seen.filter((key) => key === newKey).length).toBe(50)
    expect(api.seen.filter((key) => key === oldKey).length).toBe(51)
  })

  it('refused and the refresh brings the same key: the original 401 error, no second call', async () => {
    const key = canary('api-same')
    const api = await keyedApi(canary('api-other'))
    closers.push(api.close)
    const { provider } = countingProvider(key, 0)
    const error = await rejectionOf(withSecret(provider, 'api/key', (k) => api.call(k), { isRefused }))
    expect((error as { status?: number }).status).toBe(401)
    expect(api.seen).toEqual([key])
    assertNoCanary(printed(error))
  })

  it('a failure not marked as refused is rethrown as it is, without a refresh', async () => {
    const counts = countingProvider(canary('api-500'))
    const { provider } = counts
    const boom = Object.assign(new Error('API answered 500'), { status: 500 })
    let calls = 0
    const error = await rejectionOf(
      withSecret(
        provider,
        'api/key',
        () => {
          calls++
          throw boom
        },
        { isRefused },
      ),
    )
    expect(error).toBe(boom)
    expect(calls).toBe(1)
    expect(counts.loads).toBe(1)
  })

  it('an isRefused that throws counts as not refused; the call error is rethrown', async () => {
    const counts = countingProvider(canary('api-pred'))
    const { provider } = counts
    const boom = new Error('API answered 401')
    const error = await rejectionOf(
      withSecret(provider, 'api/key', () => Promise.reject(boom), {
        isRefused: () => {
          throw new Error('predicate broke')
        },
      }),
    )
    expect(error).toBe(boom)
    expect(counts.loads).toBe(1)
  })

  it('the retry is made once only: a second refusal is the caller’s error', async () => {
    const { source, provider } = countingProvider(canary('api-a'), 0)
    let calls = 0
    const error = await rejectionOf(
      withSecret(
        provider,
        'api/key',
        () => {
          calls++
          source.set('api/key', canary(`api-b${calls}`))
          return Promise.reject(Object.assign(new Error('API answered 401'), { status: 401 }))
        },
        { isRefused },
      ),
    )
    expect((error as { status?: number }).status).toBe(401)
    expect(calls).toBe(2)
  })

  const bad: [string, unknown[], string][] = [
    ['provider without refresh', [{ getSecret: async () => 'x' }, 'n', () => 1, { isRefused }], 'provider'],
    ['empty name', [null, '', () => 1, { isRefused }], 'name'],
    ['call not a function', [null, 'n', 'fetch', { isRefused }], 'call'],
    ['missing isRefused', [null, 'n', () => 1, {}], 'isRefused'],
    ['unknown option', [null, 'n', () => 1, { isRefused, retries: 3 }], 'retries'],
    ['options not an object', [null, 'n', () => 1, 401], 'options'],
  ]
  it.each(bad)('%s: ERR_SECRET_INVALID_OPTIONS naming it', async (_label, args, named) => {
    const { provider } = countingProvider(canary('api-bad'))
    const [p, ...rest] = args
    const error = await rejectionOf(
      (withSecret as (...a: unknown[]) => Promise<unknown>)(p ?? provider, ...rest),
      InvalidOptionsError,
    )
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toContain(named)
  })
})
