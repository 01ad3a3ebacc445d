import type { ProviderLikeOptions, SecretProviderLike, StartupLogger } from '@latchkey/core'
import {
  checkBudget,
  checkOptionNames,
  checkPreload,
  checkStartupLog,
  integrationOptionKeys,
  logStartup,
  preloadWithin,
  resolveProvider,
  startupLogger,
} from '@latchkey/core/internal'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { toRequestError } from './errors.js'

const INTEGRATION = '@latchkey/express'

declare global {
  namespace Express {
    interface Request {
      /**
       * The secret provider, set by the `secrets()` middleware from `@latchkey/express`. Typed as an
       * interface (the provider's public API), so the ESM and CommonJS builds declare the same type.
       */
      secrets: SecretProviderLike
    }
  }
}

/** Options of {@link secrets}: a provider (or a source to build one from), plus what to preload. */
export type ExpressSecretsOptions = ProviderLikeOptions & {
  /**
   * Secrets loaded as soon as the middleware is created. Requests that arrive before the load ends
   * wait for it; if it fails they get a 503 through `next(err)`, and the next request tries again.
   * @default []
   */
  preload?: readonly string[]
  /**
   * How long one `preload` attempt (`ready()`, or the wait of the first requests) may take, in ms.
   * When it runs out, `ready()` rejects with a `SecretPreloadError` naming every secret not loaded
   * (a `SecretTimeoutError` for each one still loading) and waiting requests get their 503. Express
   * has no startup limit of its own; without this option the provider's retry policy alone bounds
   * the wait (with the default cache options, 4 attempts of up to 5 s each plus backoff).
   * @default undefined
   */
  preloadTimeout?: number
  /**
   * The startup line, written once the `preload` has loaded: `@latchkey/express: 3 secrets loaded
   * from aws-secrets-manager in 42 ms` (how many, the source's kind, how long — never a value or a
   * secret name). Express has no logger of its own, so by default it goes to the `logger` cache
   * option's `info()` method (pino, winston and `console` have one; a logger with only `warn()`
   * gets nothing). `false` turns it off; a logger with an `info(message, meta)` method receives it
   * instead (with `{ provider }` too). Nothing is written when `preload` is empty.
   * @default true
   */
  startupLog?: boolean | StartupLogger
}

const OPTION_KEYS = integrationOptionKeys(['preload', 'preloadTimeout', 'startupLog'])

/** The middleware {@link secrets} returns, with a handle on its provider and lifecycle. */
export interface SecretsMiddleware extends RequestHandler {
  /** The provider set as `req.secrets`. */
  readonly provider: SecretProviderLike
  /**
   * Resolves once the `preload` secrets are loaded (starting a new attempt after a failure);
   * rejects with core's `SecretPreloadError` naming every secret that failed and why, within
   * `preloadTimeout` when set. Await it before `listen()` to fail at startup.
   */
  ready(): Promise<void>
  /** Closes the provider if the middleware built it from `{ source }`; a provider passed in is left to the app. */
  close(): Promise<void>
}

/**
 * Express middleware that sets `req.secrets` to a `CachedSecretProvider`. Pass `{ provider }` to
 * share one the app built, or `{ source, ...cacheOptions }` to have the middleware build one
 * (close it with `middleware.close()`). Works with Express 4 and 5.
 */
export function secrets(options: ExpressSecretsOptions): SecretsMiddleware {
  if (typeof options === 'object' && options !== null) checkOptionNames(options, OPTION_KEYS, INTEGRATION)
  const {
    preload: names,
    preloadTimeout,
    startupLog,
    ...providerOptions
  } = options ?? ({} as ExpressSecretsOptions)
  const log = startupLogger(
    checkStartupLog(INTEGRATION, startupLog),
    (providerOptions as { logger?: unknown }).logger,
  )
  const preload = checkPreload(INTEGRATION, names)
  const budget =
    preloadTimeout === undefined ? undefined : checkBudget(INTEGRATION, 'preloadTimeout', preloadTimeout)
  const { provider, owned } = resolveProvider(providerOptions, INTEGRATION)
  let loaded = preload.length === 0
  let loading: Promise<void> | undefined

  const ready = (): Promise<void> => {
    if (loaded) return Promise.resolve()
    const startedAt = performance.now()
    loading ??= preloadWithin(provider, preload, budget, 'preloadTimeout').then(
      () => {
        loaded = true
        logStartup(log, INTEGRATION, provider, preload.length, startedAt)
      },
      (error: unknown) => {
        loading = undefined
        throw error
      },
    )
    return loading
  }

  const middleware = (req: Request, _res: Response, next: NextFunction): void => {
    req.secrets = provider
    if (loaded) {
      next()
      return
    }
    ready().then(
      () => next(),
      (error: unknown) => next(toRequestError(error)),
    )
  }

  if (!loaded) ready().catch(() => undefined)
  return Object.assign(middleware, {
    provider,
    ready,
    close: async () => {
      if (owned) await provider.close()
    },
  })
}
