import type { SecretProviderLike } from '@latchkey/core'
import type { LambdaContextLike, SecretHandles } from './context.js'
import { type LambdaSecretsOptions, resolveLambdaOptions } from './options.js'
import { InvocationSecrets } from './session.js'

/**
 * The middleware object `secrets()` returns, in the shape `@middy/core` 6 and 7 take
 * (`.use(secrets(...))`); typed structurally, so `@middy/core` stays an optional peer.
 */
export interface MiddySecretsMiddleware<Key extends string> {
  before: (request: { context: LambdaContextLike }) => Promise<void>
  /** The provider the handles come from. */
  readonly provider: SecretProviderLike
  /** Type marker for the context a handler behind this middleware receives; never set. */
  readonly contextType?: { secrets: SecretHandles<Key> }
}

/**
 * middy middleware doing what `withSecrets()` does: loads the secrets from creation (the init
 * phase), and in `before` checks them against the clock, reloads what is due within the
 * invocation's remaining time, and sets `request.context.secrets` (one handle per key). A secret
 * with no servable value makes `before` reject with `SecretPreloadError`, which middy sends to
 * `onError` middlewares.
 */
export function secrets<Key extends string>(options: LambdaSecretsOptions<Key>): MiddySecretsMiddleware<Key> {
  const session = new InvocationSecrets<Key>(resolveLambdaOptions('secrets(options)', options))
  return {
    provider: session.provider,
    before: async (request) => {
      const handles = session.quick() ?? (await session.prepare(request.context))
      ;(request.context as { secrets?: SecretHandles<Key> }).secrets = handles
    },
  }
}
