import {
  InvalidOptionsError,
  InvalidSecretJsonError,
  SecretAccessDeniedError,
  SecretError,
  SecretThrottledError,
  SecretUnavailableError,
} from '@latchkey/core'
import {
  checkSourceOptionNames,
  describeValue,
  optionKeys,
  processWarningLogger,
} from '@latchkey/core/internal'
import { serviceCause } from '../errors.js'
import { isHttpUrl } from '../options.js'
import { isForeign, parseEventMessage, type SecretsScope, scopeOfQueue, secretIdForms } from './events.js'

/** The parts of `@aws-sdk/client-sqs` the watcher uses. */
type SqsModule = Pick<
  typeof import('@aws-sdk/client-sqs'),
  'SQSClient' | 'ReceiveMessageCommand' | 'DeleteMessageBatchCommand'
>

/** An SQS client: anything with the SDK client's `send`. */
export interface SqsClientLike {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>
  destroy?(): void
}

/** What the watcher needs of a provider: `refresh` and `describe` (a `CachedSecretProvider`). */
export interface RefreshableProvider {
  refresh(name: string): Promise<void>
  describe(name: string): unknown
}

/** Where a reported error comes from. Never a secret value, never a message body. */
export interface WatcherErrorContext {
  /** `'receive'` or `'delete'` (an SQS call failed), `'message'` (a malformed message, deleted), `'refresh'` (a refresh failed). */
  stage: 'receive' | 'delete' | 'message' | 'refresh'
  queueUrl: string
  /** The SQS message id, for `'message'` and `'delete'`. */
  messageId?: string
  /** The secret, for `'refresh'`. */
  secretName?: string
}

/** What one handled event did, for {@link WatchSecretsManagerEventsOptions.onEvent}. */
export interface WatchedEvent {
  /** The CloudTrail event name, such as `'PutSecretValue'`. */
  eventName: string
  /** The ids the event named. */
  secretIds: string[]
  /** The names the provider holds that the event refers to (a refresh is scheduled for each). */
  refreshed: string[]
}

/** Options for {@link watchSecretsManagerEvents}. */
export interface WatchSecretsManagerEventsOptions {
  /** The provider whose held secrets are refreshed (`refresh(name)`) when an event names them. */
  provider: RefreshableProvider
  /** The queue the EventBridge rule sends to. */
  queueUrl: string
  /**
   * An `SQSClient` you built; the watcher never destroys it. Do not combine with `region`,
   * `endpoint` or `credentials`.
   * @default a client the watcher builds (from `@aws-sdk/client-sqs`) and destroys on `close()`
   */
  client?: SqsClientLike
  /** Region of a built client. @default the SDK's region chain */
  region?: string
  /** Endpoint of a built client (an emulator, a VPC endpoint). @default the Region's endpoint */
  endpoint?: string
  /** Credentials of a built client. @default the SDK's default credential chain */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  /** Long-poll wait of each ReceiveMessage, 1–20 seconds. @default 20 */
  waitTimeSeconds?: number
  /** Messages per ReceiveMessage, 1–10. @default 10 */
  maxMessages?: number
  /**
   * Each refresh waits a random time in [0, spread) ms, so that a fleet of instances that receive
   * the same event does not read the secret in the same second: 10,000 instances over 2 s are
   * 5,000 GetSecretValue/s, half the Region's quota. 0 refreshes at once (one process, tests).
   * From 0 to 60_000.
   * @default 2_000
   */
  spread?: number
  /**
   * Least time between two refreshes of one name, in ms; events that arrive while a refresh of
   * the name is waiting are handled by it. Keep it at or above the provider's
   * `minRefreshInterval`, which otherwise skips the refresh. From 0 to 60_000.
   * @default 1_000
   */
  minInterval?: number
  /**
   * Least time from the start of a ReceiveMessage that answered no messages to the start of the
   * next one, in ms. A long poll that waited `waitTimeSeconds` is never held back; an endpoint
   * that answers at once (a proxy or emulator that ignores `WaitTimeSeconds`) is asked at most
   * once per interval instead of in a tight loop. From 10 to 600_000.
   * @default 1_000
   */
  emptyReceiveInterval?: number
  /**
   * The Region and account whose secrets the provider's short names (names, not ARNs) mean. An
   * event whose secret ARN (or, for an event without an ARN, whose envelope `region`/`account`)
   * is outside it refreshes only names held as that secret's full or partial ARN, never a held
   * short name of the same text. A part that is neither given nor known is not checked.
   * @default the Region and account of `queueUrl` (`https://sqs.<region>.amazonaws.com/<account>/<queue>`), with `region` first for the Region
   */
  secretsScope?: SecretsScope
  /** Backoff after a failed ReceiveMessage: full jitter from `baseDelay` ms, capped at `maxDelay` ms. @default { baseDelay: 1_000, maxDelay: 30_000 } */
  backoff?: { baseDelay?: number; maxDelay?: number }
  /** Stops the watcher when it fires, like `close()`. */
  signal?: AbortSignal
  /**
   * Told about every failure: SQS calls that failed (the watcher backs off and goes on), malformed
   * messages (deleted), refreshes that failed (the cache's TTL still applies). The error carries a
   * latchkey `code`; neither it nor the context holds a secret value or a message body.
   * @default a process warning (code `LATCHKEY_SQS_WATCHER`)
   */
  onError?: (error: SecretError, context: WatcherErrorContext) => void
  /** Told about every change event for a held secret, after its refreshes are scheduled. */
  onEvent?: (event: WatchedEvent) => void
  /** Random source in [0, 1) for `spread` and backoff. @default Math.random */
  random?: () => number
}

/** A running watcher. */
export interface SecretsManagerEventWatcher {
  /** Stops polling (aborting the long poll in flight), cancels waiting refreshes, destroys a built client. */
  close(): Promise<void>
  /** True once closed (by `close()` or the signal). */
  readonly closed: boolean
}

/**
 * Loads `@aws-sdk/client-sqs` (the optional peer is loaded when a watcher starts); tests replace
 * it to simulate a missing package. Typed loosely so the declarations of `@latchkey/aws` do not
 * refer to `@aws-sdk/client-sqs`.
 */
export type SqsLoader = () => Promise<unknown>
const importSqs: SqsLoader = () => import('@aws-sdk/client-sqs')

const SOURCE = 'aws-secrets-manager-events'

function checkNumber(name: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidOptionsError(
      `watchSecretsManagerEvents: option "${name}" must be a number from ${min} to ${max} (got ${describeValue(value)})`,
    )
  }
  return value
}

function checkInteger(name: string, value: unknown, min: number, max: number, fallback: number): number {
  const n = checkNumber(name, value, min, max, fallback)
  if (!Number.isInteger(n)) {
    throw new InvalidOptionsError(
      `watchSecretsManagerEvents: option "${name}" must be a whole number from ${min} to ${max} (got ${describeValue(value)})`,
    )
  }
  return n
}

/** An SQS failure as a latchkey error: throttling, access denied, or unavailable (transient). */
function sqsError(error: unknown, queueUrl: string, operation: string): SecretError {
  const name = String((error as { name?: unknown })?.name ?? '')
  const options = { source: SOURCE, cause: serviceCause(error) }
  const what = `SQS ${operation} on ${queueUrl} failed (${name || 'error'})`
  if (/Throttl|RequestThrottled|OverLimit/.test(name)) return new SecretThrottledError(options, what)
  if (
    /AccessDenied|NotAuthorized|InvalidClientTokenId|SignatureDoesNotMatch|NonExistentQueue|QueueDoesNotExist/.test(
      name,
    )
  ) {
    return new SecretAccessDeniedError(options, what)
  }
  return new SecretUnavailableError(options, what)
}

function resolveScope(given: unknown, queueUrl: string, region: string | undefined): SecretsScope {
  if (given === undefined) return scopeOfQueue(queueUrl, region)
  const scope = given as Record<string, unknown>
  if (
    typeof given !== 'object' ||
    given === null ||
    (scope.region !== undefined && (typeof scope.region !== 'string' || scope.region === '')) ||
    (scope.accountId !== undefined &&
      (typeof scope.accountId !== 'string' || !/^[0-9]{12}$/.test(scope.accountId)))
  ) {
    throw new InvalidOptionsError(
      'watchSecretsManagerEvents: option "secretsScope" must be { region?: a Region name, accountId?: 12 digits }',
    )
  }
  return given as SecretsScope
}

interface NameState {
  timer?: ReturnType<typeof setTimeout>
  waiting: boolean
  last: number
  running?: Promise<void>
}

interface Received {
  MessageId?: string
  ReceiptHandle?: string
  Body?: string
}

/**
 * Watches an SQS queue fed by an EventBridge rule for Secrets Manager change events
 * (`PutSecretValue`, `UpdateSecretVersionStage`, `RotationSucceeded`, …, as CloudTrail delivers
 * them) and calls `provider.refresh(name)` for the secrets the provider holds, so a rotation
 * reaches this process in seconds instead of at the next refresh. Long-polls with ReceiveMessage;
 * deletes every message once it is handled (a malformed one is deleted and reported); backs off
 * when SQS fails. Needs `@aws-sdk/client-sqs` (an optional peer dependency) and, for a fleet, one
 * queue per instance (see the README: one message is received by one consumer).
 */
export function watchSecretsManagerEvents(
  options: WatchSecretsManagerEventsOptions,
  loadSqs: SqsLoader = importSqs,
): SecretsManagerEventWatcher {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(
      `watchSecretsManagerEvents: options must be an object (got ${describeValue(options)})`,
    )
  }
  checkSourceOptionNames(options, WATCHER_OPTION_KEYS, 'watchSecretsManagerEvents')
  const { provider, queueUrl, client } = options
  if (typeof provider?.refresh !== 'function' || typeof provider.describe !== 'function') {
    throw new InvalidOptionsError(
      'watchSecretsManagerEvents: option "provider" must have refresh(name) and describe(name) (a CachedSecretProvider)',
    )
  }
  if (typeof queueUrl !== 'string' || !URL.canParse(queueUrl)) {
    throw new InvalidOptionsError(
      `watchSecretsManagerEvents: option "queueUrl" must be a queue URL such as https://sqs.us-east-1.amazonaws.com/123456789012/name (got ${describeValue(queueUrl)})`,
    )
  }
  if (client !== undefined) {
    if (typeof (client as { send?: unknown }).send !== 'function') {
      throw new InvalidOptionsError('watchSecretsManagerEvents: option "client" must be an SQSClient')
    }
    const extra = (['region', 'endpoint', 'credentials'] as const).filter((k) => options[k] !== undefined)
    if (extra.length > 0) {
      throw new InvalidOptionsError(
        `watchSecretsManagerEvents: ${extra.join(', ')} configure a client the watcher builds; with { client }, set them on your client instead`,
      )
    }
  }
  if (options.endpoint !== undefined && !isHttpUrl(options.endpoint)) {
    throw new InvalidOptionsError(
      'watchSecretsManagerEvents: option "endpoint" must be an http:// or https:// URL such as https://sqs.us-east-1.amazonaws.com',
    )
  }
  const waitTimeSeconds = checkInteger('waitTimeSeconds', options.waitTimeSeconds, 1, 20, 20)
  const maxMessages = checkInteger('maxMessages', options.maxMessages, 1, 10, 10)
  const spread = checkNumber('spread', options.spread, 0, 60_000, 2_000)
  const minInterval = checkNumber('minInterval', options.minInterval, 0, 60_000, 1_000)
  const baseDelay = checkNumber('backoff.baseDelay', options.backoff?.baseDelay, 0, 600_000, 1_000)
  const maxDelay = checkNumber('backoff.maxDelay', options.backoff?.maxDelay, 0, 600_000, 30_000)
  const emptyReceiveInterval = checkNumber(
    'emptyReceiveInterval',
    options.emptyReceiveInterval,
    10,
    600_000,
    1_000,
  )
  const scope = resolveScope(options.secretsScope, queueUrl, options.region)
  const random = options.random ?? Math.random
  const fallbackLogger = processWarningLogger('LATCHKEY_SQS_WATCHER')
  const report = (error: SecretError, context: WatcherErrorContext): void => {
    try {
      if (options.onError !== undefined) options.onError(error, context)
      else fallbackLogger.warn(error.message, { code: error.code, ...context })
    } catch {
      // a throwing listener never stops the watcher
    }
  }

  const stop = new AbortController()
  const names = new Map<string, NameState>()
  let closed = false
  let sdk: SqsModule | undefined
  let sqs: SqsClientLike | undefined
  let ownsClient = false

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (stop.signal.aborted) return resolve()
      const done = () => {
        clearTimeout(timer)
        stop.signal.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      timer.unref?.()
      stop.signal.addEventListener('abort', done, { once: true })
    })

  /** One refresh of `name` after the spread, at least `minInterval` after the last one; coalesces while waiting. */
  const schedule = (name: string): void => {
    let state = names.get(name)
    if (state === undefined) {
      state = { waiting: false, last: Number.NEGATIVE_INFINITY }
      names.set(name, state)
    }
    if (state.waiting) return
    state.waiting = true
    const s = state
    const delay = Math.max(spread > 0 ? random() * spread : 0, s.last + minInterval - Date.now())
    const fire = async () => {
      s.timer = undefined
      if (closed) return
      // a refresh of this name still running: this one starts after it
      if (s.running !== undefined) await s.running
      if (closed) return
      s.waiting = false
      s.last = Date.now()
      const run = provider
        .refresh(name)
        .catch((error: unknown) => {
          if (closed) return
          const e =
            error instanceof SecretError
              ? error
              : new SecretUnavailableError({ secretName: name, source: SOURCE, cause: error })
          report(e, { stage: 'refresh', queueUrl, secretName: name })
        })
        .finally(() => {
          if (s.running === run) s.running = undefined
        })
      s.running = run
    }
    s.timer = setTimeout(() => void fire(), Math.max(0, delay))
    s.timer.unref?.()
  }

  const handle = (message: Received): boolean => {
    const parsed = parseEventMessage(message.Body)
    if (parsed.kind === 'malformed') {
      report(new InvalidSecretJsonError(parsed.reason, { source: SOURCE }), {
        stage: 'message',
        queueUrl,
        ...(message.MessageId === undefined ? {} : { messageId: message.MessageId }),
      })
      return true
    }
    if (parsed.kind === 'other') return true
    const held = new Set<string>()
    const foreign = isForeign(parsed, scope)
    for (const id of parsed.secretIds) {
      for (const form of secretIdForms(id)) {
        if (foreign && !form.startsWith('arn:')) continue
        try {
          if (provider.describe(form) !== undefined) held.add(form)
        } catch {
          // not a name this provider accepts: not held
        }
      }
    }
    for (const name of held) schedule(name)
    if (held.size > 0) {
      try {
        options.onEvent?.({ eventName: parsed.eventName, secretIds: parsed.secretIds, refreshed: [...held] })
      } catch {
        // a throwing listener never stops the watcher
      }
    }
    return true
  }

  const remove = async (messages: Received[]): Promise<void> => {
    const entries = messages
      .filter((m) => m.ReceiptHandle !== undefined)
      .map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string }))
    if (entries.length === 0 || sdk === undefined || sqs === undefined) return
    try {
      const reply = (await sqs.send(
        new sdk.DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
        {
          abortSignal: stop.signal,
        },
      )) as { Failed?: Array<{ Id?: string; Code?: string }> }
      for (const failed of reply.Failed ?? []) {
        const message = messages[Number(failed.Id)]
        report(
          sqsError(
            Object.assign(new Error(failed.Code ?? ''), { name: failed.Code ?? 'Error' }),
            queueUrl,
            'DeleteMessageBatch',
          ),
          {
            stage: 'delete',
            queueUrl,
            ...(message?.MessageId === undefined ? {} : { messageId: message.MessageId }),
          },
        )
      }
    } catch (error) {
      if (!closed) report(sqsError(error, queueUrl, 'DeleteMessageBatch'), { stage: 'delete', queueUrl })
    }
  }

  const loop = async (): Promise<void> => {
    try {
      const loaded = (await loadSqs()) as Partial<SqsModule> | undefined
      if (
        typeof loaded?.ReceiveMessageCommand !== 'function' ||
        typeof loaded.DeleteMessageBatchCommand !== 'function' ||
        typeof loaded.SQSClient !== 'function'
      ) {
        throw new TypeError(
          'the module does not export SQSClient, ReceiveMessageCommand and DeleteMessageBatchCommand',
        )
      }
      sdk = loaded as SqsModule
    } catch (error) {
      report(
        new InvalidOptionsError(
          'watchSecretsManagerEvents needs the optional peer dependency @aws-sdk/client-sqs (3.x): install it with `npm install @aws-sdk/client-sqs` (or pnpm add / yarn add)',
          { source: SOURCE, cause: error },
        ),
        { stage: 'receive', queueUrl },
      )
      closed = true
      return
    }
    if (closed) return
    if (client !== undefined) {
      sqs = client
    } else {
      sqs = new sdk.SQSClient({
        ...(options.region === undefined ? {} : { region: options.region }),
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
        ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      }) as unknown as SqsClientLike
      ownsClient = true
    }
    let failures = 0
    while (!closed) {
      let messages: Received[]
      const started = Date.now()
      try {
        const reply = (await sqs.send(
          new sdk.ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: maxMessages,
            WaitTimeSeconds: waitTimeSeconds,
          }),
          { abortSignal: stop.signal },
        )) as { Messages?: Received[] }
        messages = reply.Messages ?? []
        failures = 0
      } catch (error) {
        if (closed) break
        failures++
        report(sqsError(error, queueUrl, 'ReceiveMessage'), { stage: 'receive', queueUrl })
        await sleep(Math.max(1, Math.floor(random() * Math.min(maxDelay, baseDelay * 2 ** (failures - 1)))))
        continue
      }
      if (closed) break
      const handled = messages.filter((message) => handle(message))
      await remove(handled)
      if (messages.length === 0) {
        const early = started + emptyReceiveInterval - Date.now()
        if (early > 0) await sleep(early)
      }
    }
  }

  const running = loop()
  const close = async (): Promise<void> => {
    if (!closed) {
      closed = true
      stop.abort()
      for (const state of names.values()) clearTimeout(state.timer)
    }
    await running
    if (ownsClient) {
      ownsClient = false
      sqs?.destroy?.()
    }
  }
  if (options.signal !== undefined) {
    if (options.signal.aborted) void close()
    else options.signal.addEventListener('abort', () => void close(), { once: true })
  }
  return {
    close,
    get closed() {
      return closed
    },
  }
}

const WATCHER_OPTION_KEYS = optionKeys<WatchSecretsManagerEventsOptions>({
  provider: true,
  queueUrl: true,
  client: true,
  region: true,
  endpoint: true,
  credentials: true,
  waitTimeSeconds: true,
  maxMessages: true,
  spread: true,
  minInterval: true,
  emptyReceiveInterval: true,
  secretsScope: true,
  backoff: true,
  signal: true,
  onError: true,
  onEvent: true,
  random: true,
})
