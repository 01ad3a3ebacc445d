import { eventBridgeEvent } from '@latchkey/testing'
import { describe, expect, it } from 'vitest'
import { parseEventMessage, secretIdForms } from './events.js'

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbC123'
const base = { region: 'us-east-1', accountId: '123456789012', arn: ARN, time: 0 }

describe('parseEventMessage', () => {
  it('reads the secret id of an API call event and the ARN in responseElements', () => {
    const body = JSON.stringify(
      eventBridgeEvent({ ...base, eventName: 'PutSecretValue', secretId: 'app/db' }),
    )
    expect(parseEventMessage(body)).toEqual({
      kind: 'change',
      eventName: 'PutSecretValue',
      secretIds: ['app/db', ARN],
      region: base.region,
      account: base.accountId,
    })
  })

  it('reads additionalEventData.SecretId of RotationSucceeded (an AWS Service Event via CloudTrail)', () => {
    const event = eventBridgeEvent({ ...base, eventName: 'RotationSucceeded', secretId: ARN }) as Record<
      string,
      unknown
    >
    expect(event['detail-type']).toBe('AWS Service Event via CloudTrail')
    expect(parseEventMessage(JSON.stringify(event))).toEqual({
      kind: 'change',
      eventName: 'RotationSucceeded',
      secretIds: [ARN],
      region: base.region,
      account: base.accountId,
    })
  })

  it('accepts the older aRN spelling and an SNS notification around the event', () => {
    const event = eventBridgeEvent({
      ...base,
      eventName: 'UpdateSecretVersionStage',
      secretId: 'app/db',
    }) as {
      detail: { requestParameters: Record<string, unknown>; responseElements: Record<string, unknown> }
    }
    event.detail.requestParameters = {}
    event.detail.responseElements = { aRN: ARN }
    const sns = JSON.stringify({ Type: 'Notification', MessageId: 'm', Message: JSON.stringify(event) })
    expect(parseEventMessage(sns)).toEqual({
      kind: 'change',
      eventName: 'UpdateSecretVersionStage',
      secretIds: [ARN],
      region: base.region,
      account: base.accountId,
    })
  })

  it('tells events it does not act on from malformed messages', () => {
    expect(
      parseEventMessage(JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} })),
    ).toEqual({ kind: 'other' })
    expect(parseEventMessage('')).toMatchObject({ kind: 'malformed' })
    expect(parseEventMessage('{')).toEqual({ kind: 'malformed', reason: 'the message body is not JSON' })
    expect(parseEventMessage('{"source":"aws.secretsmanager","detail-type":"x"}')).toMatchObject({
      kind: 'malformed',
    })
  })
})

describe('secretIdForms', () => {
  it('gives the name, the partial ARN and the full ARN for a full ARN', () => {
    expect(secretIdForms(ARN).sort()).toEqual(
      [ARN, 'app/db', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db'].sort(),
    )
  })
  it('keeps a plain name as it is', () => {
    expect(secretIdForms('app/db')).toEqual(['app/db'])
  })
})
