/** Prefix of the injection token of every secret handle: `latchkey:secret:db/password`. */
export const SECRET_TOKEN_PREFIX = 'latchkey:secret:'

/** Internal: the module's `ResolvedProvider` (the provider and whether the module owns it). */
export const SECRETS_RESOLVED_PROVIDER = Symbol('latchkey:resolved-provider')

/** Internal: resolves, once every secret is preloaded, to the names this app injects by token. */
export const SECRETS_INJECTED_NAMES = Symbol('latchkey:injected-secret-names')

/** Nest's metadata keys for `@Inject()` on constructor parameters and properties (stable since Nest 5). */
export const SELF_DECLARED_DEPS_METADATA = 'self:paramtypes'
export const PROPERTY_DEPS_METADATA = 'self:properties_metadata'
