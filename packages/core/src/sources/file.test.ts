import { mkdir, mkdtemp, rename, symlink, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { canary } from '../../../../test/canary/index.js'
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
