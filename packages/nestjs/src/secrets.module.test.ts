import 'reflect-metadata'
import { inspect } from 'node:util'
import {
  CachedSecretProvider,
  EnvSource,
  MemorySource,
  type RotateEvent,
  SecretHandle,
  SecretPreloadError,
} from '@latchkey/core'
import { assertNoCanary, canary, rejectionOf } from '@latchkey/test-support'
import {
  type CanActivate,
  Controller,
  type DynamicModule,
  type ExecutionContext,
  Get,
  type INestApplication,
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestMiddleware,
  type NestModule,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common'
import { ConfigModule, ConfigService } from '@nestjs/config'
import { NestFactory } from '@nestjs/core'
import { Test } from '@nestjs/testing'
import request from 'supertest'
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import { CapturingLogger, sha256, startApp, TrackedSource } from '../test/support.js'
import { getSecretToken, Secret, SecretsModule, type SecretsModuleOptions, SecretsService } from './index.js'

@Injectable()
class ApiKeyGuard implements CanActivate {
  constructor(@Secret('api/key') private readonly apiKey: SecretHandle) {}

  canActivate(context: ExecutionContext): boolean {
    const given = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>()
      .headers['x-api-key']
    if (given !== this.apiKey.reveal()) throw new UnauthorizedException('bad api key')
    return true
  }
}

@Injectable()
class Database {
  readonly loadedInConstructor: boolean

  constructor(
    @Secret('db/password') readonly password: SecretHandle,
    @Secret('db/creds#username') readonly user: SecretHandle,
  ) {
    this.loadedInConstructor = password.loaded && user.loaded
  }
}

@Controller('db')
@UseGuards(ApiKeyGuard)
class DatabaseController {
  constructor(private readonly db: Database) {}

  @Get()
  status() {
    return {
      loadedInConstructor: this.db.loadedInConstructor,
      password: sha256(this.db.password.reveal()),
      user: sha256(this.db.user.reveal()),
      version: this.db.password.version,
    }
  }

  @Get('handles')
  handles() {
    return { password: this.db.password, user: this.db.user, text: `${this.db.password}` }
  }
}

@Module({ providers: [Database, ApiKeyGuard], controllers: [DatabaseController] })
class DatabaseModule {}

function middlewareModule(keyName = 'api/key') {
  @Injectable()
  class ApiKeyMiddleware implements NestMiddleware {
    constructor(@Secret(keyName) private readonly apiKey: SecretHandle) {}

    use(
      req: { headers: Record<string, unknown> },
      res: { statusCode: number; end(): void },
      next: () => void,
    ) {
      if (req.headers['x-api-key'] === this.apiKey.reveal()) return next()
      res.statusCode = 401
      res.end()
    }
  }
  @Controller('open')
  class OpenController {
    @Get()
    read() {
      return { open: true }
    }
  }
  @Module({ controllers: [OpenController] })
  class WithMiddlewareModule implements NestModule {
    configure(consumer: MiddlewareConsumer) {
      consumer.apply(ApiKeyMiddleware).forRoutes(OpenController)
    }
  }
  return WithMiddlewareModule
}

function secrets() {
  const values = { password: canary('db-password'), user: canary('db-user'), apiKey: canary('api-key') }
  const source = new TrackedSource({
    'db/password': values.password,
    'db/creds': JSON.stringify({ username: values.user, password: values.password }),
    'api/key': values.apiKey,
  })
  return { values, source }
}

const apps: INestApplication[] = []

async function boot(imports: unknown[], logger = new CapturingLogger()): Promise<INestApplication> {
  const app = await startApp(imports, logger)
  apps.push(app)
  return app
}

async function text(response: Promise<request.Response>, where: string): Promise<request.Response> {
  const res = await response
  assertNoCanary(res.text, where)
  return res
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
})

describe('SecretsModule.forRoot', () => {
  it('injects loaded handles into a feature module through @Secret when isGlobal is set', async () => {
    const { values, source } = secrets()
    const app = await boot([SecretsModule.forRoot({ source, isGlobal: true }), DatabaseModule])

    const res = await text(
      request(app.getHttpServer()).get('/db').set('x-api-key', values.apiKey),
      'the /db response',
    )
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      loadedInConstructor: true,
      password: sha256(values.password),
      user: sha256(values.user),
      version: 'v1',
    })
    const denied = await text(
      request(app.getHttpServer()).get('/db').set('x-api-key', 'wrong'),
      'a 401 response',
    )
    expect(denied.status).toBe(401)
  })

  it('selects a JSON field with "#" and loads each secret once however many handles use it', async () => {
    const { values, source } = secrets()
    const app = await boot([SecretsModule.forRoot({ source, isGlobal: true }), DatabaseModule])

    const res = await text(request(app.getHttpServer()).get('/db').set('x-api-key', values.apiKey), '/db')
    expect(res.body.user).toBe(sha256(values.user))
    expect([...source.loaded].sort()).toEqual(['api/key', 'db/creds', 'db/password'])
  })

  it('serializes handles as [REDACTED name] in HTTP responses', async () => {
    const { values, source } = secrets()
    const app = await boot([SecretsModule.forRoot({ source, isGlobal: true }), DatabaseModule])

    const res = await text(
      request(app.getHttpServer()).get('/db/handles').set('x-api-key', values.apiKey),
      'the /db/handles response',
    )
    expect(res.body).toEqual({
      password: '[REDACTED db/password]',
      user: '[REDACTED db/creds#username]',
      text: '[REDACTED db/password]',
    })
  })

  it('shows a rotation through the injected handle and emits it through SecretsService', async () => {
    const { values, source } = secrets()
    const app = await boot([SecretsModule.forRoot({ source, isGlobal: true }), DatabaseModule])
    const rotations: RotateEvent[] = []
    app.get(SecretsService).on('rotate', (event) => rotations.push(event))

    const rotated = canary('db-password-2')
    source.set('db/password', rotated)
    await app.get(SecretsService).refresh('db/password')

    const res = await text(request(app.getHttpServer()).get('/db').set('x-api-key', values.apiKey), '/db')
    expect(res.body.password).toBe(sha256(rotated))
    expect(res.body.version).toBe('v4')
    expect(rotations).toEqual([{ name: 'db/password', oldVersion: 'v1', newVersion: 'v4' }])
  })

  it('fails to compile without isGlobal when a feature module injects a secret it cannot see', async () => {
    const { source } = secrets()
    const failure = Test.createTestingModule({ imports: [SecretsModule.forRoot({ source }), DatabaseModule] })
      .setLogger(new CapturingLogger())
      .compile()
    await expect(failure).rejects.toThrow(/latchkey:secret:db\/password/)
  })

  it('provides handles to a module that imports it directly without isGlobal', async () => {
    const { values, source } = secrets()
    @Module({
      imports: [SecretsModule.forRoot({ source })],
      providers: [Database, ApiKeyGuard],
      controllers: [DatabaseController],
    })
    class LocalModule {}
    const app = await boot([LocalModule])

    const res = await text(request(app.getHttpServer()).get('/db').set('x-api-key', values.apiKey), '/db')
    expect(res.body.password).toBe(sha256(values.password))
  })

  it('injects handles into properties and into factories through getSecretToken', async () => {
    const { values, source } = secrets()
    @Injectable()
    class WithProperty {
      @Secret('api/key') readonly apiKey!: SecretHandle
    }
    const app = await boot([
      SecretsModule.forRoot({ source, isGlobal: true }),
      {
        module: class FactoryModule {},
        providers: [
          WithProperty,
          {
            provide: 'PASSWORD_FINGERPRINT',
            useFactory: (password: SecretHandle) => sha256(password.reveal()),
            inject: [getSecretToken('db/password')],
          },
        ],
      },
    ])

    expect(app.get(WithProperty).apiKey).toBeInstanceOf(SecretHandle)
    expect(sha256(app.get(WithProperty).apiKey.reveal())).toBe(sha256(values.apiKey))
    expect(app.get('PASSWORD_FINGERPRINT')).toBe(sha256(values.password))
  })

  it('makes CachedSecretProvider and SecretsService injectable, backed by the same provider', async () => {
    const { values, source } = secrets()
    @Controller('secrets')
    class SecretsController {
      constructor(private readonly secrets: SecretsService) {}

      @Get()
      async read() {
        const creds = await this.secrets.getJson<{ username: string }>('db/creds')
        return {
          password: sha256(await this.secrets.getSecret('db/password')),
          user: sha256(creds.username),
          info: this.secrets.describe('db/password'),
          handleLoaded: this.secrets.handle('api/key').loaded,
        }
      }
    }
    const app = await boot([
      SecretsModule.forRoot({ source, isGlobal: true, preload: ['api/key'] }),
      { module: class ReadModule {}, controllers: [SecretsController] },
    ])

    expect(app.get(SecretsService).provider).toBe(app.get(CachedSecretProvider))
    const res = await text(request(app.getHttpServer()).get('/secrets'), '/secrets')
    expect(res.body).toMatchObject({
      password: sha256(values.password),
      user: sha256(values.user),
      info: { name: 'db/password', source: 'memory', version: 'v1', stale: false },
      handleLoaded: true,
    })
  })

  it('loads the preload names at startup even when nothing injects them', async () => {
    const { source } = secrets()
    const app = await boot([SecretsModule.forRoot({ source, preload: ['api/key', 'db/creds#username'] })])

    expect(source.loaded.sort()).toEqual(['api/key', 'db/creds'])
    expect(app.get(CachedSecretProvider).describe('api/key')?.pinned).toBe(true)
  })

  it('does not load secrets that only another app in the process injects', async () => {
    const { source } = secrets()
    @Injectable()
    class OtherAppService {
      constructor(@Secret('other-app/token') readonly token: SecretHandle) {}
    }
    expect(OtherAppService).toBeDefined()

    const app = await boot([SecretsModule.forRoot({ source, isGlobal: true, preload: ['api/key'] })])
    expect(source.loaded).toEqual(['api/key'])
    expect(app.get(CachedSecretProvider).describe('other-app/token')).toBeUndefined()
  })

  it('loads what middleware injects before the app serves (middleware is created at app.init())', async () => {
    const { values, source } = secrets()
    const app = await boot([SecretsModule.forRoot({ source, isGlobal: true }), middlewareModule()])
    expect(source.loaded).toEqual(['api/key'])

    const allowed = await text(
      request(app.getHttpServer()).get('/open').set('x-api-key', values.apiKey),
      '/open',
    )
    const denied = await text(request(app.getHttpServer()).get('/open'), '/open')
    expect(allowed.status).toBe(200)
    expect(allowed.body).toEqual({ open: true })
    expect(denied.status).toBe(401)
  })

  it('fails app.init() with a SecretPreloadError when a secret middleware injects is missing', async () => {
    const { source } = secrets()
    const moduleRef = await Test.createTestingModule({
      imports: [SecretsModule.forRoot({ source, isGlobal: true }), middlewareModule('missing/mw-key')],
    })
      .setLogger(new CapturingLogger())
      .compile()
    const app = moduleRef.createNestApplication({ logger: false })

    await expect(app.init()).rejects.toMatchObject({
      code: 'ERR_SECRET_PRELOAD',
      errors: [{ secretName: 'missing/mw-key', code: 'ERR_SECRET_NOT_FOUND' }],
    })
    expect(source.closes).toBe(1)
  })

  it('declares handles for @Secret classes defined after forRoot() was called', async () => {
    const { values, source } = secrets()
    const secretsModule = SecretsModule.forRoot({ source, isGlobal: true })
    @Injectable()
    class DefinedLater {
      constructor(@Secret('api/key') readonly apiKey: SecretHandle) {}
    }
    const app = await boot([secretsModule, { module: class LaterModule {}, providers: [DefinedLater] }])

    expect(sha256(app.get(DefinedLater).apiKey.reveal())).toBe(sha256(values.apiKey))
  })
})

describe('SecretsModule.forRootAsync', () => {
  it('builds the source from a factory that injects ConfigService', async () => {
    const password = canary('async-password')
    const app = await boot([
      ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ secrets: { prefix: 'APP_' } })] }),
      SecretsModule.forRootAsync({
        imports: [ConfigModule],
        inject: [ConfigService],
        useFactory: (config: ConfigService): SecretsModuleOptions => ({
          source: new EnvSource({
            prefix: config.getOrThrow('secrets.prefix'),
            env: { APP_DB_PASSWORD: password },
          }),
        }),
        isGlobal: true,
      }),
      {
        module: class AsyncFeatureModule {},
        controllers: [
          (() => {
            @Controller('async')
            class AsyncController {
              constructor(@Secret('db/password') private readonly password: SecretHandle) {}
              @Get()
              read() {
                return { password: sha256(this.password.reveal()) }
              }
            }
            return AsyncController
          })(),
        ],
      },
    ])

    const res = await text(request(app.getHttpServer()).get('/async'), '/async')
    expect(res.body).toEqual({ password: sha256(password) })
    expect(app.get(CachedSecretProvider).source.name).toBe('env')
  })

  it('accepts an options class with createSecretsOptions()', async () => {
    const { source } = secrets()
    @Injectable()
    class SecretsOptions {
      createSecretsOptions(): SecretsModuleOptions {
        return { source, preload: ['db/password'] }
      }
    }
    const app = await boot([SecretsModule.forRootAsync({ useClass: SecretsOptions })])

    expect(app.get(CachedSecretProvider).source).toBe(source)
    expect(source.loaded).toEqual(['db/password'])
  })
})

describe('startup failure', () => {
  @Injectable()
  class NeedsMissing {
    constructor(
      @Secret('missing/first') readonly first: SecretHandle,
      @Secret('missing/second#field') readonly second: SecretHandle,
      @Secret('db/password') readonly present: SecretHandle,
    ) {}
  }

  it('rejects compile() with one SecretPreloadError naming every missing secret', async () => {
    const { source } = secrets()
    const logger = new CapturingLogger()
    const failure = Test.createTestingModule({
      imports: [
        SecretsModule.forRoot({ source, isGlobal: true, preload: ['missing/third'] }),
        { module: class MissingModule {}, providers: [NeedsMissing] },
      ],
    })
      .setLogger(logger)
      .compile()

    const error = await rejectionOf(failure, SecretPreloadError)
    const preload = error as SecretPreloadError
    expect(preload.code).toBe('ERR_SECRET_PRELOAD')
    expect(preload.errors.map((e) => [e.secretName, e.code]).sort()).toEqual([
      ['missing/first', 'ERR_SECRET_NOT_FOUND'],
      ['missing/second', 'ERR_SECRET_NOT_FOUND'],
      ['missing/third', 'ERR_SECRET_NOT_FOUND'],
    ])
    expect(preload.message).toContain('failed to load 3 secrets')
    assertNoCanary(`${inspect(preload, { depth: 5 })}\n${preload.stack}\n${logger.text}`, 'the startup error')
    expect(source.loaded).toContain('db/password')
    expect(source.closes).toBe(1)
  })

  it('makes NestFactory.create reject (abortOnError: false) and logs nothing secret', async () => {
    const { source } = secrets()
    const logger = new CapturingLogger()
    @Module({
      imports: [SecretsModule.forRoot({ source, isGlobal: true })],
      providers: [NeedsMissing],
    })
    class FailingAppModule {}

    await expect(NestFactory.create(FailingAppModule, { logger, abortOnError: false })).rejects.toMatchObject(
      {
        code: 'ERR_SECRET_PRELOAD',
        errors: [{ secretName: 'missing/first' }, { secretName: 'missing/second' }],
      },
    )
    expect(logger.text).toContain('missing/first')
    expect(logger.text).toContain('missing/second')
    assertNoCanary(logger.text, 'the Nest log')
  })

  it('does not close a provider it was given when startup fails', async () => {
    const provider = new CachedSecretProvider(new MemorySource({}))
    const failure = Test.createTestingModule({
      imports: [SecretsModule.forRoot({ provider, preload: ['missing/first'] })],
    })
      .setLogger(new CapturingLogger())
      .compile()
    await expect(failure).rejects.toMatchObject({ code: 'ERR_SECRET_PRELOAD' })
    expect(provider.closed).toBe(false)
    await provider.close()
  })

  it('rejects options that name neither a provider nor a source, and a preload that is not an array', async () => {
    const none = Test.createTestingModule({ imports: [SecretsModule.forRoot({} as SecretsModuleOptions)] })
      .setLogger(new CapturingLogger())
      .compile()
    await expect(none).rejects.toMatchObject({ code: 'ERR_SECRET_INVALID_OPTIONS' })

    const notArray = Test.createTestingModule({
      imports: [
        SecretsModule.forRoot({ source: new MemorySource(), preload: 'db/password' as unknown as string[] }),
      ],
    })
      .setLogger(new CapturingLogger())
      .compile()
    await expect(notArray).rejects.toMatchObject({ code: 'ERR_SECRET_INVALID_OPTIONS' })
  })
})

describe('shutdown', () => {
  it('closes a provider it built from { source } on app.close()', async () => {
    const { source } = secrets()
    const moduleRef = await Test.createTestingModule({ imports: [SecretsModule.forRoot({ source })] })
      .setLogger(new CapturingLogger())
      .compile()
    const app = moduleRef.createNestApplication({ logger: false })
    await app.init()
    const provider = app.get(CachedSecretProvider)

    await app.close()
    expect(provider.closed).toBe(true)
    expect(source.closes).toBe(1)
  })

  it('never closes a provider passed in as { provider }', async () => {
    const { values, source } = secrets()
    const provider = new CachedSecretProvider(source)
    const moduleRef = await Test.createTestingModule({
      imports: [SecretsModule.forRoot({ provider, preload: ['db/password'] })],
    })
      .setLogger(new CapturingLogger())
      .compile()
    const app = moduleRef.createNestApplication({ logger: false })
    await app.init()
    expect(app.get(CachedSecretProvider)).toBe(provider)

    await app.close()
    expect(provider.closed).toBe(false)
    expect(source.closes).toBe(0)
    expect(await provider.getSecret('db/password')).toBe(values.password)
    await provider.close()
  })

  it('serves real HTTP from NestFactory.create and closes the owned provider on close()', async () => {
    const { values, source } = secrets()
    @Module({ imports: [SecretsModule.forRoot({ source, isGlobal: true }), DatabaseModule] })
    class AppModule {}
    const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false })
    await app.listen(0, '127.0.0.1')
    const url = await app.getUrl()

    const res = await fetch(`${url}/db`, { headers: { 'x-api-key': values.apiKey } })
    const body = await res.text()
    assertNoCanary(body, 'the /db response')
    expect(res.status).toBe(200)
    expect(JSON.parse(body).password).toBe(sha256(values.password))

    const provider = app.get(CachedSecretProvider)
    await app.close()
    expect(provider.closed).toBe(true)
  })
})

describe('types', () => {
  it('takes { provider } or { source, ...CacheOptions } and types the async factory (checked by tsc)', () => {
    const calls = (provider: CachedSecretProvider) => [
      SecretsModule.forRoot({ provider, isGlobal: true }),
      SecretsModule.forRoot({ source: new MemorySource(), ttl: 1_000, preload: ['db/password'] }),
      // @ts-expect-error a provider and a source exclude each other
      SecretsModule.forRoot({ provider, source: new MemorySource() }),
      SecretsModule.forRootAsync({ useFactory: async () => ({ provider }), isGlobal: true }),
      // @ts-expect-error the factory has to return module options
      SecretsModule.forRootAsync({ useFactory: () => ({ ttl: 1_000 }) }),
    ]
    expectTypeOf(calls).returns.toEqualTypeOf<DynamicModule[]>()
    expectTypeOf<ReturnType<SecretsService['handle']>>().toEqualTypeOf<SecretHandle>()
    expectTypeOf(Secret).returns.toEqualTypeOf<PropertyDecorator & ParameterDecorator>()
  })
})
