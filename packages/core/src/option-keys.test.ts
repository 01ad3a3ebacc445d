import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { thrownBy } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { CACHE_OPTION_KEYS } from './cache-options.js'
import { InvalidOptionsError } from './errors.js'
import { checkSourceOptionNames, integrationOptionKeys, optionKeys } from './option-keys.js'
import { EnvSource } from './sources/env.js'
import { FileSource } from './sources/file.js'

describe('unknown option names of the local sources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-option-keys-'))
  it.each([
    ['EnvSource', () => new EnvSource({ prefx: 'APP_' } as never), 'prefx', 'prefix'],
    ['EnvSource', () => new EnvSource({ envfile: '.env' } as never), 'envfile', 'envFile'],
    ['FileSource', () => new FileSource({ dir, wacth: false } as never), 'wacth', 'watch'],
    [
      'FileSource',
      () => new FileSource({ dir, trimTrailingNewLines: false } as never),
      'trimTrailingNewLines',
      'trimTrailingNewline',
    ],
  ])('%s({ %s }) is ERR_SECRET_INVALID_OPTIONS naming the nearest option', (owner, build, key, nearest) => {
    const error = thrownBy(build, InvalidOptionsError)
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toBe(`${owner}: unknown option "${key}"; did you mean "${nearest}"?`)
  })

  it('accept every option they declare', () => {
    expect(() => new EnvSource({ prefix: 'APP_', envFile: join(dir, '.env'), env: {} })).not.toThrow()
    expect(() => new FileSource({ dir, watch: false, trimTrailingNewline: true })).not.toThrow()
  })

  it('leave a value that is not an object to the source’s own check', () => {
    for (const value of [undefined, null, 'dir', 42, ['dir']]) {
      expect(() => checkSourceOptionNames(value, ['dir'], 'Owner')).not.toThrow()
    }
    const error = thrownBy(() => new FileSource('dir' as never), InvalidOptionsError)
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toContain('FileSource: dir must be a non-empty string')
  })
})

describe('optionKeys and integrationOptionKeys', () => {
  it('list the keys given, in order', () => {
    interface Options {
      a?: number
      b: string
    }
    expect(optionKeys<Options>({ a: true, b: true })).toEqual(['a', 'b'])
  })

  it('add provider, source and every cache option to an integration’s own', () => {
    const keys = integrationOptionKeys(['preload'])
    expect(keys).toEqual(['preload', 'provider', 'source', ...CACHE_OPTION_KEYS])
  })
})
