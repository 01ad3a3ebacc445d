/**
 * A stand-in for RDS IAM database authentication in front of a real PostgreSQL, for tests: a TCP
 * front that answers a client's StartupMessage with AuthenticationCleartextPassword (RDS IAM auth
 * takes the token as a cleartext password), accepts the password only when it is a token the
 * test's {@link IamTokenBook} issued for that user and not yet expired — any such token, not only
 * the newest — and refuses anything else as RDS does: FATAL, SQLSTATE 28000, `PAM authentication
 * failed for user "<name>"` (PostgreSQL's `auth_failed()` for PAM, which RDS uses for IAM logins).
 * An accepted client is joined to its own upstream login, as that role with its stored password,
 * and from then on bytes pass both ways untouched: the token is checked at login only, so an open
 * connection outlives its token, as on RDS.
 *
 * Differences from RDS, on purpose: no TLS (an SSLRequest or GSSENCRequest is answered `N`; RDS
 * requires TLS for IAM logins); a CancelRequest is passed on to the upstream unchanged (the
 * BackendKeyData the client holds is the upstream's own).
 */
import { connect, createServer, type Server, type Socket } from 'node:net'
import {
  authentication,
  CANCEL_REQUEST,
  fatalError,
  GSSENC_REQUEST,
  MAX_PASSWORD_BYTES,
  MAX_STARTUP_BYTES,
  MessageReader,
  PROTOCOL_3,
  SSL_REQUEST,
  startupParams,
} from './protocol.js'
import type { IamTokenBook, TokenVerdict } from './tokens.js'
import { openUpstream, UpstreamLoginError } from './upstream.js'

/** Settings of {@link startRdsIamFront}. */
export interface RdsIamFrontOptions {
  /** The real PostgreSQL. */
  upstream: { host: string; port: number }
  /** The role's stored password at the upstream (the front logs in with it); `undefined` refuses the user. */
  upstreamPassword(user: string): string | undefined
  /** The tokens the front accepts. */
  tokens: IamTokenBook
  /** A client that has not finished logging in by then is disconnected (PostgreSQL's `authentication_timeout`). @default 10_000 */
  authTimeoutMs?: number
}

/** One login the front accepted. */
export interface FrontSession {
  /** The upstream backend's pid (what `pg_backend_pid()` answers on that connection). */
  pid: number
  user: string
  /** When the token it logged in with expires. */
  tokenExpiresAt: number
}

/** A running front. */
export interface RdsIamFront {
  readonly host: string
  readonly port: number
  /** Logins accepted, and refusals by reason. */
  readonly accepted: number
  readonly refused: Readonly<FrontRefusals>
  /** Client connections open right now (logging in or joined), and the front's own upstream connections. */
  readonly open: number
  readonly upstreamOpen: number
  /** Every accepted login by upstream pid. */
  readonly sessions: ReadonlyMap<number, FrontSession>
  close(): Promise<void>
}

/** Refused logins by reason: the token's verdict, no stored password for the user, or the upstream login failed. */
export type FrontRefusals = Record<
  Exclude<TokenVerdict, 'valid'> | 'no-upstream-password' | 'upstream',
  number
>

/** What one front keeps: every socket it holds (to close them), and its counters. */
interface FrontState {
  readonly options: RdsIamFrontOptions
  readonly clients: Set<Socket>
  readonly upstreams: Set<Socket>
  readonly sessions: Map<number, FrontSession>
  readonly refused: FrontRefusals
  accepted: number
}

/** Starts the front on 127.0.0.1 and an ephemeral port. */
export async function startRdsIamFront(options: RdsIamFrontOptions): Promise<RdsIamFront> {
  const state: FrontState = {
    options,
    clients: new Set(),
    upstreams: new Set(),
    sessions: new Map(),
    refused: { expired: 0, unknown: 0, 'other-user': 0, 'no-upstream-password': 0, upstream: 0 },
    accepted: 0,
  }
  const server: Server = createServer((client) => {
    state.clients.add(client)
    client.once('close', () => state.clients.delete(client))
    handleClient(client, state)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  return {
    host: '127.0.0.1',
    port: typeof address === 'object' && address !== null ? address.port : 0,
    get accepted() {
      return state.accepted
    },
    refused: state.refused,
    get open() {
      return state.clients.size
    },
    get upstreamOpen() {
      return state.upstreams.size
    },
    sessions: state.sessions,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of [...state.clients, ...state.upstreams]) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

function handleClient(client: Socket, state: FrontState): void {
  const { options } = state
  const reader = new MessageReader()
  let params: Map<string, string> | undefined
  let busy = false
  const timer = setTimeout(() => client.destroy(), options.authTimeoutMs ?? 10_000)
  const refuse = (code: string, text: string) => {
    clearTimeout(timer)
    client.end(fatalError(code, text))
  }
  client.on('error', () => client.destroy())
  client.once('close', () => clearTimeout(timer))

  const onData = (chunk: Buffer) => {
    reader.push(chunk)
    try {
      while (!busy && !client.destroyed) {
        if (params === undefined) {
          const packet = reader.takeStartup(MAX_STARTUP_BYTES)
          if (packet === undefined) return
          if (packet.code === SSL_REQUEST || packet.code === GSSENC_REQUEST) {
            client.write('N')
            continue
          }
          if (packet.code === CANCEL_REQUEST) {
            clearTimeout(timer)
            passCancel(packet.raw, state)
            client.end()
            return
          }
          if (packet.code !== PROTOCOL_3) return refuse('0A000', 'unsupported frontend protocol')
          params = startupParams(packet.body)
          if (params === undefined) return refuse('08P01', 'invalid startup packet layout')
          const user = params.get('user')
          if (user === undefined || user === '') {
            return refuse('28000', 'no PostgreSQL user name specified in startup packet')
          }
          client.write(authentication(3))
          continue
        }
        const msg = reader.take(MAX_PASSWORD_BYTES + 4)
        if (msg === undefined) return
        if (msg.type !== 'p' || msg.body.at(-1) !== 0) {
          client.destroy()
          return
        }
        busy = true
        void join(msg.body.subarray(0, -1).toString('utf8'), params)
        return
      }
    } catch {
      // A length out of range: the server drops such a peer without an answer.
      client.destroy()
    }
  }

  const join = async (token: string, startup: Map<string, string>) => {
    const user = startup.get('user') ?? ''
    const verdict = options.tokens.check(user, token)
    const password = verdict === 'valid' ? options.upstreamPassword(user) : undefined
    if (verdict !== 'valid' || password === undefined) {
      state.refused[verdict === 'valid' ? 'no-upstream-password' : verdict]++
      return refuse('28000', `PAM authentication failed for user "${user}"`)
    }
    client.pause()
    try {
      const upstream = await openUpstream(options.upstream, startup, password, (socket) => {
        state.upstreams.add(socket)
        socket.once('close', () => state.upstreams.delete(socket))
      })
      const socket = upstream.socket
      if (client.destroyed) {
        socket.destroy()
        return
      }
      clearTimeout(timer)
      client.off('data', onData)
      state.accepted++
      state.sessions.set(upstream.pid, {
        pid: upstream.pid,
        user,
        tokenExpiresAt: options.tokens.expiresAt(token) ?? 0,
      })
      socket.once('close', () => client.destroy())
      socket.on('error', () => socket.destroy())
      client.once('close', () => socket.destroy())
      client.write(upstream.greeting)
      const early = reader.rest()
      if (early.length > 0) socket.write(early)
      client.pipe(socket)
      socket.pipe(client)
      client.resume()
      socket.resume()
    } catch (error) {
      state.refused.upstream++
      const reply = error instanceof UpstreamLoginError ? error.reply : undefined
      clearTimeout(timer)
      client.end(reply ?? fatalError('08006', 'the front could not log in to the database'))
    }
  }

  client.on('data', onData)
}

/** Sends a CancelRequest on to the upstream on a connection of its own, as a client would. */
function passCancel(raw: Buffer, state: FrontState): void {
  const socket = connect(state.options.upstream.port, state.options.upstream.host)
  state.upstreams.add(socket)
  socket.once('close', () => state.upstreams.delete(socket))
  socket.on('error', () => socket.destroy())
  socket.once('connect', () => socket.end(raw))
}
