import { createHash, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { type AwsEmulatorClientConfig, awsClientConfig } from '../shared/aws-client-config.js'
import { parseInput, targetOperation } from '../shared/aws-json.js'
import { callLog } from '../shared/call-log.js'
import { ScopedFaults } from '../shared/fault-control.js'
import { checkStatus, checkString, invalid } from '../shared/fault-plan.js'
import { closer, httpEndpoint, listen, pause, readBodyText } from '../shared/http-server.js'

/** The operations the SQS emulator implements (the `X-Amz-Target` suffix after `AmazonSQS.`). */
export type SqsOperation =
  | 'CreateQueue'
  | 'GetQueueUrl'
  | 'SendMessage'
  | 'ReceiveMessage'
  | 'DeleteMessage'
  | 'DeleteMessageBatch'

const OPERATIONS: readonly SqsOperation[] = [
  'CreateQueue',
  'GetQueueUrl',
  'SendMessage',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
]

/**
 * A named failure: `'internal'` (500 `InternalError`), `'throttling'` (400 `ThrottlingException`,
 * "Rate exceeded"), `'accessDenied'` (400 `AccessDenied`), `'unavailable'` (503 with an HTML body,
 * as a proxy sends it), `'ignoreWait'` (the call runs, but a ReceiveMessage answers at once
 * instead of long-polling for `WaitTimeSeconds`, as an endpoint that ignores it does; use it with
 * `times: Infinity`), or any `{ status, type?, message? }` JSON error.
 */
export type SqsFault =
  | 'internal'
  | 'throttling'
  | 'accessDenied'
  | 'unavailable'
  | 'ignoreWait'
  | SqsCustomFault

/** A JSON error reply of your choosing. */
export interface SqsCustomFault {
  /** HTTP status, 200–599. */
  status: number
  /** The error code (`__type`). @default no body */
  type?: string
  /** The message. @default '' */
  message?: string
}

/** Which calls a fault applies to. */
export interface SqsFaultOptions {
  /** How many matching calls it affects; `Infinity` lasts until `reset()`. @default 1 */
  times?: number
  /** Only calls of this operation match. @default every operation */
  operation?: SqsOperation
}

/** Fault injection, like the other emulators' (`InvalidOptionsError` for what it cannot use). */
export interface SqsFaults {
  /** Delays every reply (or only `operation`'s) by `ms`. 0 removes it. */
  setLatency(ms: number, options?: { operation?: SqsOperation }): void
  /** Makes the next matching calls fail with `fault`. */
  fail(fault: SqsFault, options?: SqsFaultOptions): void
  /** Makes the next matching calls end with the socket destroyed and no reply. */
  drop(options?: SqsFaultOptions): void
  /** Failures still queued. */
  readonly pending: number
  /** Removes every fault and all latency. */
  reset(): void
}

/** Options for {@link startSqsEmulator}. */
export interface SqsEmulatorOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number
  /** Address to listen on. @default '127.0.0.1' */
  host?: string
  /** Region in `clientConfig`. @default 'us-east-1' */
  region?: string
  /** Account id in queue URLs and ARNs. @default '123456789012' */
  accountId?: string
  /** Queues to create at start, by name. */
  queues?: string[]
}

/** One request the emulator received. */
export interface SqsRecordedCall {
  operation: SqsOperation | 'Unknown'
  /** The `QueueUrl` (or `QueueName`) the request named. */
  queue?: string
  /** HTTP status of the reply; 0 when none was sent. */
  status: number
  fault?: 'custom' | 'drop' | 'internal' | 'throttling' | 'accessDenied' | 'unavailable' | 'ignoreWait'
}

/** A message as the emulator holds it. */
export interface SqsMessage {
  messageId: string
  body: string
  /** How many times it was received. */
  receiveCount: number
  /** False while a receive has it hidden (its visibility timeout). */
  visible: boolean
}

/** A running SQS emulator (AWS JSON 1.0, as `@aws-sdk/client-sqs` 3.x speaks it). */
export interface SqsEmulator extends AwsEmulatorClientConfig {
  readonly faults: SqsFaults
  /** Creates a queue (or returns the existing one's URL). */
  createQueue(name: string): string
  /** The URL of a queue by name: `<endpoint>/<account>/<name>`. */
  queueUrl(name: string): string
  /** Puts a message on a queue (by URL or name), as SendMessage does; wakes long polls. Returns its id. */
  sendMessage(queue: string, body: string): string
  /** Messages still on a queue (not deleted), oldest first. */
  messages(queue: string): SqsMessage[]
  calls(operation?: SqsOperation): SqsRecordedCall[]
  callCount(operation?: SqsOperation): number
  resetCalls(): void
  close(): Promise<void>
}

interface StoredMessage {
  id: string
  body: string
  md5: string
  receiveCount: number
  invisibleUntil: number
  receipts: Set<string>
}

interface Queue {
  name: string
  url: string
  messages: StoredMessage[]
  waiters: Set<() => void>
}

class SqsError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly queryCode?: string,
  ) {
    super(message)
  }
}

const CONTENT_TYPE = 'application/x-amz-json-1.0'
const TARGET_PREFIX = 'AmazonSQS.'
const MAX_BODY = 1_048_576
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/

const noQueue = () =>
  new SqsError(
    400,
    'com.amazonaws.sqs#QueueDoesNotExist',
    'The specified queue does not exist.',
    'AWS.SimpleQueueService.NonExistentQueue;Sender',
  )
const badParameter = (message: string) =>
  new SqsError(400, 'com.amazonaws.sqs#InvalidParameterValue', message, 'InvalidParameterValue;Sender')
const badReceipt = () =>
  new SqsError(
    400,
    'com.amazonaws.sqs#ReceiptHandleIsInvalid',
    'The input receipt handle is invalid.',
    'ReceiptHandleIsInvalid;Sender',
  )

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex')
}

function integer(input: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = input[key]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badParameter(
      `Value ${String(value)} for parameter ${key} is invalid. Reason: must be between ${min} and ${max}.`,
    )
  }
  return value
}

function faultReply(
  fault: Exclude<SqsFault, 'ignoreWait'>,
  operation: string,
): { status: number; body: string; type: string; query?: string } {
  switch (fault) {
    case 'internal':
      return {
        status: 500,
        type: CONTENT_TYPE,
        body: JSON.stringify({
          __type: 'com.amazonaws.sqs#InternalError',
          message: 'We encountered an internal error. Please try again.',
        }),
        query: 'InternalError;Receiver',
      }
    case 'throttling':
      return {
        status: 400,
        type: CONTENT_TYPE,
        body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }),
      }
    case 'accessDenied':
      return {
        status: 400,
        type: CONTENT_TYPE,
        body: JSON.stringify({
          __type: 'AccessDenied',
          message: `Access to the resource is denied for sqs:${operation}.`,
        }),
        query: 'AccessDenied;Sender',
      }
    case 'unavailable':
      return {
        status: 503,
        type: 'text/html',
        body: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>',
      }
    default:
      return fault.type === undefined
        ? { status: fault.status, type: CONTENT_TYPE, body: '' }
        : {
            status: fault.status,
            type: CONTENT_TYPE,
            body: JSON.stringify({ __type: fault.type, message: fault.message ?? '' }),
          }
  }
}

// Not the shared checkFault: an SQS custom fault has no raw body or content type to accept.
function checkFault(fault: unknown): SqsFault {
  if (typeof fault === 'string') {
    if (['internal', 'throttling', 'accessDenied', 'unavailable', 'ignoreWait'].includes(fault))
      return fault as SqsFault
    return invalid(
      'faults.fail fault',
      fault,
      "'internal', 'throttling', 'accessDenied', 'unavailable', 'ignoreWait' or { status, type?, message? }",
    )
  }
  if (typeof fault !== 'object' || fault === null) {
    return invalid(
      'faults.fail fault',
      fault,
      "'internal', 'throttling', 'accessDenied', 'unavailable', 'ignoreWait' or { status, type?, message? }",
    )
  }
  const { status, type, message } = fault as SqsCustomFault
  const checked: SqsCustomFault = { status: checkStatus('faults.fail fault.status', status) }
  const t = checkString('faults.fail fault.type', type)
  const m = checkString('faults.fail fault.message', message)
  if (t !== undefined) checked.type = t
  if (m !== undefined) checked.message = m
  return checked
}

type Action = { kind: 'fail'; fault: SqsFault } | { kind: 'drop' }

/** The emulator's faults, queued in the shared fault plan. */
class SqsFaultPlan extends ScopedFaults<SqsOperation, 'operation', Action> implements SqsFaults {
  constructor() {
    super('operation', OPERATIONS)
  }

  fail(fault: SqsFault, options: SqsFaultOptions = {}): void {
    this.queue({ kind: 'fail', fault: checkFault(fault) }, options)
  }
}

/**
 * Starts a local Amazon SQS for tests: the AWS JSON 1.0 protocol `@aws-sdk/client-sqs` 3.x speaks
 * (`POST /`, `X-Amz-Target: AmazonSQS.<Operation>`), with `CreateQueue`, `GetQueueUrl`,
 * `SendMessage`, `ReceiveMessage` (long polling with `WaitTimeSeconds`, visibility timeouts),
 * `DeleteMessage` and `DeleteMessageBatch`, MD5 digests the SDK checks, and fault injection.
 */
export async function startSqsEmulator(options: SqsEmulatorOptions = {}): Promise<SqsEmulator> {
  const region = options.region ?? 'us-east-1'
  const accountId = options.accountId ?? '123456789012'
  const queues = new Map<string, Queue>()
  const recorded: SqsRecordedCall[] = []
  const plan = new SqsFaultPlan()
  const faults: SqsFaults = plan
  const closing = new AbortController()
  let endpoint = ''

  const create = (name: string): Queue => {
    if (!QUEUE_NAME.test(name))
      throw badParameter(
        `Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length`,
      )
    let queue = queues.get(name)
    if (queue === undefined) {
      queue = { name, url: `${endpoint}/${accountId}/${name}`, messages: [], waiters: new Set() }
      queues.set(name, queue)
    }
    return queue
  }
  /** A queue by URL (any host: the SDK may rewrite it) or by name. */
  const find = (ref: unknown): Queue => {
    if (typeof ref !== 'string' || ref === '')
      throw badParameter('The request must contain the parameter QueueUrl.')
    const name = ref.includes('/') ? ref.slice(ref.lastIndexOf('/') + 1) : ref
    const queue = queues.get(name)
    if (queue === undefined) throw noQueue()
    return queue
  }
  const put = (queue: Queue, body: string): StoredMessage => {
    const message: StoredMessage = {
      id: randomUUID(),
      body,
      md5: md5(body),
      receiveCount: 0,
      invisibleUntil: 0,
      receipts: new Set(),
    }
    queue.messages.push(message)
    for (const wake of [...queue.waiters]) wake()
    return message
  }
  const take = (queue: Queue, max: number, visibility: number): StoredMessage[] => {
    const now = Date.now()
    const taken: StoredMessage[] = []
    for (const message of queue.messages) {
      if (taken.length >= max) break
      if (message.invisibleUntil > now) continue
      message.invisibleUntil = now + visibility * 1_000
      message.receiveCount++
      taken.push(message)
    }
    return taken
  }
  const receipt = (message: StoredMessage): string => {
    const handle = Buffer.from(`${message.id}:${randomUUID()}`).toString('base64')
    message.receipts.add(handle)
    return handle
  }
  const remove = (queue: Queue, handle: unknown): void => {
    if (typeof handle !== 'string' || handle === '') throw badReceipt()
    const index = queue.messages.findIndex((m) => m.receipts.has(handle))
    if (index !== -1) queue.messages.splice(index, 1)
    else if (!Buffer.from(handle, 'base64').toString().includes(':')) throw badReceipt()
  }

  const run = async (
    operation: SqsOperation,
    input: Record<string, unknown>,
    req: IncomingMessage,
  ): Promise<object> => {
    switch (operation) {
      case 'CreateQueue': {
        if (typeof input.QueueName !== 'string')
          throw badParameter('The request must contain the parameter QueueName.')
        return { QueueUrl: create(input.QueueName).url }
      }
      case 'GetQueueUrl':
        return { QueueUrl: find(input.QueueName).url }
      case 'SendMessage': {
        const queue = find(input.QueueUrl)
        if (typeof input.MessageBody !== 'string' || input.MessageBody === '') {
          throw badParameter('The request must contain the parameter MessageBody.')
        }
        const message = put(queue, input.MessageBody)
        return { MessageId: message.id, MD5OfMessageBody: message.md5 }
      }
      case 'ReceiveMessage': {
        const queue = find(input.QueueUrl)
        const max = integer(input, 'MaxNumberOfMessages', 1, 10) ?? 1
        const wait = integer(input, 'WaitTimeSeconds', 0, 20) ?? 0
        const visibility = integer(input, 'VisibilityTimeout', 0, 43_200) ?? 30
        let taken = take(queue, max, visibility)
        if (taken.length === 0 && wait > 0) {
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer)
              queue.waiters.delete(done)
              closing.signal.removeEventListener('abort', done)
              req.socket.off('close', done)
              resolve()
            }
            const timer = setTimeout(done, wait * 1_000)
            queue.waiters.add(done)
            closing.signal.addEventListener('abort', done, { once: true })
            req.socket.once('close', done)
          })
          taken = take(queue, max, visibility)
        }
        if (taken.length === 0) return {}
        return {
          Messages: taken.map((m) => ({
            MessageId: m.id,
            ReceiptHandle: receipt(m),
            MD5OfBody: m.md5,
            Body: m.body,
          })),
        }
      }
      case 'DeleteMessage':
        remove(find(input.QueueUrl), input.ReceiptHandle)
        return {}
      case 'DeleteMessageBatch': {
        const queue = find(input.QueueUrl)
        const entries = Array.isArray(input.Entries) ? (input.Entries as Array<Record<string, unknown>>) : []
        if (entries.length === 0 || entries.length > 10)
          throw badParameter('There should be at least one and at most 10 entries in the request.')
        const Successful: object[] = []
        const Failed: object[] = []
        for (const entry of entries) {
          try {
            remove(queue, entry.ReceiptHandle)
            Successful.push({ Id: entry.Id })
          } catch (error) {
            const e = error as SqsError
            Failed.push({
              Id: entry.Id,
              SenderFault: true,
              Code: e.type.replace(/^.*#/, ''),
              Message: e.message,
            })
          }
        }
        return { Successful, Failed }
      }
    }
  }

  const reply = (res: ServerResponse, status: number, type: string, body: string, query?: string): void => {
    if (res.headersSent || res.destroyed) return
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': Buffer.byteLength(body),
      'x-amzn-RequestId': randomUUID(),
      ...(query === undefined ? {} : { 'x-amzn-query-error': query }),
    })
    res.end(body)
  }

  const server = createServer((req, res) => {
    res.on('error', () => undefined)
    void (async () => {
      const text = await readBodyText(req, MAX_BODY)
      if (text === null) return
      const name = targetOperation(req, TARGET_PREFIX)
      const operation = OPERATIONS.includes(name as SqsOperation) ? (name as SqsOperation) : undefined
      const input = text === undefined ? undefined : parseInput(text)
      const queueRef = input?.QueueUrl ?? input?.QueueName
      const call: SqsRecordedCall = {
        operation: operation ?? 'Unknown',
        ...(typeof queueRef === 'string' ? { queue: queueRef } : {}),
        status: 0,
      }
      recorded.push(call)
      const latency = plan.latencyFor(name)
      if (latency > 0) await pause(latency, closing.signal)
      if (closing.signal.aborted || req.socket.destroyed) return
      const respond = (status: number, type: string, body: string, query?: string) => {
        call.status = status
        reply(res, status, type, body, query)
      }
      const fail = (e: SqsError) =>
        respond(e.status, CONTENT_TYPE, JSON.stringify({ __type: e.type, message: e.message }), e.queryCode)
      const failure = plan.apply(name, call, req.socket)
      if (failure === 'dropped') return
      const ignoreWait = failure?.fault === 'ignoreWait'
      if (failure !== undefined && !ignoreWait) {
        const f = faultReply(failure.fault as Exclude<SqsFault, 'ignoreWait'>, name)
        return respond(f.status, f.type, f.body, f.query)
      }
      if (operation === undefined || req.method !== 'POST') {
        return fail(
          new SqsError(
            400,
            'com.amazonaws.sqs#InvalidAction',
            `The action ${name} is not valid for this endpoint.`,
            'AWS.SimpleQueueService.InvalidAction;Sender',
          ),
        )
      }
      if (input === undefined) {
        return fail(
          new SqsError(
            400,
            'com.amazonaws.sqs#InvalidParameterValue',
            'The request body is not a JSON object.',
          ),
        )
      }
      try {
        respond(
          200,
          CONTENT_TYPE,
          JSON.stringify(await run(operation, ignoreWait ? { ...input, WaitTimeSeconds: 0 } : input, req)),
        )
      } catch (error) {
        fail(
          error instanceof SqsError
            ? error
            : new SqsError(
                500,
                'com.amazonaws.sqs#InternalError',
                'We encountered an internal error. Please try again.',
                'InternalError;Receiver',
              ),
        )
      }
    })().catch(() => req.socket.destroy())
  })

  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1')
  endpoint = httpEndpoint(address)
  const emulator: SqsEmulator = {
    ...awsClientConfig(endpoint, region),
    faults,
    createQueue: (name) => create(name).url,
    queueUrl: (name) => find(name).url,
    sendMessage: (queue, body) => put(find(queue), body).id,
    messages: (queue) =>
      find(queue).messages.map((m) => ({
        messageId: m.id,
        body: m.body,
        receiveCount: m.receiveCount,
        visible: m.invisibleUntil <= Date.now(),
      })),
    ...callLog(recorded, (call) => call.operation),
    close: closer(server, closing),
  }
  for (const name of options.queues ?? []) emulator.createQueue(name)
  return emulator
}
