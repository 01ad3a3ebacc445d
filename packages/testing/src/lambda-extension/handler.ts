import type { IncomingMessage, ServerResponse } from 'node:http'
import { guardHandler, pause } from '../shared/http-server.js'
import {
  type ExtensionReply,
  faultReply,
  NOT_READY,
  notFoundReply,
  textReply,
  UNAUTHORIZED,
} from './answers.js'
import type {
  LambdaExtensionFaultKind,
  LambdaExtensionFaultPlan,
  LambdaExtensionOperation,
} from './faults.js'
import type { ExtensionStore } from './store.js'

/** One request the emulator received. Holds names and versions, never secret values or the token. */
export interface LambdaExtensionCall {
  /** The call served, or `'Unknown'` for a path or method the extension does not serve. */
  operation: LambdaExtensionOperation | 'Unknown'
  /** `secretId` or `name` as sent. */
  name?: string
  /** `versionStage` or `versionId` as sent, for secrets. */
  versionStage?: string
  versionId?: string
  /** `withDecryption` was `true`, for parameters. */
  withDecryption?: boolean
  /** Whether the request carried the right token. */
  authorized: boolean
  /** Answered from the extension's cache (no call to the service). */
  cached: boolean
  /** HTTP status of the answer; 0 while pending or when none was sent. */
  status: number
  /** The injected fault that answered the call, if one did. */
  fault?: LambdaExtensionFaultKind | 'custom' | 'drop'
}

export interface LambdaExtensionHandlerContext {
  store: ExtensionStore
  faults: LambdaExtensionFaultPlan
  record: (call: LambdaExtensionCall) => void
  closing: AbortSignal
  token: string
  ready: () => boolean
  cacheTtl: number
  clock: () => number
  cache: Map<string, { reply: ExtensionReply; at: number }>
}

const ROUTES: Record<string, LambdaExtensionOperation> = {
  '/secretsmanager/get': 'GetSecretValue',
  '/systemsmanager/parameters/get': 'GetParameter',
}

function send(res: ServerResponse, reply: ExtensionReply): void {
  res.writeHead(reply.status, {
    'content-type': reply.contentType,
    'content-length': Buffer.byteLength(reply.body),
  })
  res.end(reply.body)
}

/** Reads the query into `call` (names and versions only); an error answer when a required one is missing. */
function readQuery(
  operation: LambdaExtensionOperation,
  query: URLSearchParams,
  call: LambdaExtensionCall,
): ExtensionReply | undefined {
  const key = operation === 'GetSecretValue' ? 'secretId' : 'name'
  const name = query.get(key)
  if (name === null || name === '') return textReply(400, `${key} is required`)
  call.name = name
  if (operation === 'GetParameter') {
    call.withDecryption = query.get('withDecryption') === 'true'
    return undefined
  }
  const versionId = query.get('versionId')
  const versionStage = query.get('versionStage')
  if (versionId !== null) call.versionId = versionId
  if (versionStage !== null) call.versionStage = versionStage
  return undefined
}

function answer(ctx: LambdaExtensionHandlerContext, call: LambdaExtensionCall): ExtensionReply {
  const name = call.name as string
  const found =
    call.operation === 'GetSecretValue'
      ? ctx.store.secretAnswer(name, {
          ...(call.versionId === undefined ? {} : { versionId: call.versionId }),
          ...(call.versionStage === undefined ? {} : { versionStage: call.versionStage }),
        })
      : ctx.store.parameterAnswer(name, call.withDecryption === true)
  return found === undefined ? notFoundReply(call.operation as LambdaExtensionOperation) : jsonReply(found)
}

function jsonReply(value: object): ExtensionReply {
  return { status: 200, contentType: 'application/json', body: JSON.stringify(value) }
}

/** The request handler: token check, readiness, faults, latency, the extension's cache, then the store. */
export function createHandler(ctx: LambdaExtensionHandlerContext) {
  return guardHandler(
    async (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://extension')
      const operation = req.method === 'GET' ? ROUTES[url.pathname] : undefined
      const call: LambdaExtensionCall = {
        operation: operation ?? 'Unknown',
        authorized: req.headers['x-aws-parameters-secrets-token'] === ctx.token,
        cached: false,
        status: 0,
      }
      ctx.record(call)
      const reply = (r: ExtensionReply) => {
        call.status = r.status
        send(res, r)
      }
      if (operation === undefined) return reply(textReply(req.method === 'GET' ? 404 : 405, 'Not Found'))
      if (!call.authorized) return reply(UNAUTHORIZED)
      if (!ctx.ready()) return reply(NOT_READY)
      const latency = ctx.faults.latencyFor(operation)
      if (latency > 0) await pause(latency, ctx.closing)
      const action = ctx.faults.apply(operation, call, req.socket)
      if (action === 'dropped') return
      if (action !== undefined) return reply(faultReply(action.fault, operation))
      const invalid = readQuery(operation, url.searchParams, call)
      if (invalid !== undefined) return reply(invalid)
      const key = `${url.pathname}?${url.searchParams.toString()}`
      const hit = ctx.cache.get(key)
      if (hit !== undefined && ctx.clock() - hit.at < ctx.cacheTtl) {
        call.cached = true
        return reply(hit.reply)
      }
      const fresh = answer(ctx, call)
      if (fresh.status === 200 && ctx.cacheTtl > 0) ctx.cache.set(key, { reply: fresh, at: ctx.clock() })
      return reply(fresh)
    },
    (res) => send(res, textReply(500, 'InternalServiceError: the emulator failed')),
  )
}
