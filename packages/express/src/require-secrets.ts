import { InvalidOptionsError, isCachedSecretProvider } from '@latchkey/core'
import { parseSecretRef } from '@latchkey/core/internal'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { toRequestError } from './errors.js'

/**
 * A route guard: the route runs only once every named secret is loaded, so inside it
 * `req.secrets.handle(name).reveal()` returns the value synchronously. The secrets are pinned and
 * kept fresh in the background, so after the first request the guard does no I/O. When a secret
 * cannot be had, the request goes to `next(err)` with a {@link SecretServiceUnavailableError}
 * (503); other errors go to `next(err)` unchanged.
 */
export function requireSecrets(...names: string[]): RequestHandler {
  if (names.length === 0) throw new InvalidOptionsError('requireSecrets() needs at least one secret name')
  for (const name of names) parseSecretRef(name)

  return (req: Request, _res: Response, next: NextFunction): void => {
    const provider = req.secrets as unknown
    if (!isCachedSecretProvider(provider)) {
      next(
        new InvalidOptionsError(
          'requireSecrets() needs the secrets() middleware mounted before it: app.use(secrets({ ... }))',
        ),
      )
      return
    }
    let loaded: boolean
    try {
      loaded = names.every((name) => provider.handle(name).loaded)
    } catch (error) {
      next(toRequestError(error))
      return
    }
    if (loaded) {
      next()
      return
    }
    // not required by the default health check: a secret only this guard needs makes its own
    // routes answer 503, not the whole instance
    provider.preload(names, { required: false }).then(
      () => next(),
      (error: unknown) => next(toRequestError(error)),
    )
  }
}
