import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'

/** What {@link emulatorHooks} needs of an emulator from `@latchkey/testing` (structural). */
export interface HookedEmulator {
  readonly faults: { reset(): void }
  resetCalls(): void
  close(): Promise<void>
}

/** Options of {@link emulatorHooks}. */
export interface EmulatorHooksOptions<E extends HookedEmulator> {
  /** Called once the emulator runs (before all tests): keep it, seed it. */
  started(emulator: E): void
  /** Called before each test, after the emulator's faults and call log are cleared. */
  reset?: () => void
  /** Closed and emptied after each test: the providers a test file builds. */
  providers?: Array<{ close(): Promise<unknown> }>
}

/**
 * Registers the hooks every emulator-backed source test file shares: starts the emulator before
 * all tests and closes it after them, clears its faults and call log before each test, and closes
 * the file's providers after each test.
 */
export function emulatorHooks<E extends HookedEmulator>(
  start: () => Promise<E>,
  options: EmulatorHooksOptions<E>,
): void {
  let emulator: E | undefined
  beforeAll(async () => {
    emulator = await start()
    options.started(emulator)
  })
  afterAll(() => emulator?.close())
  beforeEach(() => {
    emulator?.faults.reset()
    emulator?.resetCalls()
    options.reset?.()
  })
  afterEach(async () => {
    const providers = options.providers ?? []
    await Promise.all(providers.splice(0).map((p) => p.close()))
  })
}

/**
 * The cache options the emulator-backed source tests share: the test's clock, no jitter, and
 * warnings swallowed. Spread first, then the test's own retry and refresh settings.
 */
export function steadyCacheOptions(clock: () => number) {
  return { clock, jitter: 0, logger: { warn: () => undefined } }
}
