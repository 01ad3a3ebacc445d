/**
 * The one line an integration logs when its startup preload has finished: how many secrets, from
 * which source, in how many ms. Never a value and never a secret name (a name can carry a tenant
 * or an account id); the source's `name` is its kind (`aws-secrets-manager`, `env`, …).
 */
import { InvalidOptionsError } from './errors.js'
import type { Preloader } from './startup-budget.js'

/** Where an integration writes its startup line: anything with an `info(message, meta?)` method. */
export interface StartupLogger {
  info(message: string, meta?: object): void
}

/** The fields of a startup line, also passed as its `meta` object. */
export interface StartupFacts {
  /** How many secrets the preload loaded. */
  secrets: number
  /** The source's `name` (its kind, never a secret name). */
  source: string
  /** Wall time of the preload, in whole milliseconds. */
  ms: number
}

/** `@latchkey/fastify: 3 secrets loaded from aws-secrets-manager in 42 ms`. */
export function startupLine(integration: string, facts: StartupFacts): string {
  const noun = facts.secrets === 1 ? 'secret' : 'secrets'
  return `${integration}: ${facts.secrets} ${noun} loaded from ${facts.source} in ${facts.ms} ms`
}

/**
 * Checks a `startupLog` option: `true`, `false` or an object with an `info()` method (`undefined`
 * is the integration's default). Throws `InvalidOptionsError` naming the option otherwise.
 */
export function checkStartupLog(integration: string, value: unknown): boolean | StartupLogger | undefined {
  if (value === undefined || typeof value === 'boolean') return value
  if (typeof value === 'object' && value !== null && typeof (value as StartupLogger).info === 'function') {
    return value as StartupLogger
  }
  const got = value === null ? 'null' : typeof value
  throw new InvalidOptionsError(
    `${integration}: { startupLog } must be true, false or a logger with an info() method; got ${got}`,
  )
}

/**
 * The logger a `startupLog` option stands for: off for `false`, the option itself for a logger,
 * else `fallback` (the integration's own logger; `undefined` when it has none with `info()`).
 */
export function startupLogger(
  option: boolean | StartupLogger | undefined,
  fallback: unknown,
): StartupLogger | undefined {
  if (option === false) return undefined
  if (typeof option === 'object') return option
  const info = (fallback as { info?: unknown } | undefined)?.info
  return typeof info === 'function' ? (fallback as StartupLogger) : undefined
}

/**
 * Writes the startup line to `logger`. A logger that throws is ignored: a log line never changes
 * whether startup succeeds.
 */
export function logStartup(
  logger: StartupLogger | undefined,
  integration: string,
  provider: Pick<Preloader, 'source'>,
  secrets: number,
  startedAt: number,
): void {
  if (logger === undefined || secrets === 0) return
  const facts: StartupFacts = {
    secrets,
    source: String(provider.source.name),
    ms: Math.max(0, Math.round(performance.now() - startedAt)),
  }
  try {
    logger.info(startupLine(integration, facts), facts)
  } catch {
    // a broken logger must not fail the app's startup
  }
}
