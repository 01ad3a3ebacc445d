import {
  InvalidOptionsError,
  type ProviderLikeOptions,
  type SecretProviderLike,
  type StartupLogger,
} from '@latchkey/core'
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
  startupMargin,
} from '@latchkey/core/internal'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'

const PLUGIN_NAME = '@latchkey/fastify'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The secret provider decorated by `@latchkey/fastify` under the default decorator name.
     * A custom `decorator` name needs its own declaration (see the README). Typed as an interface
     * (the provider's public API), so the ESM and CommonJS builds of this package declare the same type.
     */
    secrets: SecretProviderLike
  }
}

/** Options of the {@link latchkey} plugin: a provider (or a source to build one from), plus what to preload. */
export type LatchkeyFastifyOptions = ProviderLikeOptions & {
  /**
   * Secrets loaded before the server is ready. A failure makes `ready()` and `listen()` reject with
   * a `SecretPreloadError` that names every secret that failed.
   * @default []
   */
  preload?: readonly string[]
  /**
   * How long the `preload` may take, in ms. When it runs out, `ready()` and `listen()` reject with a
   * `SecretPreloadError` naming every secret not loaded (a `SecretTimeoutError` for each one still
   * loading), before Fastify's own `pluginTimeout` fires. When that is on, at most `pluginTimeout`
   * less a tenth of it (at most 1 s), so this error comes first. Without a `pluginTimeout` (0) and without this option, the provider's retry policy alone
   * bounds the preload.
   * @default pluginTimeout minus a tenth of it (at most 1 s): 9_000 with Fastify's default 10_000
   */
  preloadTimeout?: number
  /**
   * The name the provider is decorated under (`fastify[decorator]`). Change it to register a
   * second provider next to the first.
   * @default 'secrets'
   */
  decorator?: string
  /**
   * The startup line, written once the `preload` has loaded: `@latchkey/fastify: 3 secrets loaded
   * from aws-secrets-manager in 42 ms` (how many, the source's kind, how long — never a value or a
   * secret name), at `info` level through `fastify.log`. `false` turns it off; a logger with an
   * `info(message, meta)` method receives it instead. Nothing is written when `preload` is empty.
   * @default true
   */
  startupLog?: boolean | StartupLogger
}

/** Option names the plugin takes, with Fastify's own register options (`prefix`, `logLevel`, …). */
const OPTION_KEYS = integrationOptionKeys([
  'preload',
  'preloadTimeout',
  'decorator',
  'startupLog',
  'prefix',
  'logLevel',
  'logSerializers',
])

// Named so the wrapped function reports the export's name (`latchkey.name`) in stack traces and logs.
const plugin: FastifyPluginAsync<LatchkeyFastifyOptions> = async function latchkey(
  fastify: FastifyInstance,
  options,
) {
  checkOptionNames(options, OPTION_KEYS, PLUGIN_NAME)
  const {
    preload: names,
    decorator = 'secrets',
    preloadTimeout,
    startupLog,
    prefix: _prefix,
    logLevel: _logLevel,
    logSerializers: _logSerializers,
    ...providerOptions
  } = options as LatchkeyFastifyOptions & Record<'prefix' | 'logLevel' | 'logSerializers', unknown>
  const log = checkStartupLog(PLUGIN_NAME, startupLog)
  if (typeof decorator !== 'string' || decorator.length === 0) {
    throw new InvalidOptionsError(
      `${PLUGIN_NAME}: { decorator } must be a non-empty string such as 'secrets'`,
    )
  }
  const preload = checkPreload(PLUGIN_NAME, names)
  if (fastify.hasDecorator(decorator)) {
    throw new InvalidOptionsError(
      `${PLUGIN_NAME}: fastify.${decorator} is already decorated (was the plugin registered twice?); ` +
        'register it once, or pass { decorator: "<another name>" } to add a second provider',
    )
  }
  const budget = preloadBudget(fastify, preloadTimeout)
  const { provider, owned } = resolveProvider(providerOptions, PLUGIN_NAME)
  fastify.decorate(decorator, provider)
  if (owned) {
    fastify.addHook('onClose', async () => {
      await provider.close()
    })
  }
  if (preload.length === 0) return
  const startedAt = performance.now()
  try {
    await preloadWithin(provider, preload, budget, "plugin's startup budget")
    logStartup(startupLogger(log, infoOf(fastify)), PLUGIN_NAME, provider, preload.length, startedAt)
  } catch (error) {
    if (owned) await provider.close()
    throw error
  }
}

/** `fastify.log` as a {@link StartupLogger} (pino takes the merge object first). */
function infoOf(fastify: FastifyInstance): StartupLogger {
  return { info: (message, meta) => fastify.log.info(meta ?? {}, message) }
}

/**
 * The time the preload may take. avvio fails a plugin that has not finished within `pluginTimeout`
 * with AVV_ERR_PLUGIN_EXEC_TIMEOUT ("forgotten to call 'done'"), which names no secret and points at
 * the user's code; the default retry policy (4 attempts of up to 5 s) would outlast the default
 * 10 s. So the preload ends a margin before `pluginTimeout`, with our error.
 */
function preloadBudget(fastify: FastifyInstance, preloadTimeout: unknown): number | undefined {
  const pluginTimeout = fastify.initialConfig.pluginTimeout ?? 10_000
  if (preloadTimeout === undefined) {
    return pluginTimeout > 0 ? pluginTimeout - startupMargin(pluginTimeout) : undefined
  }
  if (pluginTimeout > 0) {
    const margin = startupMargin(pluginTimeout)
    return checkBudget(
      PLUGIN_NAME,
      'preloadTimeout',
      preloadTimeout,
      pluginTimeout - margin,
      ` (Fastify's pluginTimeout of ${pluginTimeout} ms less a ${margin} ms margin, so this error comes first)`,
    )
  }
  return checkBudget(PLUGIN_NAME, 'preloadTimeout', preloadTimeout, 2_147_483_647)
}

/**
 * Decorates `fastify.secrets` with a `CachedSecretProvider`. Pass `{ provider }` to share one the
 * app built (the app closes it), or `{ source, ...cacheOptions }` to have the plugin build one and
 * close it in `onClose`.
 */
export const latchkey = fp(plugin, { fastify: '5.x', name: PLUGIN_NAME })
