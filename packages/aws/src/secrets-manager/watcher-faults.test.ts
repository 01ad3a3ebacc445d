import { SQSClient } from '@aws-sdk/client-sqs'
import { canary } from '@latchkey/test-support'
import { eventBridgeEvent, type SecretsManagerEmulator, type SqsEmulator } from '@latchkey/testing'
import { describe, expect, it } from 'vitest'
import { watchedProvider, watcherHooks } from '../../test/watcher.js'
import { watchSecretsManagerEvents } from '../index.js'

/** The emulators' default account id (both use it). */
const ACCOUNT = '123456789012'
let sm: SecretsManagerEmulator
let sqs: SqsEmulator
let counter = 0
const cleanups: Array<() => Promise<void>> = []
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

watcherHooks({
  started: (startedSm, startedSqs) => {
    sm = startedSm
    sqs = startedSqs
  },
  reset: () => sqs.faults.reset(),
  cleanups,
})

function setup() {
  const queueUrl = sqs.createQueue(`faults-${++counter}`)
  const rig = watchedProvider({
    sm,
    sqs,
    queueUrl,
    cleanups,
    defaults: { waitTimeSeconds: 20, onError: () => undefined },
  })
  return { ...rig, queueUrl }
}

describe('an SQS endpoint that answers ReceiveMessage at once (faults.fail("ignoreWait"))', () => {
  it('empty receives are paced by emptyReceiveInterval: a bounded count over a time window', async () => {
    const { watch } = setup()
    sqs.faults.fail('ignoreWait', { operation: 'ReceiveMessage', times: Number.POSITIVE_INFINITY })
    sqs.resetCalls()
    watch({ emptyReceiveInterval: 100 })
    await sleep(1_000)
    const receives = sqs.callCount('ReceiveMessage')
    expect(sqs.calls('ReceiveMessage')[0]?.fault).toBe('ignoreWait')
    // one per 100 ms over 1 s: 10 (+1 for the first, +1 for timer slack); unpaced it is thousands
    expect(receives).toBeGreaterThanOrEqual(5)
    expect(receives).toBeLessThanOrEqual(12)
  })

  it('by default (1_000 ms) an instant endpoint is asked at most about once a second', async () => {
    const { watch } = setup()
    sqs.faults.fail('ignoreWait', { operation: 'ReceiveMessage', times: Number.POSITIVE_INFINITY })
    sqs.resetCalls()
    watch()
    await sleep(1_500)
    expect(sqs.callCount('ReceiveMessage')).toBeGreaterThanOrEqual(1)
    expect(sqs.callCount('ReceiveMessage')).toBeLessThanOrEqual(3)
  })

  it('messages are still handled at once while paced', async () => {
    const name = `paced/${++counter}`
    const secret = sm.createSecret(name, canary('paced'))
    const { provider, refreshed, watch, queueUrl } = setup()
    await provider.getSecret(name)
    sqs.faults.fail('ignoreWait', { operation: 'ReceiveMessage', times: Number.POSITIVE_INFINITY })
    watch({ emptyReceiveInterval: 100 })
    sqs.sendMessage(
      queueUrl,
      JSON.stringify(
        eventBridgeEvent({
          eventName: 'PutSecretValue',
          region: sm.region,
          accountId: ACCOUNT,
          arn: secret.arn,
          secretId: name,
          time: Date.now(),
        }),
      ),
    )
    await expect.poll(() => refreshed, { timeout: 3_000 }).toEqual([name])
  })

  it('checks emptyReceiveInterval and secretsScope (ERR_SECRET_INVALID_OPTIONS naming the option)', () => {
    const { provider, queueUrl } = setup()
    for (const emptyReceiveInterval of [0, -1, 2 ** 31, Number.NaN, '1000']) {
      expect(() => watchSecretsManagerEvents({ provider, queueUrl, emptyReceiveInterval } as never)).toThrow(
        expect.objectContaining({
          code: 'ERR_SECRET_INVALID_OPTIONS',
          message: expect.stringMatching(/emptyReceiveInterval/),
        }),
      )
    }
    for (const secretsScope of [null, 'us-east-1', { accountId: '12' }, { region: 7 }]) {
      expect(() => watchSecretsManagerEvents({ provider, queueUrl, secretsScope } as never)).toThrow(
        expect.objectContaining({
          code: 'ERR_SECRET_INVALID_OPTIONS',
          message: expect.stringMatching(/secretsScope/),
        }),
      )
    }
  })
})

describe('events for a secret of another account or Region', () => {
  const event = (name: string, region: string, accountId: string) =>
    JSON.stringify(
      eventBridgeEvent({
        eventName: 'PutSecretValue',
        region,
        accountId,
        arn: `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-AbCdEf`,
        secretId: name,
        time: Date.now(),
      }),
    )

  it('do not refresh a held short name of the same text; an event of the home account and Region does', async () => {
    const name = `shared/${++counter}`
    sm.createSecret(name, canary('home'))
    const { provider, refreshed, watch, queueUrl } = setup()
    await provider.getSecret(name)
    const seen: string[][] = []
    watch({
      waitTimeSeconds: 1,
      secretsScope: { region: sm.region, accountId: ACCOUNT },
      onEvent: (e) => seen.push(e.refreshed),
    })
    sqs.sendMessage(queueUrl, event(name, sm.region, '999999999999'))
    sqs.sendMessage(queueUrl, event(name, 'eu-west-3', ACCOUNT))
    await expect.poll(() => sqs.messages(queueUrl).length, { timeout: 5_000 }).toBe(0)
    await sleep(50)
    expect(refreshed).toEqual([])
    sqs.sendMessage(queueUrl, event(name, sm.region, ACCOUNT))
    await expect.poll(() => refreshed, { timeout: 5_000 }).toEqual([name])
    expect(seen).toEqual([[name]])
  })

  it('the default scope is the account of the queue URL and the client Region', async () => {
    const name = `default-scope/${++counter}`
    sm.createSecret(name, canary('scope'))
    const { provider, refreshed, watch, queueUrl } = setup()
    await provider.getSecret(name)
    expect(queueUrl).toContain(`/${ACCOUNT}/`)
    watch({ waitTimeSeconds: 1 })
    sqs.sendMessage(queueUrl, event(name, sm.region, '999999999999'))
    await expect.poll(() => sqs.messages(queueUrl).length, { timeout: 5_000 }).toBe(0)
    await sleep(50)
    expect(refreshed).toEqual([])
  })

  it('a name held as the foreign full ARN is still refreshed by its event', async () => {
    const name = `foreign/${++counter}`
    const arn = `arn:aws:secretsmanager:eu-west-3:999999999999:secret:${name}-AbCdEf`
    const queueUrl = sqs.createQueue(`foreign-${counter}`)
    const refreshed: string[] = []
    const provider = {
      refresh: async (held: string) => {
        refreshed.push(held)
      },
      describe: (held: string) => (held === arn ? {} : undefined),
    }
    const client = new SQSClient({ ...sqs.clientConfig, maxAttempts: 1 })
    const watcher = watchSecretsManagerEvents({
      provider,
      queueUrl,
      client,
      waitTimeSeconds: 1,
      spread: 0,
      minInterval: 0,
    })
    cleanups.push(async () => {
      await watcher.close()
      client.destroy()
    })
    sqs.sendMessage(queueUrl, event(name, 'eu-west-3', '999999999999'))
    await expect.poll(() => refreshed, { timeout: 5_000 }).toEqual([arn])
  })
})
