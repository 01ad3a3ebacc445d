import 'reflect-metadata'
import { readdirSync, readFileSync } from 'node:fs'
import { inspect } from 'node:util'
import { CachedSecretProvider, SecretPreloadError } from '@latchkey/core'
import { assertNoCanary, canary, rejectionOf } from '@latchkey/test-support'
import { Controller, Get, type INestApplication, Inject } from '@nestjs/common'
import { ConfigModule, ConfigService, type ConfigType } from '@nestjs/config'
import { Test } from '@nestjs/testing'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { CapturingLogger, sha256, startApp, TrackedSource } from '../test/support.js'
import { SecretsModule, secretsLoader } from './index.js'

function secrets() {
  const values = { password: canary('cfg-password'), user: canary('cfg-user'), apiKey: canary('cfg-api-key') }
  const source = new TrackedSource({
    'db/password': values.password,
    'db/creds': JSON.stringify({ username: values.user }),
    'api/key': values.apiKey,
  })
  const provider = new CachedSecretProvider(source)
  closing.push(provider)
  return { values, source, provider }
}

const closing: Array<{ close(): Promise<unknown> }> = []

/** Boots an app whose ConfigModule loads `loaders` (no .env file). */
function bootLoaded(...loaders: Array<ReturnType<typeof secretsLoader>>): Promise<INestApplication> {
  return boot([ConfigModule.forRoot({ ignoreEnvFile: true, load: loaders })])
}

async function boot(imports: unknown[], controllers: unknown[] = []): Promise<INestApplication> {
  const app = await startApp(imports, new CapturingLogger(), controllers)
  closing.push(app)
  return app
}

@Controller('config')
class ConfigController {
  constructor(@Inject(ConfigService) private readonly config: ConfigService) {}

  @Get()
  read() {
    return {
      password: sha256(this.config.getOrThrow<string>('database.password')),
      user: sha256(this.config.getOrThrow<string>('database.user')),
    }
  }
}

afterEach(async () => {
  for (const item of closing.splice(0).reverse()) await item.close()
})

describe('secretsLoader with @nestjs/config', () => {
  it('puts namespaced secrets into ConfigService, readable over HTTP', async () => {
    const { values, provider } = secrets()
    const database = secretsLoader({
      provider,
      namespace: 'database',
      secrets: { password: 'db/password', user: 'db/creds#username' },
    })
    const app = await boot(
      [ConfigModule.forRoot({ ignoreEnvFile: true, load: [database] })],
      [ConfigController],
    )

    const res = await request(app.getHttpServer()).get('/config')
    assertNoCanary(res.text, 'the /config response')
    expect(res.body).toEqual({ password: sha256(values.password), user: sha256(values.user) })
  })

  it('returns the rotated value from ConfigService.get after a rotation (no snapshot)', async () => {
    const { values, source, provider } = secrets()
    const app = await bootLoaded(
      secretsLoader({ provider, namespace: 'database', secrets: { password: 'db/password' } }),
    )
    const config = app.get(ConfigService)
    expect(config.get('database.password')).toBe(values.password)

    const rotated = canary('cfg-password-2')
    source.set('db/password', rotated)
    await provider.refresh('db/password')

    expect(config.get('database.password')).toBe(rotated)
    expect(config.get<{ password: string }>('database')?.password).toBe(rotated)
  })

  it('keeps grouped secrets live without a namespace', async () => {
    const { values, source, provider } = secrets()
    const app = await bootLoaded(
      secretsLoader({
        provider,
        secrets: {
          database: { password: 'db/password', user: 'db/creds#username' },
          api: { key: 'api/key' },
        },
      }),
    )
    const config = app.get(ConfigService)
    expect(config.get('api.key')).toBe(values.apiKey)
    expect(config.get('database.user')).toBe(values.user)

    const rotated = canary('cfg-api-key-2')
    source.set('api/key', rotated)
    await provider.refresh('api/key')
    expect(config.get('api.key')).toBe(rotated)
  })

  it('can be injected by KEY like registerAs(), typed with ConfigType', async () => {
    const { values, provider } = secrets()
    const database = secretsLoader({ provider, namespace: 'database', secrets: { password: 'db/password' } })
    expect(database.KEY).toBe('CONFIGURATION(database)')

    @Controller('typed')
    class TypedController {
      constructor(@Inject(database.KEY) private readonly db: ConfigType<typeof database>) {}
      @Get()
      read() {
        const password: string = this.db.password
        return { password: sha256(password) }
      }
    }
    const app = await boot(
      [ConfigModule.forRoot({ ignoreEnvFile: true, load: [database] })],
      [TypedController],
    )

    const res = await request(app.getHttpServer()).get('/typed')
    assertNoCanary(res.text, 'the /typed response')
    expect(res.body).toEqual({ password: sha256(values.password) })
  })

  it('works with ConfigModule.forFeature()', async () => {
    const { values, provider } = secrets()
    const app = await boot([
      ConfigModule.forRoot({ ignoreEnvFile: true }),
      ConfigModule.forFeature(secretsLoader({ provider, namespace: 'api', secrets: { key: 'api/key' } })),
    ])
    expect(app.get(ConfigService).get('api.key')).toBe(values.apiKey)
  })

  it('hides values from JSON.stringify, spreading, Object.keys and util.inspect of the config object', async () => {
    const { provider } = secrets()
    const app = await bootLoaded(
      secretsLoader({
        provider,
        namespace: 'database',
        secrets: { password: 'db/password', nested: { user: 'db/creds#username' } },
      }),
    )
    const database = app.get(ConfigService).get<object>('database')

    expect(JSON.stringify(database)).toBe('{"nested":{}}')
    expect(Object.keys({ ...database })).toEqual(['nested'])
    assertNoCanary(
      `${inspect(database, { showHidden: false, depth: 5 })} ${JSON.stringify(database)}`,
      'printed config',
    )
  })

  it('shares the cache with SecretsModule when both get the same provider', async () => {
    const { source, provider } = secrets()
    await boot([
      SecretsModule.forRoot({ provider, isGlobal: true, preload: ['db/password'] }),
      ConfigModule.forRoot({
        ignoreEnvFile: true,
        load: [secretsLoader({ provider, namespace: 'database', secrets: { password: 'db/password' } })],
      }),
    ])
    expect(source.loaded).toEqual(['db/password'])
  })

  it('builds its own provider from { source }', async () => {
    const { values, source } = secrets()
    const app = await bootLoaded(
      secretsLoader({ source, ttl: 60_000, namespace: 'database', secrets: { password: 'db/password' } }),
    )
    expect(app.get(ConfigService).get('database.password')).toBe(values.password)
  })

  it('fails startup with one SecretPreloadError naming every missing secret', async () => {
    const { provider } = secrets()
    const logger = new CapturingLogger()
    const failure = Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({
          ignoreEnvFile: true,
          load: [
            secretsLoader({
              provider,
              namespace: 'database',
              secrets: { password: 'db/password', replica: 'db/replica-password', user: 'db/creds#missing' },
            }),
          ],
        }),
      ],
    })
      .setLogger(logger)
      .compile()

    const error = await rejectionOf(failure, SecretPreloadError)
    expect((error as SecretPreloadError).errors.map((e) => [e.secretName, e.code])).toEqual([
      ['db/replica-password', 'ERR_SECRET_NOT_FOUND'],
      ['db/creds#missing', 'ERR_SECRET_INVALID_JSON'],
    ])
    assertNoCanary(`${inspect(error, { depth: 5 })}\n${logger.text}`, 'the startup error')
  })

  it('rejects options it cannot honour when called', () => {
    const { provider } = secrets()
    expect(() => secretsLoader({ provider, secrets: { password: 'db/password' } })).toThrow(
      expect.objectContaining({
        code: 'ERR_SECRET_INVALID_OPTIONS',
        message: expect.stringContaining('namespace'),
      }),
    )
    expect(() => secretsLoader({ provider, namespace: '', secrets: { password: 'db/password' } })).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_INVALID_OPTIONS' }),
    )
    expect(() => secretsLoader({ provider, namespace: 'db', secrets: {} })).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_INVALID_OPTIONS' }),
    )
    expect(() => secretsLoader({ provider, namespace: 'db', secrets: { bad: 'a#b#c' } })).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_INVALID_NAME' }),
    )
    expect(() =>
      secretsLoader({ namespace: 'db', secrets: { password: 'db/password' } } as unknown as Parameters<
        typeof secretsLoader
      >[0]),
    ).toThrow(expect.objectContaining({ code: 'ERR_SECRET_INVALID_OPTIONS' }))
  })

  it('does not import @nestjs/config, an optional peer', () => {
    const sources = readdirSync(new URL('.', import.meta.url)).filter(
      (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
    )
    expect(sources.length).toBeGreaterThan(5)
    for (const file of sources) {
      expect(readFileSync(new URL(file, import.meta.url), 'utf8'), file).not.toMatch(/from '@nestjs\/config'/)
    }
  })
})
