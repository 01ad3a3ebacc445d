/** Prefix of the injection token of every secret handle: `latchkey:secret:db/password`. */
export const SECRET_TOKEN_PREFIX = 'latchkey:secret:'

/** Internal: the module's `ResolvedProvider` (the provider and whether the module owns it). */
export const SECRETS_RESOLVED_PROVIDER = Symbol('latchkey:resolved-provider')

/** Internal: resolves, once the startup preload is done, to the names it loaded. */
export const SECRETS_PRELOADED = Symbol('latchkey:preloaded-secret-names')

/** Nest's metadata keys for `@Inject()` on constructor parameters and properties (stable since Nest 5). */
export const SELF_DECLARED_DEPS_METADATA = 'self:paramtypes'
export const PROPERTY_DEPS_METADATA = 'self:properties_metadata'
