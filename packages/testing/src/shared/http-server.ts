import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { readLimitedBody } from './body.js'

/** One complete HTTP reply. */
export interface Reply {
  status: number
  contentType: string
  body: string
}

/** Waits `ms`, or less when `signal` aborts (the emulator closing ends pending latency). */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
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

/**
 * The request body's text; `undefined` when it is over `limit` (read and discarded, so the caller
 * can answer it), `null` when the client went away before it was complete (nothing to answer).
 */
export async function readBodyText(req: IncomingMessage, limit: number): Promise<string | undefined | null> {
  try {
    const read = await readLimitedBody(req, limit)
    return 'text' in read ? read.text : undefined
  } catch {
    return null
  }
}

/**
 * Wraps an emulator's request handler so that nothing can throw out of it: a rejected `handle`
 * gets `internalError` (the service's 500 reply), and when even that cannot be written the socket
 * is destroyed, never an exception in the host process.
 */
export function guardHandler(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  internalError: (res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    res.on('error', () => undefined)
    handle(req, res).catch(() => {
      try {
        internalError(res)
      } catch {
        req.socket.destroy()
      }
    })
  }
}

/** Starts `server` listening; resolves with its address, rejects with a listen error (a port in use). */
export async function listen(server: Server | HttpsServer, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return server.address() as AddressInfo
}

/** `http://<host>:<port>` of a listening server, IPv6 addresses in brackets. */
export function httpEndpoint(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `http://${host}:${address.port}`
}

/** What an emulator's `close()` does besides stopping its server. */
export interface CloseSteps {
  /** Runs right after `closing` is aborted, before the server stops (e.g. destroying a client agent). */
  before?: () => void
  /** Runs once the server has stopped (e.g. closing a helper emulator it owns). */
  after?: () => Promise<unknown> | undefined
}

/**
 * An emulator's `close()`: aborts `closing` (ending pending latency), stops `server` and cuts its
 * open connections. Every call returns the same promise.
 */
export function closer(
  server: Server | HttpsServer,
  closing: AbortController,
  steps: CloseSteps = {},
): () => Promise<void> {
  let stopped: Promise<void> | undefined
  return () => {
    stopped ??= new Promise<void>((resolve, reject) => {
      closing.abort()
      steps.before?.()
      server.close((error) => (error ? reject(error) : resolve()))
      server.closeAllConnections()
    }).then(async () => {
      await steps.after?.()
    })
    return stopped
  }
}
