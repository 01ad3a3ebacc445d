import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs'
import { ErrorCode } from '@latchkey/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSecretsManagerEmulator } from '../secrets-manager/index.js'
import { type SqsEmulator, startSqsEmulator } from './index.js'

let sqs: SqsEmulator
let client: SQSClient
let n = 0

beforeAll(async () => {
  sqs = await startSqsEmulator()
  client = new SQSClient({ ...sqs.clientConfig, maxAttempts: 1 })
})
afterAll(async () => {
  client.destroy()
  await sqs.close()
})

describe('SQS emulator with @aws-sdk/client-sqs (AWS JSON 1.0)', () => {
  it('CreateQueue, GetQueueUrl, SendMessage and ReceiveMessage round-trip; the SDK checks the MD5 digests', async () => {
    const name = `q-${++n}`
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name }))
    expect(QueueUrl).toBe(`${sqs.endpoint}/123456789012/${name}`)
    expect((await client.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl).toBe(QueueUrl)
    const sent = await client.send(new SendMessageCommand({ QueueUrl, MessageBody: 'héllo {"a":1}' }))
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/)
    const got = await client.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))
    expect(got.Messages?.map((m) => m.Body)).toEqual(['héllo {"a":1}'])
    expect(sqs.calls().map((c) => c.operation)).toContain('ReceiveMessage')
  })

  it('long polling: ReceiveMessage with WaitTimeSeconds returns as soon as a message arrives', async () => {
    const url = sqs.createQueue(`q-${++n}`)
    const pending = client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }))
    await expect.poll(() => sqs.calls('ReceiveMessage').filter((c) => c.queue === url).length).toBe(1)
    sqs.sendMessage(url, 'wake up')
    const got = await pending
    expect(got.Messages?.map((m) => m.Body)).toEqual(['wake up'])
  })

  it('an empty long poll ends after WaitTimeSeconds with no Messages', async () => {
    const url = sqs.createQueue(`q-${++n}`)
    const got = await client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }))
    expect(got.Messages).toBeUndefined()
  })

  it('a received message is hidden for its visibility timeout and comes back unless deleted', async () => {
    const url = sqs.createQueue(`q-${++n}`)
    sqs.sendMessage(url, 'once')
    const first = await client.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 1 }))
    expect(first.Messages).toHaveLength(1)
    expect((await client.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined()
    const again = await client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 2 }))
    expect(again.Messages?.map((m) => m.Body)).toEqual(['once'])
    expect(sqs.messages(url)[0]?.receiveCount).toBe(2)
    await client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again.Messages?.[0]?.ReceiptHandle }),
    )
    expect(sqs.messages(url)).toEqual([])
  })

  it('DeleteMessageBatch deletes each entry and reports invalid receipt handles in Failed', async () => {
    const url = sqs.createQueue(`q-${++n}`)
    sqs.sendMessage(url, 'a')
    sqs.sendMessage(url, 'b')
    const got = await client.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }))
    const entries = (got.Messages ?? []).map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle }))
    const out = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [...entries, { Id: 'bad', ReceiptHandle: 'garbage' }],
      }),
    )
    expect(out.Successful?.map((s) => s.Id)).toEqual(['0', '1'])
    expect(out.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', Code: 'ReceiptHandleIsInvalid', SenderFault: true }),
    ])
    expect(sqs.messages(url)).toEqual([])
  })

  it('a missing queue is QueueDoesNotExist', async () => {
    const error = (await client
      .send(new ReceiveMessageCommand({ QueueUrl: `${sqs.endpoint}/123456789012/missing` }))
      .catch((e: unknown) => e)) as Error & { $metadata: { httpStatusCode: number } }
    expect(error.name).toMatch(/QueueDoesNotExist|NonExistentQueue/)
    expect(error.$metadata.httpStatusCode).toBe(400)
  })

  it('faults: fail and drop by operation; bad faults throw ERR_SECRET_INVALID_OPTIONS', async () => {
    const url = sqs.createQueue(`q-${++n}`)
    sqs.faults.fail('internal', { operation: 'ReceiveMessage' })
    const error = await client
      .send(new ReceiveMessageCommand({ QueueUrl: url }))
      .catch((e: unknown) => e as Error & { $metadata: { httpStatusCode: number } })
    expect(error.$metadata.httpStatusCode).toBe(500)
    sqs.faults.drop({ operation: 'ReceiveMessage' })
    await expect(client.send(new ReceiveMessageCommand({ QueueUrl: url }))).rejects.toThrow()
    expect(
      sqs
        .calls('ReceiveMessage')
        .slice(-2)
        .map((c) => c.fault),
    ).toEqual(['internal', 'drop'])
    expect(() => sqs.faults.fail('nope' as never)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS }),
    )
    expect(() => sqs.faults.fail('internal', { operation: 'Nope' as never })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS }),
    )
  })
})

describe('Secrets Manager emulator events', () => {
  it('publishes EventBridge events with CloudTrail details, never a value', async () => {
    const url = sqs.createQueue(`q-${++n}`)
    const sm = await startSecretsManagerEmulator({ events: { sqs, queue: url } })
    try {
      const value = 'not-in-any-event-0123456789'
      sm.createSecret('app/x', value)
      const { versionId } = sm.rotate('app/x', `${value}-2`)
      const events = sqs.messages(url).map((m) => JSON.parse(m.body))
      expect(events.map((e) => [e['detail-type'], e.detail.eventName])).toEqual([
        ['AWS API Call via CloudTrail', 'PutSecretValue'],
        ['AWS Service Event via CloudTrail', 'RotationSucceeded'],
      ])
      expect(events[0]).toMatchObject({
        source: 'aws.secretsmanager',
        region: 'us-east-1',
        account: '123456789012',
        detail: {
          eventSource: 'secretsmanager.amazonaws.com',
          requestParameters: { secretId: 'app/x' },
          responseElements: { versionId, versionStages: ['AWSCURRENT'] },
        },
      })
      expect(events[1].detail.additionalEventData.SecretId).toMatch(
        /^arn:aws:secretsmanager:us-east-1:123456789012:secret:app\/x-\w{6}$/,
      )
      expect(JSON.stringify(events)).not.toContain(value)
    } finally {
      await sm.close()
    }
  })
})

describe('startSecretsManagerEmulator({ events: true })', () => {
  it('starts an SQS-compatible endpoint of its own, publishes to its queue, and closes it', async () => {
    const sm = await startSecretsManagerEmulator({ events: true })
    const own = sm.events
    expect(own?.queueUrl).toBe(`${own?.sqs.endpoint}/123456789012/secretsmanager-events`)
    sm.createSecret('app/own', 'first-value-000')
    sm.putSecretValue('app/own', 'second-value-000')
    const reader = new SQSClient({ ...(own?.sqs.clientConfig ?? {}), maxAttempts: 1 })
    const got = await reader.send(
      new ReceiveMessageCommand({ QueueUrl: own?.queueUrl, MaxNumberOfMessages: 10 }),
    )
    reader.destroy()
    expect(got.Messages?.map((m) => JSON.parse(m.Body ?? '{}').detail.eventName)).toEqual(['PutSecretValue'])
    await sm.close()
    await expect(fetch(`${own?.sqs.endpoint}/`)).rejects.toThrow()
  })
})
