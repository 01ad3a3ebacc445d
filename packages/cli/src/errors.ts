import { InvalidOptionsError } from '@latchkey/core'

/** Where a config mistake is: the file, the field's dotted path and (for JSON files) its line. */
export interface ConfigErrorLocation {
  /** The config file's path as given. */
  file: string
  /** The offending field, such as `sources.main.region` or `secrets[2].name`. */
  field: string
  /** 1-based line of the field in a JSON config; `undefined` for .mjs/.ts configs. */
  line?: number
}

/**
 * A config file that cannot be used: unreadable, not JSON, or a field of the wrong shape. Code
 * `ERR_SECRET_INVALID_OPTIONS`; the message names the file, the line (JSON) and the field.
 */
export class ConfigError extends InvalidOptionsError {
  /** The config file's path as given. */
  readonly file: string
  /** The offending field's dotted path (`''` for the whole file). */
  readonly field: string
  /** 1-based line of the field (JSON configs only). */
  readonly line: number | undefined

  constructor(location: ConfigErrorLocation, problem: string) {
    const where = location.line === undefined ? location.file : `${location.file}:${location.line}`
    super(`${where}: ${location.field === '' ? '' : `${location.field}: `}${problem}`)
    this.file = location.file
    this.field = location.field
    this.line = location.line
  }
}

/** A command line the command cannot run: unknown flag, missing argument. Code `ERR_SECRET_INVALID_OPTIONS`. */
export class UsageError extends InvalidOptionsError {
  constructor(message: string) {
    super(message)
  }
}
