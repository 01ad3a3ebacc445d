import type { SecretSource } from '@latchkey/core'
import { keyMatches, SECRET_NAMES } from '@latchkey/example-shared'
import { requireSecrets, type SecretsMiddleware, secrets, secretsErrorHandler } from '@latchkey/express'
import express, { type Express } from 'express'

/** What {@link buildApp} needs. */
export interface AppOptions {
  /** Where the secrets come from. */
  source: SecretSource
}

/** The app and its secrets middleware (await `middleware.ready()` before listening; `close()` on shutdown). */
export interface ExampleApp {
  app: Express
  middleware: SecretsMiddleware
}

/**
 * The example app. Routes:
 * - `GET /health`: liveness, no secrets involved.
 * - `GET /status`: needs the header `x-api-key`; answers what the app knows about its database
 *   password (loaded, stale) and never a secret value. When a secret cannot be loaded it answers
 *   `503 {"error":"Service Unavailable","code":"ERR_SECRET_UNAVAILABLE"}`.
 */
export function buildApp(options: AppOptions): ExampleApp {
  const middleware = secrets({
    source: options.source,
    preload: [SECRET_NAMES.dbPassword, SECRET_NAMES.apiKey],
  })
  const app = express()
  app.disable('x-powered-by')

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' })
  })

  app.use(middleware)
  app.get('/status', requireSecrets(SECRET_NAMES.apiKey, SECRET_NAMES.dbPassword), (req, res) => {
    const expected = req.secrets.handle(SECRET_NAMES.apiKey).reveal()
    if (!keyMatches(req.get('x-api-key'), expected)) {
      res.status(401).json({ error: 'Unauthorized' })
      return
    }
    const info = req.secrets.describe(SECRET_NAMES.dbPassword)
    res.json({
      status: 'ok',
      database: {
        passwordLoaded: req.secrets.handle(SECRET_NAMES.dbPassword).loaded,
        stale: info?.stale ?? false,
      },
    })
  })

  app.use(secretsErrorHandler())
  return { app, middleware }
}
