import {
  type CachedSecretProvider,
  InvalidOptionsError,
  type ProviderOptions,
  resolveProvider,
} from '@latchkey/core'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'

const PLUGIN_NAME = '@latchkey/fastify'

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The secret provider decorated by `@latchkey/fastify` under the default decorator name.
     * A custom `decorator` name needs its own declaration (see the README).
     */
    secrets: CachedSecretProvider
  }
}

/** Options of the {@link latchkey} plugin: a provider (or a source to build one from), plus what to preload. */
export type LatchkeyFastifyOptions = ProviderOptions & {
  /**
   * Secrets loaded before the server is ready. A failure makes `ready()` and `listen()` reject with
   * a `SecretPreloadError` that names every secret that failed.
   * @default []
   */
  preload?: readonly string[]
  /**
   * The name the provider is decorated under (`fastify[decorator]`). Change it to register a
   * second provider next to the first.
   * @default 'secrets'
   */
  decorator?: string
}

const plugin: FastifyPluginAsync<LatchkeyFastifyOptions> = async (fastify: FastifyInstance, options) => {
  const { preload = [], decorator = 'secrets', ...providerOptions } = options
  if (typeof decorator !== 'string' || decorator.length === 0) {
    throw new InvalidOptionsError(
      `${PLUGIN_NAME}: { decorator } must be a non-empty string such as 'secrets'`,
    )
  }
  if (!Array.isArray(preload)) {
    throw new InvalidOptionsError(`${PLUGIN_NAME}: { preload } must be an array of secret names`)
  }
  if (fastify.hasDecorator(decorator)) {
    throw new InvalidOptionsError(
      `${PLUGIN_NAME}: fastify.${decorator} is already decorated (was the plugin registered twice?); ` +
        'register it once, or pass { decorator: "<another name>" } to add a second provider',
    )
  }
  const { provider, owned } = resolveProvider(providerOptions as ProviderOptions, PLUGIN_NAME)
  fastify.decorate(decorator, provider)
  if (owned) {
    fastify.addHook('onClose', async () => {
      await provider.close()
    })
  }
  if (preload.length === 0) return
  try {
    await provider.preload(preload)
  } catch (error) {
    if (owned) await provider.close()
    throw error
  }
}

/**
 * Decorates `fastify.secrets` with a `CachedSecretProvider`. Pass `{ provider }` to share one the
 * app built (the app closes it), or `{ source, ...cacheOptions }` to have the plugin build one and
 * close it in `onClose`.
 */
export const latchkey = fp(plugin, { fastify: '5.x', name: PLUGIN_NAME })
