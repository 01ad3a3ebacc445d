import { createHash } from 'node:crypto'
import { inspect } from 'node:util'
import { type LoadContext, type LoadedSecret, MemorySource } from '@latchkey/core'
import type { INestApplication, LoggerService } from '@nestjs/common'
import { Test } from '@nestjs/testing'

/** Test helper: a fingerprint of a value, so a response can prove which value it saw without containing it. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

/** Test helper: a MemorySource that counts `close()` calls and records which names were loaded. */
export class TrackedSource extends MemorySource {
  closes = 0
  readonly loaded: string[] = []

  override async load(name: string, ctx?: LoadContext): Promise<LoadedSecret> {
    this.loaded.push(name)
    return super.load(name, ctx)
  }

  async close(): Promise<void> {
    this.closes++
  }
}

/** Test helper: a Nest logger that keeps every line (errors through `util.inspect`, as a console would print them). */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = []

  // One method per LoggerService level, as Nest's interface asks; all keep the line alike on purpose.
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

  get text(): string {
    return this.lines.join('\n')
  }

  #keep(args: unknown[]): void {
    this.lines.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 5 }))).join(' '))
  }
}

/** Test helper: compiles a testing module of `imports` (and `controllers`) logging to `logger`, and starts its app (not listening). */
export async function startApp(
  imports: unknown[],
  logger: LoggerService,
  controllers: unknown[] = [],
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: imports as never[],
    controllers: controllers as never[],
  })
    .setLogger(logger)
    .compile()
  const app = moduleRef.createNestApplication({ logger })
  await app.init()
  return app
}
