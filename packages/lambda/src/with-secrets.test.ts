import {
  CachedSecretProvider,
  ErrorCode,
  MemorySource,
  SecretError,
  SecretPreloadError,
} from '@latchkey/core'
import { assertNoCanary, canary, printed, rejectionOf, thrownBy } from '@latchkey/test-support'
import { startLambdaExtensionEmulator } from '@latchkey/testing'
import middy6 from 'middy6'
import middy7 from 'middy7'
import { describe, expect, it } from 'vitest'
import { type MiddyMajor, middyMajorsForThisNode } from '../test/middy-majors.js'
import { LambdaExtensionSource, secrets, withSecrets } from './index.js'

const lambdaContext = (remaining = 3_000) => {
  const deadline = Date.now() + remaining
  return { getRemainingTimeInMillis: () => deadline - Date.now(), awsRequestId: 'test' }
}

describe('withSecrets(handler, options)', () => {
  it('puts one handle per key on the context and passes the event and result through', async () => {
    const password = canary('password')
    const source = new MemorySource({ 'prod/db': JSON.stringify({ username: 'app', password }) })
    const handler = withSecrets(
      async (event: { id: number }, context) => ({
        id: event.id,
        user: context.secrets.db.json<{ username: string }>().username,
        password: context.secrets.password.reveal(),
      }),
      { source, secrets: { db: 'prod/db', password: 'prod/db#password' } },
    )
    expect(await handler({ id: 7 }, lambdaContext())).toEqual({ id: 7, user: 'app', password })
    expect(await handler({ id: 8 }, lambdaContext())).toMatchObject({ id: 8 })
    expect(source.loads).toBe(1)
    await handler.provider.close()
  })

  it('never prints a value through the context', async () => {
    const value = canary('printed')
    const context = lambdaContext()
    const handler = withSecrets(async (_e: unknown, ctx) => printed(ctx) + printed(ctx.secrets), {
      source: new MemorySource({ key: value }),
      secrets: { key: 'key' },
    })
    assertNoCanary(await handler({}, context))
    assertNoCanary(printed(context))
    await handler.provider.close()
  })

  it('shares a provider the app built, and leaves it open', async () => {
    const provider = new CachedSecretProvider(new MemorySource({ a: canary('shared') }))
    const handler = withSecrets(async (_e: unknown, ctx) => ctx.secrets.a.version, {
      provider,
      secrets: { a: 'a' },
    })
    expect(await handler({}, lambdaContext())).toBe('v1')
    expect(handler.provider).toBe(provider)
    await provider.close()
  })

  it('a secret that does not exist rejects the invocation with SecretPreloadError naming it; the handler is not called', async () => {
    let called = 0
    const handler = withSecrets(
      async () => {
        called++
      },
      { source: new MemorySource({}), secrets: { missing: 'no/such' } },
    )
    const error = await rejectionOf(handler({}, lambdaContext()), SecretPreloadError)
    expect(error.errors.map((e) => [e.secretName, e.code])).toEqual([['no/such', ErrorCode.NOT_FOUND]])
    expect(called).toBe(0)
    await handler.provider.close()
  })

  it('the first invocation waits for the init-phase load within its deadline: a hung load times it out once, not after a second budget', async () => {
    const source = new MemorySource({ a: canary('hung') })
    let loads = 0
    source.load = (_name: string, ctx) => {
      loads++
      return new Promise((_resolve, reject) => {
        ctx?.signal.addEventListener('abort', () => reject(ctx.signal.reason))
      })
    }
    const handler = withSecrets(async () => 'never', { source, secrets: { a: 'a' }, timeout: 10_000 })
    const started = Date.now()
    // 800 ms left less the 500 ms margin: 300 ms to wait
    const error = await rejectionOf(handler({}, lambdaContext(800)), SecretPreloadError)
    const took = Date.now() - started
    expect(error.errors.map((e) => e.code)).toEqual([ErrorCode.TIMEOUT])
    expect(took).toBeGreaterThanOrEqual(290)
    expect(took).toBeLessThan(580)
    expect(loads).toBe(1)
    await handler.provider.close()
  })

  it('an init-phase load that failed is loaded again by the first invocation, which then succeeds', async () => {
    const value = canary('second')
    const source = new MemorySource({ a: value })
    const load = source.load.bind(source)
    let calls = 0
    source.load = async (name: string, ctx) => {
      calls++
      if (calls === 1) throw new SecretError(ErrorCode.UNAVAILABLE, 'not yet', true, { secretName: name })
      return load(name, ctx)
    }
    const handler = withSecrets(async (_e: unknown, ctx) => ctx.secrets.a.reveal(), {
      source,
      secrets: { a: 'a' },
      retry: { retries: 0 },
    })
    expect(await handler({}, lambdaContext())).toBe(value)
    expect(calls).toBe(2)
    await handler.provider.close()
  })

  it('a throwing handler rejects with its own error', async () => {
    const boom = new Error('handler failed')
    const handler = withSecrets(
      () => {
        throw boom
      },
      { source: new MemorySource({ a: canary('t') }), secrets: { a: 'a' } },
    )
    expect(await rejectionOf(handler({}, lambdaContext()))).toBe(boom)
    await handler.provider.close()
  })

  it('works with a context without getRemainingTimeInMillis (a local call)', async () => {
    const handler = withSecrets(async (_e: unknown, ctx) => ctx.secrets.a.loaded, {
      source: new MemorySource({ a: canary('local') }),
      secrets: { a: 'a' },
    })
    expect(await handler({}, {})).toBe(true)
    await handler.provider.close()
  })

  it('without a deadline in the context, a failing store fails the invocation after the retry policy (no endless retries)', async () => {
    const source = new MemorySource({})
    source.load = async (name: string) => {
      throw new SecretError(ErrorCode.UNAVAILABLE, `${name} is unavailable`, true, { secretName: name })
    }
    const handler = withSecrets(async () => 'never', {
      source,
      secrets: { a: 'a' },
      retry: { retries: 1, baseDelay: 1, maxDelay: 1 },
      preloadAtInit: false,
    })
    const error = await rejectionOf(handler({}, {}), SecretPreloadError)
    expect(error.errors[0]?.code).toBe(ErrorCode.UNAVAILABLE)
    await handler.provider.close()
  })

  it('with LambdaExtensionSource loads at the first invocation, not at init (the extension is not up yet)', async () => {
    const extension = await startLambdaExtensionEmulator({ cacheTtl: 0 })
    try {
      const value = canary('ext')
      extension.putSecret('prod/api', value)
      extension.setPhase('init')
      const handler = withSecrets(async (_e: unknown, ctx) => ctx.secrets.api.reveal(), {
        source: new LambdaExtensionSource({ env: extension.env }),
        secrets: { api: 'prod/api' },
      })
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(extension.callCount()).toBe(0)
      extension.setPhase('invoke')
      expect(await handler({}, lambdaContext())).toBe(value)
      expect(extension.callCount('GetSecretValue')).toBe(1)
      await handler.provider.close()
    } finally {
      await extension.close()
    }
  })
})

describe('bad input', () => {
  const source = new MemorySource({ a: 'x' })
  it.each([
    [
      'a handler that is not a function',
      () => withSecrets('nope' as never, { source, secrets: { a: 'a' } }),
      'handler',
    ],
    ['no options', () => withSecrets(async () => 1, undefined as never), 'options'],
    [
      'unknown options',
      () => withSecrets(async () => 1, { source, secrets: { a: 'a' }, ttl: 1_000, tll: 5 } as never),
      'tll',
    ],
    [
      'secrets not an object',
      () => withSecrets(async () => 1, { source, secrets: ['a'] } as never),
      'secrets',
    ],
    [
      'a secret name that is not a string',
      () => withSecrets(async () => 1, { source, secrets: { a: 5 } } as never),
      'secrets.a',
    ],
    ['no secrets', () => withSecrets(async () => 1, { source, secrets: {} }), 'secrets'],
    [
      'a bad deadlineMargin',
      () => withSecrets(async () => 1, { source, secrets: { a: 'a' }, deadlineMargin: -1 }),
      'deadlineMargin',
    ],
    [
      'a bad preloadAtInit',
      () => withSecrets(async () => 1, { source, secrets: { a: 'a' }, preloadAtInit: 'yes' } as never),
      'preloadAtInit',
    ],
    [
      'neither provider nor source',
      () => withSecrets(async () => 1, { secrets: { a: 'a' } } as never),
      'provider',
    ],
    [
      'middy: unknown options',
      () => secrets({ source, secrets: { a: 'a' }, contextKey: 'x' } as never),
      'contextKey',
    ],
  ])('%s → ERR_SECRET_INVALID_OPTIONS naming it', (_what, run, named) => {
    const error = thrownBy(run, SecretError)
    expect(error.code).toBe(ErrorCode.INVALID_OPTIONS)
    expect(error.message).toContain(named)
  })

  it('an empty secret name → ERR_SECRET_INVALID_NAME', () => {
    expect(thrownBy(() => withSecrets(async () => 1, { source, secrets: { a: '' } }), SecretError).code).toBe(
      ErrorCode.INVALID_NAME,
    )
  })
})

// Each installed @middy/core major runs on the Node.js lines its engines admit: 6 on every line,
// 7 (engines >=22) on the 22 and 24 lines (test/middy-majors.ts).
const middyByAlias: Record<MiddyMajor['alias'], typeof middy6> = {
  middy6,
  middy7: middy7 as unknown as typeof middy6,
}
describe.each(
  middyMajorsForThisNode().map((m) => [`@middy/core ${m.version}`, middyByAlias[m.alias]] as const),
)('secrets(options) with %s (real middy)', (_version, middyOf) => {
  it('sets context.secrets before the handler; failures reach onError', async () => {
    const value = canary('middy')
    const middleware = secrets({
      source: new MemorySource({ 'prod/key': value }),
      secrets: { key: 'prod/key' },
    })
    const handler = middyOf()
      .use(middleware)
      .handler(async (_event: unknown, context) => {
        return (context as unknown as { secrets: { key: { reveal(): string } } }).secrets.key.reveal()
      })
    expect(await handler({}, lambdaContext() as never)).toBe(value)

    const seen: string[] = []
    const failing = middyOf()
      .use(secrets({ source: new MemorySource({}), secrets: { key: 'gone' } }))
      .onError(async (request) => {
        seen.push((request.error as SecretError).code)
      })
      .handler(async () => 'never')
    await expect(failing({}, lambdaContext() as never)).rejects.toBeInstanceOf(SecretPreloadError)
    expect(seen).toEqual([ErrorCode.PRELOAD])
    await middleware.provider.close()
  })
})
