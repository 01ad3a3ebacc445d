import { inspect } from 'node:util'

/**
 * A logger that keeps every line (objects and errors through `util.inspect`, as a console would
 * print them). It has one method per Nest `LoggerService` level, so it serves Nest apps as their
 * logger; all levels keep the line alike on purpose.
 */
export class CapturingLogger {
  readonly lines: string[] = []

  log(...args: unknown[]): void {
    this.#keep(args)
  }
  error(...args: unknown[]): void {
    this.#keep(args)
  }
  warn(...args: unknown[]): void {
    this.#keep(args)
  }
  debug(...args: unknown[]): void {
    this.#keep(args)
  }
  verbose(...args: unknown[]): void {
    this.#keep(args)
  }
  fatal(...args: unknown[]): void {
    this.#keep(args)
  }

  /** Every line so far, one per line. */
  get text(): string {
    return this.lines.join('\n')
  }

  #keep(args: unknown[]): void {
    this.lines.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 5 }))).join(' '))
  }
}

/** One call a {@link capturingLogger} kept. */
export interface LoggedLine {
  message: string
  meta?: object
}

/**
 * A logger shaped like pino's, winston's or Powertools' (`info` and `warn` with a message and an
 * optional object), keeping every call in `lines`, in order, both levels alike.
 */
export function capturingLogger(): {
  lines: LoggedLine[]
  logger: { info(message: string, meta?: object): void; warn(message: string, meta?: object): void }
} {
  const lines: LoggedLine[] = []
  const keep = (message: string, meta?: object) => {
    lines.push({ message, meta })
  }
  return { lines, logger: { info: keep, warn: keep } }
}
