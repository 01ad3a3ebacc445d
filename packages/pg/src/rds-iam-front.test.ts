/**
 * The RDS IAM auth stand-in the knex and Sequelize token tests run against
 * (`test/rds-iam-front/`): real pg clients and raw sockets against it, the real PostgreSQL behind.
 */
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { assertNoCanary, printed, rejectionOf } from '@latchkey/test-support'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { IamTokenBook, type RdsIamFront, startRdsIamFront } from '../test/rds-iam-front/index.js'
import { fatalError, startupMessage } from '../test/rds-iam-front/protocol.js'
import { type Admin, admin, server } from '../test/support.js'

let db: Admin
let role: { name: string; password: string }
let other: { name: string; password: string }
let book: IamTokenBook
/** The token book's clock runs `skew` ms ahead of the wall clock, so a test expires tokens without sleeping. */
let skew = 0
const AUTH_TIMEOUT_MS = 2_000
let front: RdsIamFront
const opened: pg.Client[] = []

beforeAll(async () => {
  db = admin()
  role = await db.createRole('frt')
  other = await db.createRole('fro')
  book = new IamTokenBook(() => Date.now() + skew)
  const passwords = new Map([
    [role.name, role.password],
    [other.name, other.password],
  ])
  front = await startRdsIamFront({
    upstream: { host: server().host, port: server().port },
    upstreamPassword: (user) => passwords.get(user),
    tokens: book,
    authTimeoutMs: AUTH_TIMEOUT_MS,
  })
})
afterEach(async () => {
  skew = 0
  await Promise.all(opened.splice(0).map((client) => client.end().catch(() => undefined)))
})
afterAll(async () => {
  await front.close()
  await db.close()
})

/** A pg client through the front, logging in as `user` with `password`. */
async function login(user: string, password: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: front.host,
    port: front.port,
    database: server().database,
    user,
    password,
  })
  client.on('error', () => undefined)
  opened.push(client)
  await client.connect()
  return client
}

/**
 * Writes `bytes` on a raw connection to the front; resolves with what it answered once it closed,
 * once `enough` bytes have arrived, or after `waitMs` (then `closed` is false).
 */
function exchange(
  bytes: Buffer[],
  waitMs = 5_000,
  enough = Number.POSITIVE_INFINITY,
): Promise<{ answer: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(front.port, front.host)
    const answer: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      resolve({ answer: Buffer.concat(answer), closed: false })
    }, waitMs)
    socket.on('data', (chunk) => {
      answer.push(chunk)
      if (Buffer.concat(answer).length >= enough) {
        clearTimeout(timer)
        socket.destroy()
        resolve({ answer: Buffer.concat(answer), closed: false })
      }
    })
    socket.on('error', () => undefined)
    socket.once('close', () => {
      clearTimeout(timer)
      resolve({ answer: Buffer.concat(answer), closed: true })
    })
    socket.once('connect', () => {
      for (const chunk of bytes) socket.write(chunk)
    })
  })
}

/** Resolves once the front holds no client connection and no upstream connection. */
async function frontIdle(ms = 3_000): Promise<boolean> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (front.open === 0 && front.upstreamOpen === 0) return true
    await sleep(20)
  }
  return false
}

describe('RDS IAM front: tokens', () => {
  it('a valid token logs in as that role, through a real upstream login; the session is recorded by pid', async () => {
    const { token, expiresAt } = book.issue(role.name, 5_000)
    const client = await login(role.name, token)
    const { rows } = await client.query<{ u: string; pid: number }>(
      'SELECT current_user AS u, pg_backend_pid() AS pid',
    )
    expect(rows[0]?.u).toBe(role.name)
    expect(front.sessions.get(Number(rows[0]?.pid))).toEqual({
      pid: Number(rows[0]?.pid),
      user: role.name,
      tokenExpiresAt: expiresAt,
    })
  })

  it('every unexpired token is accepted, not only the newest', async () => {
    const older = book.issue(role.name, 5_000).token
    const newer = book.issue(role.name, 5_000).token
    const a = await login(role.name, older)
    const b = await login(role.name, newer)
    expect((await a.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 })
    expect((await b.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 })
  })

  it.each([
    ['an expired token', 'expired'],
    ['an unknown token', 'unknown'],
    ["another user's token", 'other-user'],
  ] as const)(
    '%s is refused like RDS: FATAL 28000 "PAM authentication failed", no token in the error',
    async (_name, kind) => {
      const before = front.refused[kind]
      let token: string
      if (kind === 'expired') {
        token = book.issue(role.name, 60_000).token
        skew = 60_001
      } else if (kind === 'unknown') {
        token = `${book.issue(role.name, 5_000).token}x`
      } else {
        token = book.issue(other.name, 5_000).token
      }
      const error = await rejectionOf(login(role.name, token))
      expect(error).toMatchObject({
        code: '28000',
        severity: 'FATAL',
        message: `PAM authentication failed for user "${role.name}"`,
      })
      expect(front.refused[kind]).toBe(before + 1)
      assertNoCanary(printed(error))
    },
  )

  it('a long password (20,000 bytes, over the startup limit, under the 65,535-byte one) is read and refused, not dropped', async () => {
    const error = await rejectionOf(
      login(role.name, `${book.issue(role.name, 5_000).token}${'x'.repeat(20_000)}`),
    )
    expect(error).toMatchObject({
      code: '28000',
      message: `PAM authentication failed for user "${role.name}"`,
    })
  })

  it('a valid token for a user the front has no upstream password for is refused the same way', async () => {
    const token = book.issue('nobody_here', 5_000).token
    const error = await rejectionOf(login('nobody_here', token))
    expect(error).toMatchObject({
      code: '28000',
      message: 'PAM authentication failed for user "nobody_here"',
    })
  })

  it('an open connection outlives its token (checked at login only, as on RDS)', async () => {
    const { token } = book.issue(role.name, 60_000)
    const client = await login(role.name, token)
    skew = 60_001
    expect(book.check(role.name, token)).toBe('expired')
    expect((await client.query('SELECT current_user AS u')).rows[0]).toEqual({ u: role.name })
    expect(await rejectionOf(login(role.name, token))).toMatchObject({ code: '28000' })
  })

  it('a CancelRequest is passed on to the upstream: a running query is cancelled (57014)', async () => {
    const client = await login(role.name, book.issue(role.name, 5_000).token)
    const running = rejectionOf(client.query('SELECT pg_sleep(20)'))
    const keys = client as unknown as { processID: number; secretKey: number }
    // Cancel only once the server runs the query (a cancel that arrives before it is a no-op).
    const active = async () =>
      (
        await db.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = $2', [
          keys.processID,
          'active',
        ])
      ).rowCount === 1
    while (!(await active())) await sleep(20)
    const cancel = Buffer.alloc(16)
    cancel.writeInt32BE(16, 0)
    cancel.writeInt32BE(80_877_102, 4)
    cancel.writeInt32BE(keys.processID, 8)
    cancel.writeInt32BE(keys.secretKey, 12)
    const { closed } = await exchange([cancel])
    expect(closed).toBe(true)
    expect(await running).toMatchObject({ code: '57014' })
  })
})

describe('RDS IAM front: hostile and broken clients', () => {
  it('an SSLRequest is answered N, and the login then goes on in the clear', async () => {
    const ssl = Buffer.alloc(8)
    ssl.writeInt32BE(8, 0)
    ssl.writeInt32BE(80_877_103, 4)
    const startup = startupMessage(new Map([['user', role.name]]))
    const { answer } = await exchange([ssl, startup], 5_000, 10)
    expect(answer.subarray(0, 1).toString()).toBe('N')
    // AuthenticationCleartextPassword: 'R', length 8, code 3.
    expect([...answer.subarray(1, 10)]).toEqual([0x52, 0, 0, 0, 8, 0, 0, 0, 3])
  })

  it('a startup packet without a user gets FATAL 28000 and is closed', async () => {
    const { answer, closed } = await exchange([startupMessage(new Map([['database', 'x']]))])
    expect(closed).toBe(true)
    expect(answer).toEqual(fatalError('28000', 'no PostgreSQL user name specified in startup packet'))
  })

  it('an unknown protocol version gets FATAL 0A000 and is closed', async () => {
    const packet = Buffer.alloc(8)
    packet.writeInt32BE(8, 0)
    packet.writeInt32BE(0x00020000, 4)
    const { answer, closed } = await exchange([packet])
    expect(closed).toBe(true)
    expect(answer).toEqual(fatalError('0A000', 'unsupported frontend protocol'))
  })

  it('malformed startup lengths (4, negative, 1 MB of garbage) are closed without an answer', async () => {
    const four = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0])
    const negative = Buffer.from([0xff, 0xff, 0xff, 0xf0])
    const garbage = Buffer.alloc(1 << 20, 0x41)
    for (const bytes of [four, negative, garbage]) {
      const { answer, closed } = await exchange([bytes])
      expect(closed).toBe(true)
      expect(answer.length).toBe(0)
    }
    expect(await frontIdle()).toBe(true)
    const client = await login(role.name, book.issue(role.name, 5_000).token)
    expect((await client.query('SELECT 1 AS one')).rows[0]).toEqual({ one: 1 })
  })

  it('a startup list that is not key/value pairs gets FATAL 08P01', async () => {
    const body = Buffer.from('user\0', 'utf8')
    const head = Buffer.alloc(8)
    head.writeInt32BE(body.length + 8, 0)
    head.writeInt32BE(196_608, 4)
    const { answer, closed } = await exchange([Buffer.concat([head, body])])
    expect(closed).toBe(true)
    expect(answer).toEqual(fatalError('08P01', 'invalid startup packet layout'))
  })

  it('a password message over 64 KiB, or a message other than a password, is closed', async () => {
    const startup = startupMessage(new Map([['user', role.name]]))
    const huge = Buffer.alloc(100_000 + 5, 0x41)
    huge.write('p', 0)
    huge.writeInt32BE(100_004, 1)
    const query = Buffer.concat([Buffer.from('Q'), Buffer.from([0, 0, 0, 13]), Buffer.from('SELECT 1\0')])
    for (const second of [huge, query]) {
      const { closed } = await exchange([startup, second])
      expect(closed).toBe(true)
    }
    expect(await frontIdle()).toBe(true)
  })

  it('a client that hangs up mid-auth leaves nothing open; one that sends nothing is closed at authTimeoutMs', async () => {
    const startup = startupMessage(new Map([['user', role.name]]))
    const hangUp = connect(front.port, front.host)
    hangUp.on('error', () => undefined)
    await new Promise<void>((resolve) => {
      hangUp.once('data', () => {
        hangUp.destroy()
        resolve()
      })
      hangUp.once('connect', () => hangUp.write(startup))
    })
    const started = Date.now()
    const silent = await exchange([], AUTH_TIMEOUT_MS + 5_000)
    expect(silent.closed).toBe(true)
    expect(Date.now() - started).toBeGreaterThanOrEqual(AUTH_TIMEOUT_MS - 50)
    expect(await frontIdle()).toBe(true)
  })

  it('a client that hangs up while the front logs in upstream: the upstream login is dropped too', async () => {
    const startup = startupMessage(
      new Map([
        ['user', role.name],
        ['database', server().database],
      ]),
    )
    const token = book.issue(role.name, 5_000).token
    const password = Buffer.concat([Buffer.from('p'), Buffer.alloc(4), Buffer.from(`${token}\0`)])
    password.writeInt32BE(password.length - 1, 1)
    const sessions = front.sessions.size
    const socket = connect(front.port, front.host)
    socket.on('error', () => undefined)
    await new Promise<void>((resolve) => {
      socket.once('data', () => {
        socket.write(password)
        socket.destroy()
        resolve()
      })
      socket.once('connect', () => socket.write(startup))
    })
    expect(await frontIdle()).toBe(true)
    expect(front.sessions.size).toBe(sessions)
  })
})
