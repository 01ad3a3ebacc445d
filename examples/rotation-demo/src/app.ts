import { timingSafeEqual } from 'node:crypto'
import type { CachedSecretProvider } from '@latchkey/core'
import { latchkey, secretsHealthHandler } from '@latchkey/fastify'
import { RotatingPool } from '@latchkey/pg'
import { redactSecrets } from '@latchkey/pino'
import Fastify, { LogController } from 'fastify'
import pino from 'pino'
import { API_KEY_SECRET, DB_SECRET } from './infra.js'
import type { Telemetry } from './telemetry.js'

/** The demo's app: orders served from PostgreSQL through a RotatingPool, behind an API key. */
export interface DemoApp {
  pool: RotatingPool
  url: string
  close(): Promise<void>
}

function sameKey(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

export async function startApp(
  provider: CachedSecretProvider,
  logFile: string,
  telemetry: Telemetry,
  /** `database`: for credentials that name no `dbname` (IAM auth tokens). */
  connection: { database?: string } = {},
): Promise<DemoApp> {
  const destination = pino.destination({ dest: logFile, sync: false, mkdir: true })
  const logger = pino(redactSecrets({ level: 'info', latchkey: { provider } }), destination)
  let requests = 0
  const app = Fastify({
    loggerInstance: logger,
    // Fastify's request/response lines for one request in 100, to keep the log readable.
    logController: new LogController({ disableRequestLogging: () => requests++ % 100 !== 0 }),
  })
  await app.register(latchkey, { provider, preload: [DB_SECRET, API_KEY_SECRET] })

  const pool = new RotatingPool({
    provider,
    secret: DB_SECRET,
    ...connection,
    max: 10,
    maxLifetimeMillis: 1_500,
    idleTimeoutMillis: 1_000,
    connectionTimeoutMillis: 10_000,
  })
  pool.on('error', (error) => app.log.warn({ err: error }, 'idle connection error'))
  pool.on('rotate', (event) => app.log.info({ event }, 'pool moved to rotated credentials'))
  provider.on('rotate', async ({ name }) => {
    if (name !== DB_SECRET) return
    // A careless line, on purpose: the whole credential object goes into the log.
    const secret = await provider.getJson(DB_SECRET)
    app.log.info(
      { secret, url: connectionUrl(secret as Record<string, string>) },
      'database credentials rotated',
    )
  })

  // Operations: Prometheus text of latchkey's OpenTelemetry metrics, and the secrets' health
  // (503 only when a secret the app needs has nothing to serve). Names, versions, ages, codes:
  // `details: true` because this demo's operations routes are for its operator only — protect
  // such a route (an internal port, or authentication) in a real app.
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
    return telemetry.prometheusText()
  })
  app.get('/health', secretsHealthHandler({ names: [DB_SECRET, API_KEY_SECRET], details: true }))

  let served = 0
  app.get<{ Params: { id: string } }>('/orders/:id', async (request, reply) => {
    const apiKey = await app.secrets.getSecret(API_KEY_SECRET)
    if (!sameKey(request.headers['x-api-key'], apiKey)) {
      return reply.code(401).send({ error: 'unauthorized' })
    }
    const { rows } = await pool.query('SELECT id, item, total FROM orders WHERE id = $1', [
      Number(request.params.id),
    ])
    if (++served % 200 === 0) {
      // Also careless: the API key the client sent, logged in a message and an object.
      request.log.info(
        { headers: request.headers },
        `served ${served} orders; client key ${request.headers['x-api-key']}`,
      )
    }
    return rows[0] ?? reply.code(404).send({ error: 'not found' })
  })

  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  return {
    pool,
    url,
    async close() {
      await app.close()
      await pool.end()
      await new Promise<void>((resolve) => destination.flush(() => resolve()))
    },
  }
}

function connectionUrl(secret: Record<string, string>): string {
  return `postgres://${secret.username}:${encodeURIComponent(secret.password ?? '')}@${secret.host}:${secret.port}/${secret.dbname}`
}
