import type { IncomingMessage, ServerResponse } from 'node:http'
import { jsonReply, type Reply, send } from '../secrets-manager/wire.js'
import { guardHandler, pause, readBodyText } from '../shared/http-server.js'
import {
  INTERNAL_ERROR,
  incompleteSignature,
  ParameterStoreEmulatorError,
  requestTooLarge,
  serialization,
  unknownOperation,
} from './errors.js'
import {
  type FaultAction,
  faultReply,
  type ParameterStoreFaultKind,
  type ParameterStoreFaultPlan,
} from './faults.js'
import type { Input } from './input.js'
import { isOperation, operations } from './operations.js'
import type { ParameterStoreState } from './store.js'

/**
 * The largest request body the emulator reads: 256 KiB. AWS does not publish the byte limit of a
 * Parameter Store request; this one is above every request the model allows (an 8,192-character
 * advanced value with every character JSON-escaped is 49,152 bytes, plus name, description and
 * tags), so no valid request is refused, and a larger body gets AWS's answer to an oversize
 * request: 413 `RequestEntityTooLargeException`. See docs/wire-facts.md.
 */
export const MAX_REQUEST_BYTES = 262_144

/** `Credential=<key id>/<yyyymmdd>/<region>/<service>/aws4_request` in a SigV4 `Authorization` header. */
const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/[^/,\s]+\/aws4_request/

const TARGET_PREFIX = 'AmazonSSM.'

/** One request the Parameter Store emulator received. Holds names, never values. */
export interface ParameterStoreCall {
  /** The operation from `X-Amz-Target` (`'GetParameter'`…), or `'Unknown'`. */
  operation: string
  /** The parameter names or path the request named (`Name`, `Names` or `Path`). */
  names: string[]
  /** HTTP status of the reply; 0 while pending, or when no reply was sent (dropped, or the client went away). */
  status: number
  /** The Region the request was signed for (its SigV4 credential scope), or the default Region when unsigned. */
  region: string
  /** The injected fault that answered the call, if one did. */
  fault?: ParameterStoreFaultKind | 'custom' | 'drop'
  /** The SDK's `amz-sdk-request` header, e.g. `'attempt=1; max=1'`, when it was sent. */
  sdkRequest?: string
}

export interface HandlerContext {
  /** The state of one Region, created on first use. */
  stateFor: (region: string) => ParameterStoreState
  /** The Region of a request without an `Authorization` header. */
  defaultRegion: string
  faults: ParameterStoreFaultPlan
  record: (call: ParameterStoreCall) => void
  /** Aborted when the emulator closes, to end pending latency. */
  closing: AbortSignal
}

function regionOf(req: IncomingMessage, defaultRegion: string): string | undefined {
  const header = req.headers.authorization
  if (header === undefined) return defaultRegion
  return CREDENTIAL_SCOPE.exec(header)?.[1]
}

function parse(body: string): Input | undefined {
  try {
    const value: unknown = JSON.parse(body === '' ? '{}' : body)
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Input) : undefined
  } catch {
    return undefined
  }
}

function namesOf(input: Input | undefined): string[] {
  if (input === undefined) return []
  const names = [input.Name, input.Path, ...(Array.isArray(input.Names) ? input.Names : [])]
  return names.filter((name): name is string => typeof name === 'string')
}

function faultName(action: FaultAction & { kind: 'fail' }): ParameterStoreFaultKind | 'custom' {
  return typeof action.fault === 'string' ? action.fault : 'custom'
}

/**
 * Answers one HTTP request the way Parameter Store does (awsJson1_1), faults first. Nothing it
 * does can throw out of it: an unexpected error becomes a 500 `InternalServerError` reply (or,
 * when the reply cannot be written, a destroyed socket), never an exception in the host process.
 */
export function createHandler(context: HandlerContext) {
  return guardHandler(answer(context), (res) => send(res, jsonReply(500, INTERNAL_ERROR)))
}

function answer(context: HandlerContext) {
  const { stateFor, defaultRegion, faults, record, closing } = context
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBodyText(req, MAX_REQUEST_BYTES)
    if (body === null) return
    const target = req.headers['x-amz-target']
    const operation =
      typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : ''
    const input = body === undefined ? undefined : parse(body)
    const sdkRequest = req.headers['amz-sdk-request']
    const region = regionOf(req, defaultRegion)
    const call: ParameterStoreCall = {
      operation: isOperation(operation) ? operation : 'Unknown',
      names: namesOf(input),
      status: 0,
      region: region ?? defaultRegion,
      ...(typeof sdkRequest === 'string' ? { sdkRequest } : {}),
    }
    record(call)
    const respond = (reply: Reply) => {
      call.status = reply.status
      send(res, reply)
    }
    const fail = (error: ParameterStoreEmulatorError) => respond(jsonReply(error.status, error.toWire()))
    if (body === undefined) return fail(requestTooLarge())

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
      call.fault = faultName(action)
      return respond(faultReply(action.fault, operation, stateFor(call.region).accountId))
    }

    if (req.method !== 'POST' || req.url !== '/') return respond(jsonReply(404, unknownOperation().toWire()))
    if (region === undefined) return fail(incompleteSignature())
    if (!isOperation(operation)) return fail(unknownOperation())
    if (input === undefined) return fail(serialization('The request body is not a JSON object.'))
    try {
      respond(jsonReply(200, operations[operation](stateFor(region), input)))
    } catch (error) {
      if (error instanceof ParameterStoreEmulatorError) return fail(error)
      respond(jsonReply(500, INTERNAL_ERROR))
    }
  }
}
