/**
 * `@latchkey/core/internal`: helpers the latchkey adapters share. Not public API — names and
 * signatures here may change in any release, including a patch. Apps and third-party sources use
 * `@latchkey/core` only.
 *
 * @packageDocumentation
 */

export { isSecretFailure, PROGRAMMING_ERRORS, UNAVAILABLE_BODY } from './adapter-errors.js'
export { CACHE_OPTION_KEYS, MAX_TIMER_MS } from './cache-options.js'
export {
  checkTokenInteger,
  checkTokenOptions,
  checkTokenString,
  type DatabaseToken,
  databaseTokenSecret,
} from './database-token.js'
export { describeOptionValue, describeType, describeValue } from './describe-type.js'
export { type EncodedForm, encodedForms } from './encoded-forms.js'
export { isTransient, toSecretError } from './errors.js'
export { type ResolvedHealthOptions, resolveHealthOptions } from './health-answer.js'
export { parseSecretJson, selectField } from './json.js'
export { MAX_SECRET_BYTES } from './limits.js'
export { MAX_NAME_LENGTH, parseSecretRef, type SecretRef } from './names.js'
export { checkSourceOptionNames, integrationOptionKeys, optionKeys } from './option-keys.js'
export { checkOptionNames, nearestOptionName } from './option-names.js'
export { type ResolvedProvider, resolveProvider } from './provider-options.js'
export {
  createLineScrubber,
  type EditTexts,
  editJsonLine,
  type LineKeyPolicy,
  type LineScrubberOptions,
} from './redactor-line.js'
export type { WordHits } from './redactor-words.js'
export { backoffDelay, type RetryPolicy } from './retry.js'
export {
  type CommonSourceFailure,
  commonSourceError,
  secretLabel,
  settledSecretError,
} from './source-errors.js'
export { parseDotenv } from './sources/dotenv.js'
export { envVariableName } from './sources/env.js'
export {
  checkBudget,
  checkPreload,
  type Preloader,
  preloadWithin,
  startupMargin,
} from './startup-budget.js'
export {
  checkStartupLog,
  logStartup,
  type StartupFacts,
  startupLine,
  startupLogger,
} from './startup-line.js'
export { processWarningLogger } from './warnings.js'
