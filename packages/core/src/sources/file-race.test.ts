/**
 * Races between resolving a secret's path and opening it. `open` from node:fs/promises is wrapped
 * so a test can change the directory at the worst moment: after FileSource has resolved the path,
 * right before the file is opened. The wrapper passes every call through to the real `open`.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { canary } from '@latchkey/test-support'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ErrorCode } from '../errors.js'
import { FileSource } from './file.js'

const race = vi.hoisted(() => ({ beforeOpen: undefined as (() => void) | undefined }))

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>()
  return {
    ...actual,
    open: (...args: Parameters<typeof actual.open>) => {
      const hook = race.beforeOpen
      race.beforeOpen = undefined
      hook?.()
      return actual.open(...args)
    },
  }
})

const signal = new AbortController().signal

afterEach(() => {
  race.beforeOpen = undefined
})

async function dirs(): Promise<{ dir: string; outside: string; secret: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-race-'))
  const outside = await mkdtemp(join(tmpdir(), 'latchkey-outside-'))
  const secret = canary('outside-the-directory')
  writeFileSync(join(outside, 'password'), secret)
  return { dir, outside, secret }
}

describe('FileSource resolve/open races', () => {
  it('refuses a file reached through a directory swapped for a symlink after resolving', async () => {
    const { dir, outside, secret } = await dirs()
    mkdirSync(join(dir, 'db'))
    writeFileSync(join(dir, 'db', 'password'), canary('inside'))
    race.beforeOpen = () => {
      renameSync(join(dir, 'db'), join(dir, 'db-aside'))
      symlinkSync(outside, join(dir, 'db'))
    }
    const outcome = await new FileSource({ dir }).load('db/password', { signal }).then(
      (loaded) => loaded.value,
      (error: unknown) => error,
    )
    expect(outcome).not.toBe(secret)
    expect(outcome).toMatchObject({ code: ErrorCode.ACCESS_DENIED, secretName: 'db/password' })
  })

  it('refuses a file swapped for a symlink to outside after resolving', async () => {
    const { dir, outside, secret } = await dirs()
    writeFileSync(join(dir, 'password'), canary('inside'))
    race.beforeOpen = () => {
      renameSync(join(dir, 'password'), join(dir, 'password-aside'))
      symlinkSync(join(outside, 'password'), join(dir, 'password'))
    }
    const outcome = await new FileSource({ dir }).load('password', { signal }).then(
      (loaded) => loaded.value,
      (error: unknown) => error,
    )
    expect(outcome).not.toBe(secret)
    expect(outcome).toMatchObject({ code: ErrorCode.ACCESS_DENIED })
  })

  it('follows a Kubernetes ..data swap that removes the old directory between resolving and opening', async () => {
    const { dir } = await dirs()
    const first = canary('k8s-first')
    const second = canary('k8s-second')
    mkdirSync(join(dir, '..2026_01'))
    writeFileSync(join(dir, '..2026_01', 'password'), first)
    symlinkSync('..2026_01', join(dir, '..data'))
    symlinkSync('..data/password', join(dir, 'password'))
    // What the kubelet does on an update: new directory, new ..data link renamed over the old one,
    // old directory removed.
    race.beforeOpen = () => {
      mkdirSync(join(dir, '..2026_02'))
      writeFileSync(join(dir, '..2026_02', 'password'), second)
      symlinkSync('..2026_02', join(dir, '..data_tmp'))
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'))
      rmSync(join(dir, '..2026_01'), { recursive: true })
    }
    const loaded = await new FileSource({ dir }).load('password', { signal })
    expect(loaded.value).toBe(second)
  })
})
