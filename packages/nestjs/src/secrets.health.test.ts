import 'reflect-metadata'
import { CachedSecretProvider, type LoadedSecret, SecretUnavailableError } from '@latchkey/core'
import {
  assertNoCanary,
  canary,
  failingEntry,
  freshEntry,
  HEALTH_START,
  healthProviderOptions,
  staleEntry,
} from '@latchkey/test-support'
import { Controller, Get, type INestApplication, Inject, Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { CapturingLogger, TrackedSource } from '../test/support.js'
import { SecretsHealthIndicator, SecretsModule } from './index.js'

/** A source whose loads can be made to fail transiently, to drive a value stale. */
class FlakySource extends TrackedSource {
  failing = false
  override async load(name: string): Promise<LoadedSecret> {
    if (this.failing)
      throw new SecretUnavailableError({ secretName: name, source: this.name }, 'backend down')
    return super.load(name)
  }
}

const apps: INestApplication[] = []
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close()
})

async function start(
  source: FlakySource,
  clock: { now: number },
  names?: string[],
  options: { details?: boolean; timeout?: number } = { details: true },
) {
  @Controller('health')
  class HealthController {
    // explicit tokens: the injected classes are used as values, so no tool turns their imports into types
    constructor(
      @Inject(HealthCheckService) private readonly health: HealthCheckService,
      @Inject(SecretsHealthIndicator) private readonly secrets: SecretsHealthIndicator,
    ) {}

    @Get()
    @HealthCheck()
    check() {
      return this.health.check([() => this.secrets.isHealthy('secrets', names, options)])
    }
  }
  @Module({
    imports: [
      TerminusModule.forRoot({ logger: false }),
      SecretsModule.forRoot({
        source,
        preload: ['db/password'],
        ...healthProviderOptions(clock),
      }),
    ],
    controllers: [HealthController],
  })
  class AppModule {}
  const logger = new CapturingLogger()
  const app = await NestFactory.create(AppModule, { logger, abortOnError: false })
  apps.push(app)
  await app.init()
  return { app, logger }
}

describe('SecretsHealthIndicator defaults (issue 21)', () => {
  it('reports the status only: no names, versions, codes or times', async () => {
    const clock = { now: HEALTH_START }
    const source = new FlakySource({ 'db/password': canary('db') })
    const { app } = await start(source, clock, undefined, {})
    const res = await request(app.getHttpServer()).get('/health')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      status: 'ok',
      info: { secrets: { status: 'up' } },
      error: {},
      details: { secrets: { status: 'up' } },
    })
    expect(res.text).not.toContain('db/password')
  })

  it('loads a named secret never loaded, instead of reporting it missing (down) forever', async () => {
    const clock = { now: HEALTH_START }
    const source = new FlakySource({ 'db/password': canary('db'), 'api/key': canary('api') })
    const { app } = await start(source, clock, ['api/key'], { timeout: 1_000 })
    const res = await request(app.getHttpServer()).get('/health')
    expect(res.status).toBe(200)
    expect(res.body.info).toEqual({ secrets: { status: 'up' } })
  })
})

describe('SecretsHealthIndicator with @nestjs/terminus', () => {
  it('reports fresh secrets as up (200), with names, versions and ages only', async () => {
    const clock = { now: HEALTH_START }
    const source = new FlakySource({ 'db/password': canary('db') })
    const { app, logger } = await start(source, clock)
    clock.now += 2_000
    const res = await request(app.getHttpServer()).get('/health')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({
      status: 'ok',
      info: {
        secrets: {
          status: 'up',
          health: 'ok',
          secrets: [freshEntry(2_000)],
        },
      },
      error: {},
      details: expect.any(Object),
    })
    assertNoCanary(res.text, 'the health response')
    assertNoCanary(logger.text, 'the Nest log')
  })

  it('a stale secret stays up (degraded, since when); a required secret with nothing to serve is down (503)', async () => {
    const clock = { now: HEALTH_START }
    const source = new FlakySource({ 'db/password': canary('db') })
    const { app, logger } = await start(source, clock, ['db/password'])
    const provider = app.get(CachedSecretProvider)
    source.failing = true
    clock.now += 90_000
    await provider.getSecret('db/password') // the reload fails: served stale
    let res = await request(app.getHttpServer()).get('/health')
    expect(res.status).toBe(200)
    expect(res.body.info.secrets).toMatchObject({
      status: 'up',
      health: 'degraded',
      secrets: [staleEntry],
    })
    clock.now += 600_000 // past maxStale: nothing to serve
    res = await request(app.getHttpServer()).get('/health')
    expect(res.status).toBe(503)
    expect(res.body.status).toBe('error')
    expect(res.body.error.secrets).toMatchObject({
      status: 'down',
      health: 'down',
      secrets: [failingEntry],
    })
    assertNoCanary(res.text, 'the health response')
    assertNoCanary(logger.text, 'the Nest log')
  })
})
