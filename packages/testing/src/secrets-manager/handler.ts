import type { IncomingMessage, ServerResponse } from 'node:http'
import { SecretsManagerEmulatorError, serialization, unknownOperation } from './errors.js'
import { type FaultKind, type FaultPlan, faultReply } from './faults.js'
import type { Input } from './input.js'
import { isOperation, operations } from './operations.js'
import type { SecretStore } from './store.js'
import { jsonReply, type Reply, send } from './wire.js'

/** One request the emulator received. Holds names, never secret values. */
export interface RecordedCall {
  /** The operation from `X-Amz-Target` (`'GetSecretValue'`…), or `'Unknown'`. */
  operation: string
  /** The secret ids the request named (`SecretId`, `Name` or `SecretIdList`). */
  secretIds: string[]
  /** HTTP status of the reply; 0 while pending, or when no reply was sent (dropped, or the client went away). */
  status: number
  /** The injected fault that answered the call, if one did. */
  fault?: FaultKind | 'custom' | 'drop'
  /** The SDK's `amz-sdk-request` header, e.g. `'attempt=1; max=1'`, when it was sent. */
  sdkRequest?: string
}

export interface HandlerContext {
  store: SecretStore
  faults: FaultPlan
  record: (call: RecordedCall) => void
  /** Aborted when the emulator closes, to end pending latency. */
  closing: AbortSignal
}

const TARGET_PREFIX = 'secretsmanager.'

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

function parse(body: string): Input | undefined {
  try {
    const value: unknown = JSON.parse(body === '' ? '{}' : body)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Input) : undefined
  } catch {
    return undefined
  }
}

function secretIdsOf(input: Input | undefined): string[] {
  if (input === undefined) return []
  const ids = [input.SecretId, input.Name, ...(Array.isArray(input.SecretIdList) ? input.SecretIdList : [])]
  return ids.filter((id): id is string => typeof id === 'string')
}

/** Answers one HTTP request the way Secrets Manager does (awsJson1_1), faults first. */
export function createHandler(context: HandlerContext) {
  const { store, faults, record, closing } = context
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.on('error', () => undefined)
    let body: string
    try {
      body = await readBody(req)
    } catch {
      return
    }
    const target = req.headers['x-amz-target']
    const operation =
      typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : ''
    const input = parse(body)
    const sdkRequest = req.headers['amz-sdk-request']
    const call: RecordedCall = {
      operation: isOperation(operation) ? operation : 'Unknown',
      secretIds: secretIdsOf(input),
      status: 0,
      ...(typeof sdkRequest === 'string' ? { sdkRequest } : {}),
    }
    record(call)
    const respond = (reply: Reply) => {
      call.status = reply.status
      send(res, reply)
    }

    const latency = faults.latencyFor(operation)
    if (latency > 0) await pause(latency, closing)
    if (closing.aborted || req.socket.destroyed) return

    const action = faults.take(operation)
    if (action?.kind === 'drop') {
      call.fault = 'drop'
      req.socket.destroy()
      return
    }
    if (action?.kind === 'fail') {
      call.fault = typeof action.fault === 'string' ? action.fault : 'custom'
      return respond(faultReply(action.fault, operation, store.accountId))
    }

    const fail = (error: SecretsManagerEmulatorError) => respond(jsonReply(error.status, error.toWire()))
    if (req.method !== 'POST' || req.url !== '/') return respond(jsonReply(404, unknownOperation().toWire()))
    if (!isOperation(operation)) return fail(unknownOperation())
    if (input === undefined) return fail(serialization('The request body is not a JSON object.'))
    try {
      respond(jsonReply(200, operations[operation](store, input)))
    } catch (error) {
      if (error instanceof SecretsManagerEmulatorError) return fail(error)
      const message = 'The request processing has failed because of an unknown error, exception or failure.'
      respond(jsonReply(500, { __type: 'InternalFailure', Message: message }))
    }
  }
}
