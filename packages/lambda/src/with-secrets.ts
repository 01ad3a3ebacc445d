import { InvalidOptionsError, type SecretProviderLike } from '@latchkey/core'
import type { LambdaContextLike, SecretHandles, WithSecretsContext } from './context.js'
import { INTEGRATION, type LambdaSecretsOptions, resolveLambdaOptions } from './options.js'
import { InvocationSecrets } from './session.js'

/** A handler `withSecrets()` returns: Lambda's signature, plus the provider it reads from. */
export interface SecretsHandler<Event, Context, Result> {
  (event: Event, context: Context): Promise<Result>
  /** The provider the handles come from (built from `{ source }`, or the one passed in). */
  readonly provider: SecretProviderLike
}

/**
 * Wraps a Lambda handler so that it receives `context.secrets`: one live handle per key of the
 * `secrets` option. The secrets start loading when `withSecrets()` runs (module scope, so the
 * init phase), and each invocation first checks them against the clock — timers do not run while
 * the sandbox is frozen — reloading what is due within the invocation's remaining time and
 * serving the last good value (within `maxStale`) when the store fails. An invocation with no
 * servable value for a secret rejects with `SecretPreloadError` naming it; the handler is not called.
 *
 * @example
 * export const handler = withSecrets(async (event, context) => {
 *   return { statusCode: 200, body: callApi(context.secrets.apiKey.reveal()) }
 * }, { source: new LambdaExtensionSource(), secrets: { apiKey: 'prod/api-key' } })
 */
export function withSecrets<
  Key extends string,
  Event = unknown,
  Context extends object = LambdaContextLike,
  Result = unknown,
>(
  handler: (event: Event, context: WithSecretsContext<Context, Key>) => Result | Promise<Result>,
  options: LambdaSecretsOptions<Key>,
): SecretsHandler<Event, Context, Result> {
  if (typeof handler !== 'function') {
    const got = handler === null ? 'null' : typeof handler
    throw new InvalidOptionsError(
      `${INTEGRATION}: withSecrets(handler, options) needs the handler function first; got ${got}`,
    )
  }
  const session = new InvocationSecrets<Key>(resolveLambdaOptions('withSecrets(handler, options)', options))
  const run = (event: Event, context: Context, secrets: SecretHandles<Key>): Promise<Result> => {
    // Lambda's context is an object of its own per invocation; the handles are the same every time
    // (and print as [REDACTED]).
    ;(context as { secrets?: SecretHandles<Key> }).secrets = secrets
    return Promise.resolve(handler(event, context as WithSecretsContext<Context, Key>))
  }
  const wrapped = (event: Event, context: Context): Promise<Result> => {
    const secrets = session.quick()
    if (secrets === undefined)
      return session.prepare(context as LambdaContextLike).then((s) => run(event, context, s))
    try {
      return run(event, context, secrets)
    } catch (error) {
      return Promise.reject(error)
    }
  }
  return Object.assign(wrapped, { provider: session.provider })
}
