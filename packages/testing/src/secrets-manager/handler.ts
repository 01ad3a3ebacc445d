import type { IncomingMessage, ServerResponse } from 'node:http'
import { guardHandler, pause, readBodyText } from '../shared/http-server.js'
import {
  incompleteSignature,
  requestTooLarge,
  SecretsManagerEmulatorError,
  serialization,
  unknownOperation,
} from './errors.js'
import type { SecretChange } from './events.js'
import { faultReply, type SecretsManagerFaultKind, type SecretsManagerFaultPlan } from './faults.js'
import type { Input } from './input.js'
import { isOperation, operations } from './operations.js'
import type { SecretStore } from './store.js'
import { jsonReply, type Reply, send } from './wire.js'

/**
 * The largest request body the emulator reads: 512 KiB. AWS does not publish the byte limit of
 * a Secrets Manager request; this one is above every request the model's constraints allow (a
 * 65,536-character `SecretString` with every character JSON-escaped is 393,216 bytes, plus the
 * other members), so no valid request is refused, and a larger body gets what AWS answers an
 * oversize request with: 413 `RequestEntityTooLargeException`. See docs/wire-facts.md.
 */
export const MAX_REQUEST_BYTES = 524_288

/** `Credential=<key id>/<yyyymmdd>/<region>/<service>/aws4_request` in a SigV4 `Authorization` header. */
const CREDENTIAL_SCOPE = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/[^/,\s]+\/aws4_request/

/** One request the emulator received. Holds names, never secret values. */
export interface RecordedCall {
  /** The operation from `X-Amz-Target` (`'GetSecretValue'`…), or `'Unknown'`. */
  operation: string
  /** The secret ids the request named (`SecretId`, `Name` or `SecretIdList`). */
  secretIds: string[]
  /** HTTP status of the reply; 0 while pending, or when no reply was sent (dropped, or the client went away). */
  status: number
  /** The Region the request was signed for (its SigV4 credential scope), or the emulator's default Region when unsigned. */
  region: string
  /** The injected fault that answered the call, if one did. */
  fault?: SecretsManagerFaultKind | 'custom' | 'drop'
  /** The SDK's `amz-sdk-request` header, e.g. `'attempt=1; max=1'`, when it was sent. */
  sdkRequest?: string
}

export interface HandlerContext {
  /** The state of one Region, created on first use. */
  storeFor: (region: string) => SecretStore
  /** The Region of a request without an `Authorization` header. */
  defaultRegion: string
  faults: SecretsManagerFaultPlan
  record: (call: RecordedCall) => void
  /** Aborted when the emulator closes, to end pending latency. */
  closing: AbortSignal
  /** Told about every successful PutSecretValue and UpdateSecretVersionStage call (for change events). */
  changed?: (change: Omit<SecretChange, 'accountId' | 'time'>) => void
}

/** The change a successful call made, for {@link HandlerContext.changed}; undefined for other operations. */
function changeOf(
  operation: string,
  region: string,
  input: Input,
  reply: Record<string, unknown>,
): Omit<SecretChange, 'accountId' | 'time'> | undefined {
  const secretId = String(input.SecretId)
  const arn = String(reply.ARN)
  if (operation === 'PutSecretValue') {
    return {
      eventName: 'PutSecretValue',
      region,
      arn,
      secretId,
      ...(typeof input.ClientRequestToken === 'string'
        ? { parameters: { clientRequestToken: input.ClientRequestToken } }
        : {}),
      versionId: String(reply.VersionId),
      versionStages: (reply.VersionStages as string[] | undefined) ?? [],
    }
  }
  if (operation === 'UpdateSecretVersionStage') {
    const parameters: Record<string, unknown> = { versionStage: input.VersionStage }
    if (input.MoveToVersionId !== undefined) parameters.moveToVersionId = input.MoveToVersionId
    if (input.RemoveFromVersionId !== undefined) parameters.removeFromVersionId = input.RemoveFromVersionId
    return { eventName: 'UpdateSecretVersionStage', region, arn, secretId, parameters }
  }
  return undefined
}

const TARGET_PREFIX = 'secretsmanager.'

/**
 * The Region a request is for: the one in its SigV4 credential scope (a client signs for the
 * Region it talks to, and each Region is a separate service with its own secrets). A request with
 * no `Authorization` header goes to the default Region; a header without a credential scope is
 * refused with IncompleteSignatureException, as AWS does.
 */
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

function secretIdsOf(input: Input | undefined): string[] {
  if (input === undefined) return []
  const ids = [input.SecretId, input.Name, ...(Array.isArray(input.SecretIdList) ? input.SecretIdList : [])]
  return ids.filter((id): id is string => typeof id === 'string')
}

/**
 * Answers one HTTP request the way Secrets Manager does (awsJson1_1), faults first. Nothing it
 * does can throw out of it: an unexpected error becomes a 500 `InternalFailure` reply (or, when
 * the reply cannot be written, a destroyed socket), never an exception in the host process.
 */
export function createHandler(context: HandlerContext) {
  return guardHandler(answer(context), (res) =>
    send(res, jsonReply(500, { __type: 'InternalFailure', Message: INTERNAL_FAILURE })),
  )
}

const INTERNAL_FAILURE =
  'The request processing has failed because of an unknown error, exception or failure.'

function answer(context: HandlerContext) {
  const { storeFor, defaultRegion, faults, record, closing, changed } = context
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBodyText(req, MAX_REQUEST_BYTES)
    if (body === null) return
    const target = req.headers['x-amz-target']
    const operation =
      typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : ''
    const input = body === undefined ? undefined : parse(body)
    const sdkRequest = req.headers['amz-sdk-request']
    const region = regionOf(req, defaultRegion)
    const call: RecordedCall = {
      operation: isOperation(operation) ? operation : 'Unknown',
      secretIds: secretIdsOf(input),
      status: 0,
      region: region ?? defaultRegion,
      ...(typeof sdkRequest === 'string' ? { sdkRequest } : {}),
    }
    record(call)
    const respond = (reply: Reply) => {
      call.status = reply.status
      send(res, reply)
    }
    const fail = (error: SecretsManagerEmulatorError) => respond(jsonReply(error.status, error.toWire()))
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
      call.fault = typeof action.fault === 'string' ? action.fault : 'custom'
      return respond(faultReply(action.fault, operation, storeFor(call.region).accountId))
    }

    if (req.method !== 'POST' || req.url !== '/') return respond(jsonReply(404, unknownOperation().toWire()))
    if (region === undefined) return fail(incompleteSignature())
    if (!isOperation(operation)) return fail(unknownOperation())
    if (input === undefined) return fail(serialization('The request body is not a JSON object.'))
    try {
      const out = operations[operation](storeFor(region), input)
      respond(jsonReply(200, out))
      const change =
        changed === undefined ? undefined : changeOf(operation, region, input, out as Record<string, unknown>)
      if (change !== undefined) changed?.(change)
    } catch (error) {
      if (error instanceof SecretsManagerEmulatorError) return fail(error)
      respond(jsonReply(500, { __type: 'InternalFailure', Message: INTERNAL_FAILURE }))
    }
  }
}
