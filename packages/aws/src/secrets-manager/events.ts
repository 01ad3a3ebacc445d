/**
 * Reading Secrets Manager change events as an EventBridge rule delivers them to SQS (optionally
 * through SNS): which event it is and which secret it names. Pure functions, no I/O.
 * See docs/wire-facts.md#fleet-scale-quotas-events-and-sqs.
 */

/** The CloudTrail event names that change what a read of a secret returns. */
export const CHANGE_EVENTS: readonly string[] = [
  'PutSecretValue',
  'UpdateSecretVersionStage',
  'RotationSucceeded',
  'UpdateSecret',
  'RestoreSecret',
  'DeleteSecret',
  'CancelRotateSecret',
]

/** What a message says, as far as the watcher cares. */
export type ParsedMessage =
  | {
      kind: 'change'
      eventName: string
      secretIds: string[]
      /** The envelope's `region` and `account`, when it has them. */
      region?: string
      account?: string
    }
  /** A well-formed event the watcher does not act on (another source, a read such as GetSecretValue). */
  | { kind: 'other' }
  /** Not an event: `reason` says what is wrong, never what the body holds. */
  | { kind: 'malformed'; reason: string }

function object(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined
}

/**
 * Parses one message body: an EventBridge event (`source`, `detail-type`, `detail` = the CloudTrail
 * record), or an SNS notification whose `Message` is one. The secret is in
 * `detail.requestParameters.secretId` (API calls: a name or an ARN, as the caller gave it),
 * `detail.additionalEventData.SecretId` (service events such as `RotationSucceeded`: the ARN), or
 * `detail.responseElements.arn` (spelled `aRN` by some operations before February 2024).
 */
export function parseEventMessage(body: string | undefined): ParsedMessage {
  if (body === undefined || body === '') return { kind: 'malformed', reason: 'the message has no body' }
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return { kind: 'malformed', reason: 'the message body is not JSON' }
  }
  let event = object(parsed)
  if (event === undefined) return { kind: 'malformed', reason: 'the message body is not a JSON object' }
  if (event.Type === 'Notification' && typeof event.Message === 'string') {
    try {
      event = object(JSON.parse(event.Message))
    } catch {
      return { kind: 'malformed', reason: 'the SNS notification Message is not JSON' }
    }
    if (event === undefined)
      return { kind: 'malformed', reason: 'the SNS notification Message is not a JSON object' }
  }
  if (typeof event.source !== 'string' || typeof event['detail-type'] !== 'string') {
    return { kind: 'malformed', reason: 'the message is not an EventBridge event (no source or detail-type)' }
  }
  if (event.source !== 'aws.secretsmanager') return { kind: 'other' }
  const detail = object(event.detail)
  if (detail === undefined || typeof detail.eventName !== 'string') {
    return { kind: 'malformed', reason: 'the Secrets Manager event has no detail.eventName' }
  }
  if (!CHANGE_EVENTS.includes(detail.eventName)) return { kind: 'other' }
  const ids = [
    object(detail.requestParameters)?.secretId,
    object(detail.additionalEventData)?.SecretId,
    object(detail.responseElements)?.arn,
    object(detail.responseElements)?.aRN,
  ].filter((id): id is string => typeof id === 'string' && id !== '')
  if (ids.length === 0) {
    return { kind: 'malformed', reason: `the ${detail.eventName} event names no secret` }
  }
  return {
    kind: 'change',
    eventName: detail.eventName,
    secretIds: [...new Set(ids)],
    ...(typeof event.region === 'string' ? { region: event.region } : {}),
    ...(typeof event.account === 'string' ? { account: event.account } : {}),
  }
}

/** `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6 characters>` */
const SECRET_ARN = /^(arn:[^:]+:secretsmanager:[^:]+:[^:]+:secret:)(.+?)(-[A-Za-z0-9]{6})?$/

/**
 * Every id a secret may be held under, given one id from an event: the id itself and, for an ARN,
 * the secret's name and its partial ARN (without the 6-character suffix). A cache keys secrets by
 * the id the app asked for, which may be any of these.
 */
export function secretIdForms(id: string): string[] {
  const forms = new Set([id])
  const match = SECRET_ARN.exec(id)
  if (match !== null) {
    const [, prefix, name, suffix] = match as unknown as [string, string, string, string | undefined]
    forms.add(name)
    forms.add(`${prefix}${name}`)
    if (suffix === undefined) forms.add(id)
  }
  return [...forms]
}

/** The Region and account whose secrets short names refer to; a part left out is not checked. */
export interface SecretsScope {
  region?: string
  accountId?: string
}

const ARN_PARTS = /^arn:[^:]+:secretsmanager:([^:]*):([^:]*):secret:/

/**
 * True when the event is about a secret outside `scope`: one of its ARNs, or without an ARN its
 * envelope, names another Region or account. Such an event may refresh a name held as that
 * secret's full or partial ARN, never a short name, which means the secret of `scope`.
 */
export function isForeign(
  event: { secretIds: string[]; region?: string; account?: string },
  scope: SecretsScope,
): boolean {
  const outside = (region: string | undefined, account: string | undefined) =>
    (scope.region !== undefined && region !== undefined && region !== scope.region) ||
    (scope.accountId !== undefined && account !== undefined && account !== scope.accountId)
  const arns = event.secretIds.map((id) => ARN_PARTS.exec(id)).filter((m) => m !== null)
  if (arns.length > 0) return arns.some((m) => outside(m[1], m[2]))
  return outside(event.region, event.account)
}

/**
 * The scope short names refer to when none is given: the Region and account of the queue URL
 * (`https://sqs.<region>.amazonaws.com/<account>/<queue>`), the client's `region` first.
 */
export function scopeOfQueue(queueUrl: string, region: string | undefined): SecretsScope {
  const url = new URL(queueUrl)
  const host = /^sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(url.hostname)?.[1]
  const account = /^\/([0-9]{12})\//.exec(url.pathname)?.[1]
  const scopeRegion = region ?? host
  return {
    ...(scopeRegion === undefined ? {} : { region: scopeRegion }),
    ...(account === undefined ? {} : { accountId: account }),
  }
}
