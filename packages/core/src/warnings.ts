import type { SecretLogger } from './types.js'

/**
 * The default {@link SecretLogger}: each warning becomes a `process.emitWarning` with `code`
 * (so `--no-warnings` or a `process.on('warning')` handler decides where it goes) and the meta
 * object as JSON in its `detail`.
 */
export function processWarningLogger(code = 'LATCHKEY'): SecretLogger {
  return {
    warn(message, meta) {
      process.emitWarning(message, {
        code,
        detail: meta === undefined ? undefined : JSON.stringify(meta),
      })
    },
  }
}
