import { CACHE_OPTION_KEYS } from './cache-options.js'
import { checkOptionNames } from './option-names.js'

/**
 * Every option name of `T`, listed once as an object (`optionKeys<FooOptions>({ a: true, b: true })`)
 * so the compiler refuses a list that misses an option or names one `T` does not have.
 * Marked free of side effects so a bundler drops a module-level list nothing reads.
 */
/* @__NO_SIDE_EFFECTS__ */
export function optionKeys<T extends object>(keys: { readonly [K in keyof T]-?: true }): readonly string[] {
  return Object.keys(keys)
}

/**
 * `checkOptionNames` for a source's or integration's options: skipped for a value that is not an
 * object (the caller's own type check reports that), so only a misspelled or foreign key of a real
 * options object throws `ERR_SECRET_INVALID_OPTIONS` naming the nearest known option.
 */
export function checkSourceOptionNames(options: unknown, known: readonly string[], owner: string): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) return
  checkOptionNames(options, known, owner)
}

/**
 * The option names an integration built on `ProviderOptions` accepts besides its own: `provider`,
 * `source` and every cache option. Free of side effects, like {@link optionKeys}.
 */
/* @__NO_SIDE_EFFECTS__ */
export function integrationOptionKeys(own: readonly string[]): readonly string[] {
  return [...own, 'provider', 'source', ...CACHE_OPTION_KEYS]
}
