import type { SecretHandleLike } from '@latchkey/core'

/**
 * What latchkey uses of the Lambda context object (`aws-lambda`'s `Context` fits): the time left
 * before the invocation's deadline. Without it (a local call with a plain object), the freshness
 * check is bounded only by the provider's own retry policy.
 */
export interface LambdaContextLike {
  getRemainingTimeInMillis?: () => number
}

/** The handles put on the context, by the keys of the `secrets` option. */
export type SecretHandles<Key extends string> = { readonly [K in Key]: SecretHandleLike }

/** The context a wrapped handler receives: Lambda's own, plus `secrets`. */
export type WithSecretsContext<Context, Key extends string> = Context & { secrets: SecretHandles<Key> }
