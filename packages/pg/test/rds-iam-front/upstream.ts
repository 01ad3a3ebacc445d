/**
 * The front's own login to the real PostgreSQL, as the role the client named, with that role's
 * stored password: SCRAM-SHA-256 (what `startPostgres()` requires; RFC 5802/7677 as PostgreSQL's
 * `auth-scram.c` speaks it), MD5 or cleartext, whichever the server asks for.
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { promisify } from 'node:util'
import { MessageReader, message, startupMessage, type WireMessage } from './protocol.js'

const derive = promisify(pbkdf2)
/** Login-time messages are small; this only bounds what a broken upstream could make the front buffer. */
const MAX_UPSTREAM_MESSAGE = 1 << 20

/** A joined upstream session: the socket, and what the server sent from AuthenticationOk to ReadyForQuery. */
export interface UpstreamSession {
  socket: Socket
  /** AuthenticationOk, ParameterStatus…, BackendKeyData, ReadyForQuery, and anything after (forwarded as is). */
  greeting: Buffer
  /** The backend's process id (BackendKeyData), as `pg_backend_pid()` answers it. */
  pid: number
}

/** The upstream refused or failed the login; `reply` is its ErrorResponse when it sent one. */
export class UpstreamLoginError extends Error {
  readonly code = 'ERR_UPSTREAM_LOGIN'
  constructor(
    message: string,
    readonly reply?: Buffer,
  ) {
    super(message)
  }
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest()
}

/** The client side of one SCRAM-SHA-256 exchange with channel binding off (`n,,`). */
class ScramClient {
  readonly #nonce = randomBytes(18).toString('base64')
  readonly #firstBare = `n=*,r=${this.#nonce}`
  #serverSignature: Buffer | undefined

  first(): string {
    return `n,,${this.#firstBare}`
  }

  async final(serverFirst: string, password: string): Promise<string> {
    const fields = new Map(serverFirst.split(',').map((part) => [part.slice(0, 1), part.slice(2)]))
    const nonce = fields.get('r') ?? ''
    const salt = Buffer.from(fields.get('s') ?? '', 'base64')
    const iterations = Number(fields.get('i'))
    if (
      !nonce.startsWith(this.#nonce) ||
      salt.length === 0 ||
      !Number.isInteger(iterations) ||
      iterations < 1
    ) {
      throw new UpstreamLoginError('SCRAM: malformed server-first-message')
    }
    const salted = await derive(password.normalize('NFKC'), salt, iterations, 32, 'sha256')
    const clientKey = hmac(salted, 'Client Key')
    const storedKey = createHash('sha256').update(clientKey).digest()
    const withoutProof = `c=biws,r=${nonce}`
    const authMessage = `${this.#firstBare},${serverFirst},${withoutProof}`
    const signature = hmac(storedKey, authMessage)
    const proof = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] ?? 0)))
    this.#serverSignature = hmac(hmac(salted, 'Server Key'), authMessage)
    return `${withoutProof},p=${proof.toString('base64')}`
  }

  verify(serverFinal: string): void {
    const claimed = Buffer.from(serverFinal.startsWith('v=') ? serverFinal.slice(2) : '', 'base64')
    const expected = this.#serverSignature
    if (expected === undefined || claimed.length !== expected.length || !timingSafeEqual(claimed, expected)) {
      throw new UpstreamLoginError('SCRAM: the server signature does not match')
    }
  }
}

function saslInitialResponse(mechanism: string, data: string): Buffer {
  const payload = Buffer.from(data, 'utf8')
  const length = Buffer.alloc(4)
  length.writeInt32BE(payload.length, 0)
  return message('p', Buffer.concat([Buffer.from(`${mechanism}\0`, 'utf8'), length, payload]))
}

function md5Answer(password: string, user: string, salt: Buffer): string {
  const inner = createHash('md5')
    .update(password + user)
    .digest('hex')
  return `md5${createHash('md5')
    .update(Buffer.concat([Buffer.from(inner), salt]))
    .digest('hex')}`
}

/** Answers one authentication request; resolves `true` on AuthenticationOk. */
async function answer(
  socket: Socket,
  msg: WireMessage,
  scram: ScramClient,
  user: string,
  password: string,
): Promise<boolean> {
  const code = msg.body.readInt32BE(0)
  const data = msg.body.subarray(4)
  switch (code) {
    case 0:
      return true
    case 3:
      socket.write(message('p', Buffer.from(`${password}\0`, 'utf8')))
      return false
    case 5:
      socket.write(message('p', Buffer.from(`${md5Answer(password, user, data)}\0`, 'utf8')))
      return false
    case 10:
      if (!data.toString('utf8').split('\0').includes('SCRAM-SHA-256')) {
        throw new UpstreamLoginError('the upstream offers no SCRAM-SHA-256')
      }
      socket.write(saslInitialResponse('SCRAM-SHA-256', scram.first()))
      return false
    case 11:
      socket.write(message('p', Buffer.from(await scram.final(data.toString('utf8'), password), 'utf8')))
      return false
    case 12:
      scram.verify(data.toString('utf8'))
      return false
    default:
      throw new UpstreamLoginError(`unsupported upstream authentication request ${code}`)
  }
}

/**
 * Logs in to `host:port` with the client's startup `params` and `password`, and resolves once the
 * server is ready for queries; `track` is handed the socket as soon as it exists. Rejects with {@link UpstreamLoginError} (carrying the server's
 * ErrorResponse, if any) on a refusal, a protocol surprise, or a socket error.
 */
export function openUpstream(
  target: { host: string; port: number },
  params: ReadonlyMap<string, string>,
  password: string,
  track: (socket: Socket) => void = () => undefined,
): Promise<UpstreamSession> {
  const user = params.get('user') ?? ''
  const socket = connect(target.port, target.host)
  track(socket)
  const reader = new MessageReader()
  const scram = new ScramClient()
  const greeting: Buffer[] = []
  let authenticated = false
  let pid = 0
  return new Promise<UpstreamSession>((resolve, reject) => {
    const fail = (error: unknown) => {
      socket.destroy()
      reject(error instanceof UpstreamLoginError ? error : new UpstreamLoginError(String(error)))
    }
    let chain = Promise.resolve()
    const onData = (chunk: Buffer) => {
      reader.push(chunk)
      chain = chain
        .then(async () => {
          for (
            let msg = reader.take(MAX_UPSTREAM_MESSAGE);
            msg !== undefined;
            msg = reader.take(MAX_UPSTREAM_MESSAGE)
          ) {
            if (msg.type === 'E')
              throw new UpstreamLoginError('the upstream refused the login', Buffer.from(msg.raw))
            if (!authenticated) {
              if (msg.type === 'R') authenticated = await answer(socket, msg, scram, user, password)
              if (authenticated) greeting.push(Buffer.from(msg.raw))
              continue
            }
            greeting.push(Buffer.from(msg.raw))
            if (msg.type === 'K') pid = msg.body.readInt32BE(0)
            if (msg.type === 'Z') {
              socket.off('data', onData)
              socket.off('error', fail)
              socket.off('close', onClose)
              socket.pause()
              greeting.push(reader.rest())
              resolve({ socket, greeting: Buffer.concat(greeting), pid })
              return
            }
          }
        })
        .catch(fail)
    }
    socket.on('data', onData)
    socket.on('error', fail)
    const onClose = () => fail(new UpstreamLoginError('the upstream closed the connection during login'))
    socket.once('close', onClose)
    socket.once('connect', () => socket.write(startupMessage(params)))
  })
}
