import { parseSecretRef } from '@latchkey/core/internal'
import { Inject } from '@nestjs/common'
import { SECRET_TOKEN_PREFIX } from './secrets.constants.js'

/**
 * Every name given to {@link getSecretToken} (and so to `@Secret`) in this process. Decorators run
 * when a class is defined, before any app exists, so this is where `SecretsModule` learns which
 * handle providers to declare. It holds names only (constants from the code, never values or
 * providers), and each app decides from its own DI container which of them it injects and loads,
 * so several apps in one process do not affect each other.
 */
const declaredNames = new Set<string>()

/**
 * The injection token of the live {@link SecretHandle} for `name`, for `@Inject()`, a factory's
 * `inject: [...]`, or `Test.createTestingModule(...).overrideProvider(...)`.
 * Throws `InvalidSecretNameError` (`ERR_SECRET_INVALID_NAME`) for a name that cannot be used.
 */
export function getSecretToken(name: string): string {
  parseSecretRef(name)
  declaredNames.add(name)
  return `${SECRET_TOKEN_PREFIX}${name}`
}

/** Internal: names declared so far, in declaration order. */
export function declaredSecretNames(): string[] {
  return [...declaredNames]
}

/**
 * Injects the live `SecretHandle` of a secret into a constructor parameter (or a property).
 * `'db/creds#password'` selects one field of a JSON secret. Every secret injected this way is
 * loaded before the app finishes bootstrapping, so `handle.reveal()` works from the constructor on.
 *
 * @example
 * constructor(@Secret('db/password') private readonly password: SecretHandle) {}
 */
export function Secret(name: string): PropertyDecorator & ParameterDecorator {
  return Inject(getSecretToken(name))
}
