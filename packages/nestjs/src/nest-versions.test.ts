import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { assertNoCanary, canary, ensureBuilt, runNode } from '@latchkey/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256 } from '../test/support.js'

/**
 * The scenario in test-fixtures/nest-versions runs on the oldest and the newest Nest 11 and Nest 12
 * release the peer range allows. Each release is a private workspace package there (exact versions
 * for the oldest, the lockfile's newest for the others), so pnpm resolves Nest's own peers inside
 * one release. The test lays out a temporary node_modules that holds a copy of this package's
 * build next to that release, so `require('@nestjs/common')` from @latchkey/nestjs finds it.
 */
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const coreDir = fileURLToPath(new URL('../../core/', import.meta.url))
const fixtures = fileURLToPath(new URL('../test-fixtures/nest-versions/', import.meta.url))
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
  peerDependencies: Record<string, string>
}

const temps: string[] = []
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true })
})

/** A directory whose node_modules holds this package's build, core, and the Nest release of `variant`. */
function layout(variant: string): string {
  const root = mkdtempSync(join(tmpdir(), `latchkey-${variant}-`))
  temps.push(root)
  const modules = join(root, 'node_modules')
  const ours = join(modules, '@latchkey', 'nestjs')
  mkdirSync(ours, { recursive: true })
  cpSync(join(packageDir, 'package.json'), join(ours, 'package.json'))
  cpSync(join(packageDir, 'dist'), join(ours, 'dist'), { recursive: true })
  symlinkSync(coreDir, join(modules, '@latchkey', 'core'), 'dir')
  for (const name of ['@nestjs/common', '@nestjs/core', '@nestjs/config', 'reflect-metadata', 'rxjs']) {
    const target = join(modules, name)
    mkdirSync(dirname(target), { recursive: true })
    symlinkSync(realpathSync(join(fixtures, variant, 'node_modules', name)), target, 'dir')
  }
  return root
}

function installedNest(variant: string): string {
  const path = join(fixtures, variant, 'node_modules', '@nestjs', 'core', 'package.json')
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version
}

const variants = [
  { variant: 'nest-11-0', major: 11, oldest: true, script: 'scenario.cjs' },
  { variant: 'nest-11-latest', major: 11, oldest: false, script: 'scenario.cjs' },
  { variant: 'nest-12-0', major: 12, oldest: true, script: 'scenario.mjs' },
  { variant: 'nest-12-latest', major: 12, oldest: false, script: 'scenario.mjs' },
]

describe('on the oldest and newest Nest 11 and 12 releases', () => {
  beforeAll(() => ensureBuilt(['core', 'nestjs']), 180_000)

  it('the fixtures hold the bounds of the peer range', () => {
    const ranges = manifest.peerDependencies['@nestjs/core']
      ?.split('||')
      .map((r) => r.trim().replace(/^\^/, ''))
    const oldest = variants.filter((v) => v.oldest).map((v) => installedNest(v.variant))
    expect(oldest).toEqual(ranges)
    for (const { variant, major } of variants)
      expect(installedNest(variant).split('.')[0]).toBe(String(major))
  })

  it.each(variants)(
    '$variant: @Secret loads before injection, and one error names what module and loader miss',
    async ({ variant, script }) => {
      const root = layout(variant)
      for (const file of [script, 'scenario-body.cjs']) cpSync(join(fixtures, file), join(root, file))
      const password = canary(`scenario-${variant}`)

      const { code, stdout, stderr } = await runNode([join(root, script)], {
        cwd: root,
        env: { SCENARIO_DB_PASSWORD: password },
      })

      assertNoCanary(`${stdout}\n${stderr}`, 'the scenario output')
      expect(stderr).toBe('')
      expect(code).toBe(0)
      const line = stdout.split('\n').find((l) => l.startsWith('scenario '))
      expect(JSON.parse((line ?? 'scenario null').slice('scenario '.length))).toEqual({
        nest: installedNest(variant),
        loaded: true,
        sha256: sha256(password),
        failure: {
          code: 'ERR_SECRET_PRELOAD',
          names: [
            'config/missing ERR_SECRET_NOT_FOUND',
            'module/missing ERR_SECRET_NOT_FOUND',
            'module/preloaded-missing ERR_SECRET_NOT_FOUND',
          ],
        },
      })
    },
    60_000,
  )
})
