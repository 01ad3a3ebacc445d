import { execFileSync } from 'node:child_process'
import { closeSync, constants, openSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rename, stat, symlink, unlink, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { canary } from '@latchkey/test-support'
import { afterEach, describe, expect, it } from 'vitest'
import { CachedSecretProvider } from '../cache.js'
import { ErrorCode } from '../errors.js'
import { FileSource } from './file.js'

const signal = new AbortController().signal
const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const fn of cleanup.splice(0)) await fn()
})

async function secretsDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'latchkey-files-'))
}

/**
 * Settles `promise`, or reports a hang after `ms`. The bound only detects a blocked thread pool
 * (a blocked call never settles); a prompt call takes milliseconds even on a loaded machine.
 */
function settledWithin<T>(promise: Promise<T>, ms = 15_000): Promise<PromiseSettledResult<T> | 'hung'> {
  let timer: NodeJS.Timeout | undefined
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), ms)
  })
  const settled = promise.then(
    (value): PromiseSettledResult<T> => ({ status: 'fulfilled', value }),
    (reason: unknown): PromiseSettledResult<T> => ({ status: 'rejected', reason }),
  )
  return Promise.race([settled, hung]).finally(() => clearTimeout(timer))
}

/** Opens `fifo` for writing and closes it, which releases every reader blocked opening it. */
function releaseReaders(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK))
  } catch {
    // ENXIO: no reader is waiting.
  }
}

function waitFor(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve()
      if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'))
      setTimeout(tick, 20)
    }
    tick()
  })
}

describe('FileSource', () => {
  it('reads <dir>/<name> and drops one trailing newline', async () => {
    const dir = await secretsDir()
    const value = canary('file')
    await mkdir(join(dir, 'db'))
    await writeFile(join(dir, 'db', 'password'), `${value}\n`)
    const source = new FileSource({ dir })
    expect((await source.load('db/password', { signal })).value).toBe(value)
  })

  it('rejects .., absolute paths and empty segments with ERR_SECRET_INVALID_NAME', async () => {
    const source = new FileSource({ dir: await secretsDir() })
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a//b', 'a/..']) {
      await expect(source.load(bad, { signal })).rejects.toMatchObject({ code: ErrorCode.INVALID_NAME })
    }
  })

  it('refuses symlinks that escape the directory', async () => {
    const dir = await secretsDir()
    const outside = await secretsDir()
    await writeFile(join(outside, 'target'), canary('outside'))
    await symlink(join(outside, 'target'), join(dir, 'escape'))
    const source = new FileSource({ dir })
    await expect(source.load('escape', { signal })).rejects.toMatchObject({ code: ErrorCode.ACCESS_DENIED })
  })

  it('maps a missing file to not found and a directory to not found', async () => {
    const dir = await secretsDir()
    await mkdir(join(dir, 'sub'))
    const source = new FileSource({ dir })
    await expect(source.load('nope', { signal })).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND })
    await expect(source.load('sub', { signal })).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND })
  })

  it('refuses a FIFO with ERR_SECRET_ACCESS_DENIED without blocking the file-I/O thread pool', async () => {
    const dir = await secretsDir()
    const value = canary('beside-fifo')
    await writeFile(join(dir, 'token'), value)
    const fifo = join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    cleanup.push(async () => releaseReaders(fifo))
    const source = new FileSource({ dir })
    // More concurrent opens than the pool has threads (4 by default): with a blocking open each
    // would hold one thread until a writer appears, and every later fs call would queue forever.
    const fifoLoads = Array.from({ length: 8 }, () => settledWithin(source.load('pipe', { signal })))
    const other = settledWithin(source.load('token', { signal }))
    const unrelated = settledWithin(readFile(join(dir, 'token'), 'utf8'))

    expect(await other).toEqual({ status: 'fulfilled', value: { value } })
    expect(await unrelated).toEqual({ status: 'fulfilled', value })
    for (const outcome of await Promise.all(fifoLoads)) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.ACCESS_DENIED } })
      expect(String((outcome as PromiseRejectedResult).reason.message)).toContain('FIFO')
    }
    expect((await stat(fifo)).isFIFO()).toBe(true)
  })

  it('refuses a Unix socket with ERR_SECRET_ACCESS_DENIED', async () => {
    const dir = await secretsDir()
    const server: Server = createServer()
    await new Promise<void>((resolve) => server.listen(join(dir, 'sock'), resolve))
    cleanup.push(() => new Promise((resolve) => server.close(() => resolve())))
    const error = await new FileSource({ dir }).load('sock', { signal }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: ErrorCode.ACCESS_DENIED, secretName: 'sock', source: 'file' })
    expect(String((error as Error).message)).toMatch(/not a regular file/)
  })

  it('reads through the Kubernetes layout: name -> ..data/name, ..data -> timestamped directory', async () => {
    const dir = await secretsDir()
    const value = canary('k8s-layout')
    await mkdir(join(dir, '..2026_11_29_04_00_00.000000001'))
    await mkdir(join(dir, '..2026_11_29_04_00_00.000000001', 'db'))
    await writeFile(join(dir, '..2026_11_29_04_00_00.000000001', 'db', 'password'), value)
    await symlink('..2026_11_29_04_00_00.000000001', join(dir, '..data'))
    await symlink('..data/db', join(dir, 'db'))
    const source = new FileSource({ dir })
    expect((await source.load('db/password', { signal })).value).toBe(value)
  })

  it('rejects a missing or empty dir and non-boolean flags with ERR_SECRET_INVALID_OPTIONS', () => {
    for (const options of [
      {},
      { dir: '' },
      { dir: 42 },
      { dir: '/tmp', watch: 'yes' },
      { dir: '/tmp', trimTrailingNewline: 0 },
    ]) {
      expect(() => new FileSource(options as never)).toThrow(
        expect.objectContaining({ code: ErrorCode.INVALID_OPTIONS }),
      )
    }
  })

  it('rejects files over 64 KiB', async () => {
    const dir = await secretsDir()
    await writeFile(join(dir, 'big'), 'x'.repeat(70_000))
    await expect(new FileSource({ dir }).load('big', { signal })).rejects.toMatchObject({
      code: ErrorCode.TOO_LARGE,
    })
  })

  it('follows a Kubernetes-style ..data symlink swap without waiting for the TTL', async () => {
    const dir = await secretsDir()
    const first = canary('k8s1')
    await mkdir(join(dir, '..2026_01'))
    await writeFile(join(dir, '..2026_01', 'password'), first)
    await symlink('..2026_01', join(dir, '..data'))
    await symlink('..data/password', join(dir, 'password'))
    const provider = new CachedSecretProvider(new FileSource({ dir }), { ttl: 600_000 })
    cleanup.push(() => provider.close())
    const handle = provider.handle('password')
    await handle.ready()
    expect(handle.reveal()).toBe(first)

    const second = canary('k8s2')
    await mkdir(join(dir, '..2026_02'))
    await writeFile(join(dir, '..2026_02', 'password'), second)
    await symlink('..2026_02', join(dir, '..data_tmp'))
    await rename(join(dir, '..data_tmp'), join(dir, '..data'))
    await waitFor(() => handle.loaded && handle.reveal() === second)
    expect(provider.stats().rotations).toBe(1)
  })

  it('notices a plain file rewrite', async () => {
    const dir = await secretsDir()
    await writeFile(join(dir, 'token'), canary('t1'))
    const provider = new CachedSecretProvider(new FileSource({ dir }), { ttl: 600_000 })
    cleanup.push(() => provider.close())
    const handle = provider.handle('token')
    await handle.ready()
    const next = canary('t2')
    await unlink(join(dir, 'token'))
    await writeFile(join(dir, 'token'), next)
    await waitFor(() => handle.reveal() === next)
    expect(handle.reveal()).toBe(next)
    expect(handle.version).toMatch(/^hmac:/)
  })
})
