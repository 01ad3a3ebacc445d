import type { SecretSource } from '@latchkey/core'
import latchkey from '@latchkey/fastify'
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { keyMatches } from './api-key.js'
import { SECRET_NAMES } from './source.js'

/** What {@link buildApp} needs. */
export interface AppOptions {
  /** Where the secrets come from. */
  source: SecretSource
  /** Fastify's logger setting. @default false */
  logger?: FastifyServerOptions['logger']
}

/**
 * The example app. Both secrets are preloaded, so the server does not start without them and no
 * request ever waits on the secret store. Routes:
 * - `GET /health`: liveness, no secrets involved.
 * - `GET /status`: needs the header `x-api-key`; answers what the app knows about its database
 *   password (loaded, stale) and never a secret value.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false })
  await app.register(latchkey, {
    source: options.source,
    preload: [SECRET_NAMES.dbPassword, SECRET_NAMES.apiKey],
  })
  const apiKey = app.secrets.handle(SECRET_NAMES.apiKey)
  const dbPassword = app.secrets.handle(SECRET_NAMES.dbPassword)

  app.get('/health', async () => ({ status: 'ok' }))

  app.get('/status', async (request, reply) => {
    const presented = request.headers['x-api-key']
    if (!keyMatches(typeof presented === 'string' ? presented : undefined, apiKey.reveal())) {
      return reply.code(401).send({ error: 'Unauthorized' })
    }
    const info = app.secrets.describe(SECRET_NAMES.dbPassword)
    return {
      status: 'ok',
      database: { passwordLoaded: dbPassword.loaded, stale: info?.stale ?? false },
    }
  })
  return app
}
