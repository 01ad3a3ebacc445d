import { inspect } from 'node:util'
import { ErrorCode, type RotateEvent, type SecretError } from '@latchkey/core'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { eventBridgeEvent, type SecretsManagerEmulator, type SqsEmulator } from '@latchkey/testing'
import { beforeEach, describe, expect, it } from 'vitest'
import { tally, watchedProvider, watcherHooks } from '../../test/watcher.js'
import { type WatcherErrorContext, watchSecretsManagerEvents } from '../index.js'

let sm: SecretsManagerEmulator
let sqs: SqsEmulator
let queueUrl: string
let queueCounter = 0
const cleanups: Array<() => Promise<void>> = []
let counter = 0
const unique = (label: string) => `watch/${label}-${++counter}`

watcherHooks({
  started: (startedSm, startedSqs) => {
    sm = startedSm
    sqs = startedSqs
  },
  reset: () => sm.publishEvents(undefined),
  cleanups,
})
beforeEach(() => {
  queueUrl = sqs.createQueue(`events-${++queueCounter}`)
  sm.publishEvents({ sqs, queue: queueUrl })
  sm.faults.reset()
  sqs.faults.reset()
  sm.resetCalls()
  sqs.resetCalls()
})

/** A watched provider (`aws/test/watcher.ts`) whose watchers record every error they report. */
function setup() {
  const errors: Array<{ error: SecretError; context: WatcherErrorContext }> = []
  const rig = watchedProvider({
    sm,
    sqs,
    queueUrl,
    cleanups,
    defaults: {
      waitTimeSeconds: 1,
      backoff: { baseDelay: 5, maxDelay: 20 },
      onError: (error, context) => errors.push({ error, context }),
    },
  })
  return { ...rig, errors }
}

const drained = () => sqs.messages(queueUrl).length

describe('watchSecretsManagerEvents against the SQS emulator', () => {
  it('an event for each held name triggers exactly one refresh of it; names not held are ignored; messages are deleted', async () => {
    const a = unique('a')
    const b = unique('b')
    const other = unique('other')
    sm.createSecret(a, canary('watch-a1'))
    sm.createSecret(b, canary('watch-b1'))
    sm.createSecret(other, canary('watch-other'))
    const { provider, refreshed, errors, watch } = setup()
    await provider.getSecret(a)
    await provider.getSecret(b)
    const rotations: RotateEvent[] = []
    provider.on('rotate', (e) => rotations.push(e))
    watch()
    const a2 = canary('watch-a2')
    const b2 = canary('watch-b2')
    sm.putSecretValue(a, a2)
    sm.putSecretValue(b, b2)
    sm.putSecretValue(other, canary('watch-other2'))
    await expect.poll(() => rotations.length, { timeout: 5_000 }).toBe(2)
    await expect.poll(drained, { timeout: 5_000 }).toBe(0)
    expect(Object.fromEntries(tally(refreshed))).toEqual({ [a]: 1, [b]: 1 })
    expect(await provider.getSecret(a)).toBe(a2)
    expect(await provider.getSecret(b)).toBe(b2)
    expect(provider.describe(other)).toBeUndefined()
    expect(errors).toEqual([])
    expect(sqs.callCount('DeleteMessageBatch')).toBeGreaterThanOrEqual(1)
  })

  it('a rotation (PutSecretValue then RotationSucceeded) reaches the provider: one GetSecretValue for the new version', async () => {
    const name = unique('rotated')
    const { versionId: v1 } = sm.createSecret(name, canary('watch-rot1'))
    const { provider, watch } = setup()
    await provider.getSecret(name)
    const rotated = new Promise<RotateEvent>((resolve) => provider.on('rotate', resolve))
    watch()
    const next = canary('watch-rot2')
    const { versionId: v2 } = sm.rotate(name, next)
    expect(await rotated).toEqual({ name, oldVersion: v1, newVersion: v2 })
    await expect.poll(drained, { timeout: 5_000 }).toBe(0)
    expect(await provider.getSecret(name)).toBe(next)
    expect(sm.callCount('GetSecretValue')).toBe(2)
  })

  it('events that name the secret by ARN reach a provider holding it by name, and the other way round', async () => {
    const byName = unique('by-name')
    const { arn } = sm.createSecret(byName, canary('watch-arn1'))
    const other = unique('by-arn')
    const { arn: otherArn } = sm.createSecret(other, canary('watch-arn2'))
    const { provider, refreshed, watch } = setup()
    await provider.getSecret(byName)
    await provider.getSecret(otherArn)
    watch()
    sm.putSecretValue(arn, canary('watch-arn1b')) // the event's secretId is the ARN
    sm.putSecretValue(other, canary('watch-arn2b')) // the event's secretId is the name
    await expect.poll(() => tally(refreshed).size, { timeout: 5_000 }).toBe(2)
    expect(Object.fromEntries(tally(refreshed))).toEqual({ [byName]: 1, [otherArn]: 1 })
  })

  it('SDK API calls (UpdateSecretVersionStage) publish events too', async () => {
    const name = unique('stage')
    sm.createSecret(name, canary('watch-stage1'))
    const { versionId } = sm.putSecretValue(name, canary('watch-stage2'), ['AWSPENDING'])
    const { provider, refreshed, watch } = setup()
    await provider.getSecret(name)
    // the AWSPENDING put's event is on the queue already: its refresh finds AWSCURRENT unchanged
    watch()
    await expect.poll(() => tally(refreshed).get(name), { timeout: 5_000 }).toBe(1)
    await expect.poll(drained, { timeout: 5_000 }).toBe(0)
    expect(sm.callCount('GetSecretValue')).toBe(1)
    const { SecretsManagerClient, UpdateSecretVersionStageCommand, ListSecretVersionIdsCommand } =
      await import('@aws-sdk/client-secrets-manager')
    const client = new SecretsManagerClient({ ...sm.clientConfig })
    const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: name }))
    const current = listed.Versions?.find((v) => v.VersionStages?.includes('AWSCURRENT'))?.VersionId
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: versionId,
        RemoveFromVersionId: current,
      }),
    )
    client.destroy()
    await expect.poll(() => provider.describe(name)?.version, { timeout: 5_000 }).toBe(versionId)
    expect(tally(refreshed).get(name)).toBe(2)
  })

  it('ignores well-formed events it does not act on (another source, a read), and deletes them without a report', async () => {
    const name = unique('unrelated')
    sm.createSecret(name, canary('watch-unrelated'))
    const { provider, refreshed, errors, watch } = setup()
    await provider.getSecret(name)
    watch()
    sqs.sendMessage(
      queueUrl,
      JSON.stringify({
        version: '0',
        source: 'aws.ec2',
        'detail-type': 'EC2 Instance State-change Notification',
        detail: {},
      }),
    )
    const read = eventBridgeEvent({
      eventName: 'PutSecretValue',
      region: 'us-east-1',
      accountId: '123456789012',
      arn: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-abcdef`,
      secretId: name,
      time: Date.now(),
    }) as { detail: { eventName: string } }
    read.detail.eventName = 'GetSecretValue'
    sqs.sendMessage(queueUrl, JSON.stringify(read))
    await expect.poll(drained, { timeout: 5_000 }).toBe(0)
    expect(tally(refreshed).size).toBe(0)
    expect(errors).toEqual([])
  })

  it('deletes malformed messages and reports each, with a code and without the body', async () => {
    const { errors, refreshed, watch } = setup()
    const marker = canary('watch-malformed')
    const bodies = [
      `not json ${marker}`,
      JSON.stringify([marker]),
      JSON.stringify({ note: marker }),
      JSON.stringify({
        source: 'aws.secretsmanager',
        'detail-type': 'AWS API Call via CloudTrail',
        detail: { eventName: 'PutSecretValue', requestParameters: { note: marker } },
      }),
      JSON.stringify({ Type: 'Notification', Message: `{${marker}` }),
    ]
    const ids = bodies.map((body) => sqs.sendMessage(queueUrl, body))
    watch()
    await expect.poll(() => errors.length, { timeout: 5_000 }).toBe(bodies.length)
    await expect.poll(drained, { timeout: 5_000 }).toBe(0)
    expect(tally(refreshed).size).toBe(0)
    expect(errors.map((e) => e.context.stage)).toEqual(bodies.map(() => 'message'))
    expect(errors.map((e) => e.context.messageId).sort()).toEqual([...ids].sort())
    for (const { error } of errors) {
      expect(error.code).toBe(ErrorCode.INVALID_JSON)
      expect(error.source).toBe('aws-secrets-manager-events')
    }
    assertNoCanary(inspect(errors, { depth: 8 }), 'the reported errors')
  })

  it('survives SQS faults: reports them, backs off, and handles the event once SQS answers', async () => {
    const name = unique('faults')
    sm.createSecret(name, canary('watch-faults1'))
    const { provider, refreshed, errors, watch } = setup()
    await provider.getSecret(name)
    sqs.faults.fail('internal', { operation: 'ReceiveMessage', times: 2 })
    sqs.faults.drop({ operation: 'ReceiveMessage' })
    sqs.faults.fail('unavailable', { operation: 'DeleteMessageBatch' })
    watch()
    const next = canary('watch-faults2')
    sm.putSecretValue(name, next)
    await expect.poll(() => provider.getSecret(name), { timeout: 5_000 }).toBe(next)
    expect(tally(refreshed).get(name)).toBe(1)
    // the failed delete leaves the message; it comes back after its visibility timeout (30 s) — so
    // the test reads the report instead of waiting for it
    const stages = errors.map((e) => `${e.context.stage}:${e.error.code}`)
    expect(stages.slice(0, 3)).toEqual([
      `receive:${ErrorCode.UNAVAILABLE}`,
      `receive:${ErrorCode.UNAVAILABLE}`,
      `receive:${ErrorCode.UNAVAILABLE}`,
    ])
    await expect.poll(() => errors.some((e) => e.context.stage === 'delete'), { timeout: 5_000 }).toBe(true)
    for (const { error } of errors) expect(error.transient).toBe(true)
    expect(sqs.calls('ReceiveMessage').filter((c) => c.fault !== undefined)).toHaveLength(3)
  })

  it('stops on close(): the long poll in flight is aborted and nothing more is received', async () => {
    const { watch } = setup()
    const watcher = watch({ waitTimeSeconds: 20 })
    await expect.poll(() => sqs.callCount('ReceiveMessage'), { timeout: 5_000 }).toBe(1)
    await watcher.close()
    expect(watcher.closed).toBe(true)
    const calls = sqs.callCount('ReceiveMessage')
    sqs.sendMessage(queueUrl, 'left for later')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(sqs.callCount('ReceiveMessage')).toBe(calls)
    expect(sqs.messages(queueUrl).map((m) => m.body)).toEqual(['left for later'])
  })

  it('stops when its signal aborts', async () => {
    const { watch } = setup()
    const controller = new AbortController()
    const watcher = watch({ signal: controller.signal })
    await expect.poll(() => sqs.callCount('ReceiveMessage'), { timeout: 5_000 }).toBe(1)
    controller.abort()
    await expect.poll(() => watcher.closed).toBe(true)
    await watcher.close()
  })

  it('coalesces events for one name that arrive while its refresh waits into that refresh', async () => {
    const name = unique('coalesce')
    sm.createSecret(name, canary('watch-co1'))
    const { provider, refreshed, watch } = setup()
    await provider.getSecret(name)
    sm.putSecretValue(name, canary('watch-co2'))
    sm.putSecretValue(name, canary('watch-co3'))
    const last = canary('watch-co4')
    sm.putSecretValue(name, last)
    // all three arrive in one receive: the first schedules a refresh, the others find it waiting
    watch({ minInterval: 200, spread: 50 })
    await expect.poll(drained, { timeout: 5_000 }).toBe(0)
    await expect.poll(() => provider.getSecret(name), { timeout: 5_000 }).toBe(last)
    expect(tally(refreshed).get(name)).toBe(1)
  })

  it('reports a missing @aws-sdk/client-sqs as ERR_SECRET_INVALID_OPTIONS naming the install', async () => {
    const errors: SecretError[] = []
    const provider = { refresh: async () => undefined, describe: () => undefined }
    const watcher = watchSecretsManagerEvents(
      {
        provider,
        queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q',
        onError: (e) => errors.push(e),
      },
      async () => {
        throw Object.assign(new Error("Cannot find package '@aws-sdk/client-sqs'"), {
          code: 'ERR_MODULE_NOT_FOUND',
        })
      },
    )
    await watcher.close()
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({
      code: ErrorCode.INVALID_OPTIONS,
      message: expect.stringContaining('npm install @aws-sdk/client-sqs'),
    })
  })

  it('refuses bad options, naming the option and the value type', () => {
    const provider = { refresh: async () => undefined, describe: () => undefined }
    const q = 'https://sqs.us-east-1.amazonaws.com/123456789012/q'
    const cases: Array<[object, RegExp]> = [
      [{ provider: {}, queueUrl: q }, /"provider" must have refresh\(name\) and describe\(name\)/],
      [{ provider, queueUrl: 'queue' }, /"queueUrl" must be a queue URL.*got string/],
      [
        { provider, queueUrl: q, waitTimeSeconds: 0 },
        /"waitTimeSeconds" must be a number from 1 to 20 \(got number 0\)/,
      ],
      [{ provider, queueUrl: q, maxMessages: 11 }, /"maxMessages".*got number 11/],
      [{ provider, queueUrl: q, spread: -1 }, /"spread" must be a number from 0 to 60000/],
      [
        { provider, queueUrl: q, client: { send: async () => ({}) }, region: 'x' },
        /region configure a client the watcher builds/,
      ],
    ]
    for (const [options, message] of cases) {
      expect(() => watchSecretsManagerEvents(options as never)).toThrow(
        expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS, message: expect.stringMatching(message) }),
      )
    }
  })
})
