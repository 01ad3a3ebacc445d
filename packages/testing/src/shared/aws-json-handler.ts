import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  AwsJsonError,
  type commonErrors,
  type Input,
  jsonReply,
  parseInput,
  send,
  signedRegion,
  targetOperation,
} from './aws-json.js'
import type { FaultAction, ScopedFaults } from './fault-control.js'
import { guardHandler, pause, type Reply, readBodyText } from './http-server.js'

/** What every AWS JSON emulator records of a call; each adds the names the request carried. */
export interface AwsJsonCall<FaultName extends string> {
  /** The operation from `X-Amz-Target` (`'GetSecretValue'`, `'GetParameter'`…), or `'Unknown'`. */
  operation: string
  /** HTTP status of the reply; 0 while pending, or when no reply was sent (dropped, or the client went away). */
  status: number
  /** The Region the request was signed for (its SigV4 credential scope), or the emulator's default Region when unsigned. */
  region: string
  /** The injected fault that answered the call, if one did. */
  fault?: FaultName | 'custom' | 'drop'
  /** The SDK's `amz-sdk-request` header, e.g. `'attempt=1; max=1'`, when it was sent. */
  sdkRequest?: string
}

/** One AWS JSON service as the shared request flow needs it. */
export interface AwsJsonService<
  State extends { accountId: string },
  Kind extends string,
  Call extends AwsJsonCall<Kind>,
> {
  /** The `X-Amz-Target` prefix, such as `'secretsmanager.'`. */
  targetPrefix: string
  /** The largest request body read; a larger one gets 413 `RequestEntityTooLargeException`. */
  maxRequestBytes: number
  /** The Region of a request without an `Authorization` header. */
  defaultRegion: string
  /** The state of one Region, created on first use. */
  stateFor: (region: string) => State
  isOperation: (name: string) => boolean
  /** Runs an operation; throws the service's {@link AwsJsonError} for an error reply. */
  run: (operation: string, state: State, input: Input) => object
  /** Told about every successful call, after its reply is sent. */
  succeeded?: (operation: string, region: string, input: Input, output: object) => void
  /** The names a request carries, for its call record (`{ secretIds }`, `{ names }`). */
  namesOf: (input: Input | undefined) => Omit<Call, keyof AwsJsonCall<Kind>>
  record: (call: Call) => void
  faults: Pick<ScopedFaults<string, 'operation', FaultAction<Kind | object>>, 'latencyFor' | 'apply'>
  /**
   * For a lying fault (one that answers 200 with a malformed reply, as a misbehaving proxy does):
   * rewrites the real output of `operation`. `undefined` for every other fault, which answers
   * with {@link AwsJsonService.faultReply} instead of running.
   */
  lie?: (fault: Kind | object) => ((operation: string, output: object) => object) | undefined
  /** The reply a failing fault sends instead of running `operation`. */
  faultReply: (fault: Kind | object, operation: string, accountId: string) => Reply
  /** The common errors (see {@link commonErrors}) as the service's own error class. */
  errors: Pick<
    ReturnType<typeof commonErrors>,
    'unknownOperation' | 'serialization' | 'requestTooLarge' | 'incompleteSignature'
  >
  /** The body of the service's 500 reply to an unexpected failure. */
  internalError: object
  /** Aborted when the emulator closes, to end pending latency. */
  closing: AbortSignal
}

/**
 * Answers one HTTP request the way an AWS JSON 1.1 service does, faults first. Nothing it does
 * can throw out of it: an unexpected error becomes the service's 500 reply (or, when the reply
 * cannot be written, a destroyed socket), never an exception in the host process.
 */
export function awsJsonHandler<
  State extends { accountId: string },
  Kind extends string,
  Call extends AwsJsonCall<Kind>,
>(service: AwsJsonService<State, Kind, Call>): (req: IncomingMessage, res: ServerResponse) => void {
  return guardHandler(answer(service), (res) => send(res, jsonReply(500, service.internalError)))
}

function answer<State extends { accountId: string }, Kind extends string, Call extends AwsJsonCall<Kind>>(
  service: AwsJsonService<State, Kind, Call>,
) {
  const { defaultRegion, stateFor, faults, errors, closing } = service
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readBodyText(req, service.maxRequestBytes)
    if (body === null) return
    const operation = targetOperation(req, service.targetPrefix)
    const input = body === undefined ? undefined : parseInput(body)
    const sdkRequest = req.headers['amz-sdk-request']
    const region = signedRegion(req, defaultRegion)
    const call = {
      operation: service.isOperation(operation) ? operation : 'Unknown',
      ...service.namesOf(input),
      status: 0,
      region: region ?? defaultRegion,
      ...(typeof sdkRequest === 'string' ? { sdkRequest } : {}),
    } as Call
    service.record(call)
    const respond = (reply: Reply) => {
      call.status = reply.status
      send(res, reply)
    }
    const fail = (error: AwsJsonError) => respond(jsonReply(error.status, error.toWire()))
    if (body === undefined) return fail(errors.requestTooLarge())

    const latency = faults.latencyFor(operation)
    if (latency > 0) await pause(latency, closing)
    if (closing.aborted || req.socket.destroyed) return

    const failure = faults.apply(operation, call, req.socket)
    if (failure === 'dropped') return
    const lie = failure === undefined ? undefined : service.lie?.(failure.fault)
    if (failure !== undefined && lie === undefined) {
      return respond(service.faultReply(failure.fault, operation, stateFor(call.region).accountId))
    }

    if (req.method !== 'POST' || req.url !== '/')
      return respond(jsonReply(404, errors.unknownOperation().toWire()))
    if (region === undefined) return fail(errors.incompleteSignature())
    if (!service.isOperation(operation)) return fail(errors.unknownOperation())
    if (input === undefined) return fail(errors.serialization('The request body is not a JSON object.'))
    try {
      const output = service.run(operation, stateFor(region), input)
      respond(jsonReply(200, lie === undefined ? output : lie(operation, output)))
      service.succeeded?.(operation, region, input, output)
    } catch (error) {
      if (error instanceof AwsJsonError) return fail(error)
      respond(jsonReply(500, service.internalError))
    }
  }
}
