/**
 * `redactSecrets()` as the pino options of nestjs-pino (pino-http underneath) in a real Nest 12
 * app over HTTP: secrets in messages, objects, headers and errors never reach the log.
 */
import 'reflect-metadata'
import { Writable } from 'node:stream'
import { CachedSecretProvider, MemorySource, type SecretHandle } from '@latchkey/core'
import { Secret, SecretsModule } from '@latchkey/nestjs'
import { redactSecrets } from '@latchkey/pino'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { Controller, Get, type INestApplication, Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { InjectPinoLogger, Logger, LoggerModule, type PinoLogger } from 'nestjs-pino'
import request from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const apiKey = canary('nestjs-pino', '"%+/&= ')
const lines: string[] = []
const stream = new Writable({
  write(chunk, _encoding, done) {
    lines.push(String(chunk))
    done()
  },
})
const provider = new CachedSecretProvider(new MemorySource({ 'api/key': apiKey }))

@Controller()
class UpstreamController {
  constructor(
    @InjectPinoLogger(UpstreamController.name) private readonly logger: PinoLogger,
    @Secret('api/key') private readonly key: SecretHandle,
  ) {}

  @Get('call')
  call() {
    const key = this.key.reveal()
    this.logger.info(
      { apiKey: key, url: `https://upstream.test/v1?key=${encodeURIComponent(key)}` },
      'calling with %s',
      key,
    )
    return { ok: true }
  }

  @Get('fail')
  fail() {
    throw new Error(`upstream refused key ${this.key.reveal()}`)
  }
}

@Module({
  imports: [
    SecretsModule.forRoot({ provider, isGlobal: true }),
    LoggerModule.forRootAsync({
      inject: [CachedSecretProvider],
      useFactory: (secrets: CachedSecretProvider) => ({
        pinoHttp: [redactSecrets({ level: 'info', latchkey: { provider: secrets } }), stream],
      }),
    }),
  ],
  controllers: [UpstreamController],
})
class AppModule {}

describe('nestjs-pino with redactSecrets', () => {
  let app: INestApplication

  beforeAll(async () => {
    app = await NestFactory.create(AppModule, { bufferLogs: true })
    app.useLogger(app.get(Logger))
    await app.init()
  })

  afterAll(async () => {
    await app.close()
    await provider.close()
  })

  it('scrubs the secret from messages, objects, URLs and request headers', async () => {
    const response = await request(app.getHttpServer()).get('/call').set('authorization', `Bearer ${apiKey}`)
    expect(response.status).toBe(200)
    const log = lines.join('')
    assertNoCanary(log, 'the nestjs-pino log')
    const line = lines.map((l) => JSON.parse(l)).find((entry) => entry.msg === 'calling with [REDACTED]')
    expect(line).toMatchObject({ apiKey: '[REDACTED]', url: 'https://upstream.test/v1?key=[REDACTED]' })
    const completed = lines.map((l) => JSON.parse(l)).find((entry) => entry.msg === 'request completed')
    // The req serializer logs no headers by default, as Fastify does.
    expect(completed.req.headers).toBeUndefined()
  })

  it('scrubs it from error messages and stacks, and from the response', async () => {
    const response = await request(app.getHttpServer()).get('/fail')
    expect(response.status).toBe(500)
    assertNoCanary(response.text, 'the response body')
    assertNoCanary(lines.join(''), 'the nestjs-pino log')
    expect(lines.join('')).toContain('upstream refused key [REDACTED]')
  })
})
