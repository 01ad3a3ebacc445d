import { CachedSecretProvider, type SecretSource } from '@latchkey/core'
import { keyMatches, SECRET_NAMES } from '@latchkey/example-shared'
import latchkey from '@latchkey/fastify'
import { redactSecrets } from '@latchkey/pino'
import Fastify, { type FastifyInstance } from 'fastify'
import type { DestinationStream, LoggerOptions } from 'pino'

/** What {@link buildApp} needs. */
export interface AppOptions {
  /** Where the secrets come from. */
  source: SecretSource
  /** Log settings (pino options, plus a `stream` to write to); `false` turns logging off. @default false */
  logger?: (LoggerOptions & { stream?: DestinationStream }) | false
}

/**
 * The example app. It builds the provider itself so the logger can scrub every secret value the
 * provider loads (`@latchkey/pino`), then hands it to the plugin as `{ provider }`. Both secrets
 * are preloaded, so the server does not start without them and no request waits on the store.
 * Routes:
 * - `GET /health`: liveness, no secrets involved.
 * - `GET /status`: needs the header `x-api-key`; answers what the app knows about its database
 *   password (loaded, stale) and never a secret value.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const secrets = new CachedSecretProvider(options.source)
  const app = Fastify({
    logger: options.logger ? redactSecrets({ ...options.logger, latchkey: { provider: secrets } }) : false,
  })
  app.addHook('onClose', () => secrets.close())
  await app.register(latchkey, { provider: secrets, preload: [SECRET_NAMES.dbPassword, SECRET_NAMES.apiKey] })

  const apiKey = secrets.handle(SECRET_NAMES.apiKey)
  const dbPassword = secrets.handle(SECRET_NAMES.dbPassword)
  // The kind of line apps log by mistake; the scrubber turns the password into [REDACTED].
  app.log.info(`database url: postgres://app:${dbPassword.reveal()}@localhost:5432/app`)

  app.get('/health', async () => ({ status: 'ok' }))

  app.get('/status', async (request, reply) => {
    const presented = request.headers['x-api-key']
    if (!keyMatches(typeof presented === 'string' ? presented : undefined, apiKey.reveal())) {
      return reply.code(401).send({ error: 'Unauthorized' })
    }
    const info = secrets.describe(SECRET_NAMES.dbPassword)
    return {
      status: 'ok',
      database: { passwordLoaded: dbPassword.loaded, stale: info?.stale ?? false },
    }
  })
  return app
}
