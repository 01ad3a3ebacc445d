import 'reflect-metadata'
import { inspect } from 'node:util'
import {
  CachedSecretProvider,
  ErrorCode,
  type SecretHandle,
  SecretPreloadError,
  type SecretSource,
} from '@latchkey/core'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { Injectable, Module } from '@nestjs/common'
import { ConfigModule, ConfigService } from '@nestjs/config'
import { type DiscoveryService, ModulesContainer, NestFactory } from '@nestjs/core'
import { Test } from '@nestjs/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { CapturingLogger, TrackedSource } from '../test/support.js'
import { Secret, SecretsModule, secretsLoader } from './index.js'
import { findInjectedSecretNames } from './secrets.scanner.js'

@Injectable()
class NeedsModuleSecrets {
  constructor(
    @Secret('module/missing') readonly missing: SecretHandle,
    @Secret('db/password') readonly present: SecretHandle,
  ) {}
}

function source(): TrackedSource {
  return new TrackedSource({ 'db/password': canary('nest-db'), 'api/key': canary('nest-api') })
}

const closing: Array<{ close(): Promise<unknown> }> = []
afterEach(async () => {
  for (const item of closing.splice(0).reverse()) await item.close()
})

async function failure(promise: Promise<unknown>): Promise<SecretPreloadError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(SecretPreloadError)
  return error as SecretPreloadError
}

function names(error: SecretPreloadError): string[][] {
  return error.errors.map((e) => [e.secretName ?? '', e.code]).sort()
}

const EVERY_MISSING = [
  ['config/missing', ErrorCode.NOT_FOUND],
  ['module/missing', ErrorCode.NOT_FOUND],
  ['module/preloaded-missing', ErrorCode.NOT_FOUND],
]

function loader(options: { provider: CachedSecretProvider } | { source: SecretSource }) {
  return secretsLoader({
    ...options,
    namespace: 'app',
    secrets: { password: 'db/password', other: 'config/missing' },
  })
}

describe('one startup error for SecretsModule and secretsLoader()', () => {
  it.each([
    ['ConfigModule first', 'config-first'],
    ['SecretsModule first', 'module-first'],
  ])('names every missing secret of both, sharing one provider (%s)', async (_label, order) => {
    const provider = new CachedSecretProvider(source())
    closing.push(provider)
    const config = ConfigModule.forRoot({ ignoreEnvFile: true, load: [loader({ provider })] })
    const secrets = SecretsModule.forRoot({ provider, isGlobal: true, preload: ['module/preloaded-missing'] })
    const logger = new CapturingLogger()

    const error = await failure(
      Test.createTestingModule({
        imports: order === 'config-first' ? [config, secrets] : [secrets, config],
        providers: [NeedsModuleSecrets],
      })
        .setLogger(logger)
        .compile(),
    )

    // Before, the error named only one group: whichever failed first.
    expect(names(error)).toEqual(EVERY_MISSING)
    expect(error.message).toContain('failed to load 3 secrets')
    assertNoCanary(`${inspect(error, { depth: 5 })}\n${logger.text}`, 'the startup error')
  })

  it('names every missing secret when the loader has its own source, through NestFactory.create', async () => {
    const logger = new CapturingLogger()
    @Module({
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true, load: [loader({ source: source() })] }),
        SecretsModule.forRoot({ source: source(), isGlobal: true, preload: ['module/preloaded-missing'] }),
      ],
      providers: [NeedsModuleSecrets],
    })
    class AppModule {}

    const error = await failure(NestFactory.create(AppModule, { logger, abortOnError: false }))

    expect(names(error)).toEqual(EVERY_MISSING)
    for (const [name] of EVERY_MISSING) expect(logger.text).toContain(name)
    assertNoCanary(logger.text, 'the Nest log')
  })

  it('names every missing secret with forRootAsync options that need nothing from the app', async () => {
    const provider = new CachedSecretProvider(source())
    closing.push(provider)
    const error = await failure(
      Test.createTestingModule({
        imports: [
          ConfigModule.forRoot({ ignoreEnvFile: true, load: [loader({ provider })] }),
          SecretsModule.forRootAsync({
            isGlobal: true,
            useFactory: () => ({ provider, preload: ['module/preloaded-missing'] }),
          }),
        ],
        providers: [NeedsModuleSecrets],
      }).compile(),
    )
    expect(names(error)).toEqual(EVERY_MISSING)
  })

  it('reports the loader alone when the module options wait for ConfigService (they cannot exist before it)', async () => {
    const provider = new CachedSecretProvider(source())
    closing.push(provider)
    const error = await failure(
      Test.createTestingModule({
        imports: [
          ConfigModule.forRoot({ ignoreEnvFile: true, isGlobal: true, load: [loader({ provider })] }),
          SecretsModule.forRootAsync({
            isGlobal: true,
            inject: [ConfigService],
            useFactory: () => ({ provider, preload: ['module/preloaded-missing'] }),
          }),
        ],
        providers: [NeedsModuleSecrets],
      }).compile(),
    )
    expect(names(error)).toEqual([['config/missing', ErrorCode.NOT_FOUND]])
  })

  it('a loader used again after a combined failure, in an app without SecretsModule, reports alone', async () => {
    const provider = new CachedSecretProvider(source())
    closing.push(provider)
    const config = ConfigModule.forRoot({ ignoreEnvFile: true, load: [loader({ provider })] })
    await failure(
      Test.createTestingModule({
        imports: [config, SecretsModule.forRoot({ provider, isGlobal: true })],
        providers: [NeedsModuleSecrets],
      }).compile(),
    )

    const alone = await failure(Test.createTestingModule({ imports: [config] }).compile())

    expect(names(alone)).toEqual([['config/missing', ErrorCode.NOT_FOUND]])
  })
})

describe('startup against a hung secret store', () => {
  /** Never answers (and ignores the abort signal, like a hung peer). */
  const hung: SecretSource = { name: 'hung-store', load: () => new Promise(() => undefined) }

  it('app.init() fails within preloadTimeout naming each secret still loading', async () => {
    const logger = new CapturingLogger()
    @Module({
      imports: [SecretsModule.forRoot({ source: hung, isGlobal: true, preloadTimeout: 300 })],
      providers: [NeedsModuleSecrets],
    })
    class AppModule {}

    const error = await failure(NestFactory.create(AppModule, { logger, abortOnError: false }))

    expect(error.errors.map((e) => e.message)).toEqual([
      'loading secret "db/password" (source hung-store) timed out after 300 ms',
      'loading secret "module/missing" (source hung-store) timed out after 300 ms',
    ])
  })

  it('without preloadTimeout, the provider retry policy bounds startup and names the timeouts', async () => {
    const error = await failure(
      Test.createTestingModule({
        imports: [
          ConfigModule.forRoot({
            ignoreEnvFile: true,
            load: [
              secretsLoader({
                source: hung,
                timeout: 100,
                retry: { retries: 1, baseDelay: 1, maxDelay: 1 },
                namespace: 'app',
                secrets: { password: 'db/password' },
              }),
            ],
          }),
        ],
      }).compile(),
    )
    expect(error.errors.map((e) => [e.secretName, e.code, e.message])).toEqual([
      [
        'db/password',
        ErrorCode.TIMEOUT,
        'loading secret "db/password" (source hung-store) timed out after 100 ms',
      ],
    ])
  })

  it('refuses a preloadTimeout that is not a whole positive number, naming option, type and range', async () => {
    const error = await Test.createTestingModule({
      imports: [SecretsModule.forRoot({ source: hung, preloadTimeout: -1 })],
    })
      .compile()
      .then(
        () => undefined,
        (reason: unknown) => reason,
      )
    expect(error).toMatchObject({
      code: ErrorCode.INVALID_OPTIONS,
      message:
        '@latchkey/nestjs SecretsModule: { preloadTimeout } must be a whole number of milliseconds from 1 to 2147483647; got number -1',
    })
  })
})

describe('finding @Secret names', () => {
  it('reads providers and controllers through DiscoveryService', () => {
    const discovery = {
      getProviders: () => [{ metatype: NeedsModuleSecrets, inject: null }],
      getControllers: () => [],
    } as unknown as DiscoveryService
    expect([...findInjectedSecretNames(discovery, new ModulesContainer())].sort()).toEqual([
      'db/password',
      'module/missing',
    ])
  })
})
