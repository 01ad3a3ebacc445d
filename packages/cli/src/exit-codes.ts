/**
 * The exit codes of every `latchkey` command (stable; documented in the README).
 */
export const EXIT_CODES = {
  /** Everything asked for worked: all secrets loaded, nothing found by `scan`. */
  OK: 0,
  /** The answer is "no": a secret did not load (`check`, `get`), or `scan` found a value. */
  FAILED: 1,
  /** The command line or the config file is wrong (`ERR_SECRET_INVALID_OPTIONS`). */
  USAGE: 2,
  /** `scan` found nothing, but some configured secrets could not be loaded, so were not looked for. */
  INCOMPLETE: 3,
} as const
