import { randomUUID } from 'node:crypto'
import type { SqsEmulator } from '../sqs/emulator.js'

/** Where the Secrets Manager emulator publishes change events: a queue of an SQS emulator. */
export interface SecretsManagerEventTarget {
  /** The SQS emulator that holds the queue. */
  sqs: SqsEmulator
  /** The queue, by URL or name. It must exist (`sqs.createQueue(name)`). */
  queue: string
}

/** The change events the emulator publishes, as CloudTrail names them. */
export type SecretsManagerEventName = 'PutSecretValue' | 'UpdateSecretVersionStage' | 'RotationSucceeded'

/** What one event is about. Never a secret value: CloudTrail does not log `SecretString`. */
export interface SecretChange {
  eventName: SecretsManagerEventName
  region: string
  accountId: string
  /** The secret's full ARN. */
  arn: string
  /** The id the request named (name or ARN); for service events, the ARN. */
  secretId: string
  /** Request parameters other than the secret id (`versionStage`, `moveToVersionId`…). */
  parameters?: Record<string, unknown>
  /** For PutSecretValue: the version created. */
  versionId?: string
  /** For PutSecretValue: the stages the version got. */
  versionStages?: string[]
  time: number
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/**
 * The EventBridge event an EventBridge rule delivers to an SQS target for a Secrets Manager
 * change: the envelope (`detail-type`, `source: 'aws.secretsmanager'`…) around the CloudTrail
 * record in `detail`. API calls are `AWS API Call via CloudTrail` with `requestParameters` and
 * `responseElements`; `RotationSucceeded` is an `AWS Service Event via CloudTrail` whose secret is
 * in `additionalEventData.SecretId`. See docs/wire-facts.md#fleet-scale-quotas-events-and-sqs.
 */
export function eventBridgeEvent(change: SecretChange): object {
  const service = change.eventName === 'RotationSucceeded'
  const time = isoSeconds(change.time)
  const detail = service
    ? {
        eventVersion: '1.08',
        userIdentity: { accountId: change.accountId, invokedBy: 'secretsmanager.amazonaws.com' },
        eventTime: time,
        eventSource: 'secretsmanager.amazonaws.com',
        eventName: change.eventName,
        awsRegion: change.region,
        sourceIPAddress: 'secretsmanager.amazonaws.com',
        userAgent: 'secretsmanager.amazonaws.com',
        requestParameters: null,
        responseElements: null,
        additionalEventData: { SecretId: change.arn },
        requestID: randomUUID(),
        eventID: randomUUID(),
        readOnly: false,
        eventType: 'AwsServiceEvent',
        managementEvent: true,
        recipientAccountId: change.accountId,
        eventCategory: 'Management',
      }
    : {
        eventVersion: '1.08',
        userIdentity: {
          type: 'IAMUser',
          principalId: 'AIDAEMULATOR0000000000',
          arn: `arn:aws:iam::${change.accountId}:user/emulator`,
          accountId: change.accountId,
          accessKeyId: 'AKIAEMULATOR00000000',
          userName: 'emulator',
        },
        eventTime: time,
        eventSource: 'secretsmanager.amazonaws.com',
        eventName: change.eventName,
        awsRegion: change.region,
        sourceIPAddress: '127.0.0.1',
        userAgent: 'latchkey-emulator',
        requestParameters: { secretId: change.secretId, ...change.parameters },
        responseElements:
          change.eventName === 'PutSecretValue'
            ? { arn: change.arn, versionId: change.versionId, versionStages: change.versionStages }
            : { arn: change.arn, name: change.arn.slice(change.arn.indexOf(':secret:') + 8, -7) },
        requestID: randomUUID(),
        eventID: randomUUID(),
        readOnly: false,
        eventType: 'AwsApiCall',
        managementEvent: true,
        recipientAccountId: change.accountId,
        eventCategory: 'Management',
      }
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': service ? 'AWS Service Event via CloudTrail' : 'AWS API Call via CloudTrail',
    source: 'aws.secretsmanager',
    account: change.accountId,
    time,
    region: change.region,
    resources: [],
    detail,
  }
}

/** Sends the event for `change` to `target`'s queue (nothing when there is no target). */
export function publish(target: SecretsManagerEventTarget | undefined, change: SecretChange): void {
  if (target === undefined) return
  target.sqs.sendMessage(target.queue, JSON.stringify(eventBridgeEvent(change)))
}
