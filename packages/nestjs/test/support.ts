import { createHash } from 'node:crypto'
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

/** Test helper: a Nest logger that keeps every line (shared with the Nest example). */
export { CapturingLogger } from '@latchkey/test-support'

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
