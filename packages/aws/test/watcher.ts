/**
 * What the two watcher test files (`src/secrets-manager/watcher.test.ts`, `watcher-faults.test.ts`)
 * build alike: a real provider over the Secrets Manager emulator whose `refresh()` calls are
 * recorded, an SQS client without SDK retries, and a `watch()` that starts a watcher over them.
 */
import { SQSClient } from '@aws-sdk/client-sqs'
import { CachedSecretProvider } from '@latchkey/core'
import {
  type SecretsManagerEmulator,
  type SqsEmulator,
  startSecretsManagerEmulator,
  startSqsEmulator,
} from '@latchkey/testing'
import { afterAll, afterEach, beforeAll } from 'vitest'
import {
  AwsSecretsManagerSource,
  type SecretsManagerEventWatcher,
  watchSecretsManagerEvents,
} from '../src/index.js'

/**
 * Registers a watcher file's hooks: starts an SQS and a Secrets Manager emulator for the file
 * (`started` hands them over), and after each test calls `reset` and then the file's cleanups, last first.
 */
export function watcherHooks(options: {
  started: (sm: SecretsManagerEmulator, sqs: SqsEmulator) => void
  cleanups: Array<() => Promise<void>>
  reset?: () => void
}): void {
  let sm: SecretsManagerEmulator | undefined
  let sqs: SqsEmulator | undefined
  beforeAll(async () => {
    sqs = await startSqsEmulator()
    sm = await startSecretsManagerEmulator()
    options.started(sm, sqs)
  })
  afterAll(async () => {
    await sm?.close()
    await sqs?.close()
  })
  afterEach(async () => {
    options.reset?.()
    for (const cleanup of options.cleanups.splice(0).reverse()) await cleanup()
  })
}

/** Options of one watcher, over the file's defaults. */
export type WatchOptions = Partial<Parameters<typeof watchSecretsManagerEvents>[0]>

/** What {@link watchedProvider} needs: the emulators, the queue, the file's cleanups and watcher defaults. */
export interface WatchedProviderOptions {
  sm: SecretsManagerEmulator
  sqs: SqsEmulator
  queueUrl: string
  /** Closed by the file's `afterEach`, last first. */
  cleanups: Array<() => Promise<void>>
  /** The file's watcher settings (`waitTimeSeconds`, `onError`…); `spread` and `minInterval` are 0 unless set. */
  defaults: WatchOptions
}

/** A watched provider; `refreshed` lists the names `refresh()` was called with, in order. */
export function watchedProvider({ sm, sqs, queueUrl, cleanups, defaults }: WatchedProviderOptions): {
  provider: CachedSecretProvider
  refreshed: string[]
  client: SQSClient
  watch: (extra?: WatchOptions) => SecretsManagerEventWatcher
} {
  const provider = new CachedSecretProvider(new AwsSecretsManagerSource({ ...sm.clientConfig }), {
    minRefreshInterval: 0,
    logger: { warn: () => undefined },
  })
  const refreshed: string[] = []
  const counted = {
    refresh: (name: string) => {
      refreshed.push(name)
      return provider.refresh(name)
    },
    describe: (name: string) => provider.describe(name),
  }
  const client = new SQSClient({ ...sqs.clientConfig, maxAttempts: 1 })
  cleanups.push(async () => {
    client.destroy()
    await provider.close()
  })
  const watch = (extra: WatchOptions = {}) => {
    const watcher = watchSecretsManagerEvents({
      provider: counted,
      queueUrl,
      client,
      spread: 0,
      minInterval: 0,
      ...defaults,
      ...extra,
    })
    cleanups.push(() => watcher.close())
    return watcher
  }
  return { provider, refreshed, client, watch }
}

/** How many times each name occurs in `names`. */
export function tally(names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1)
  return counts
}
