import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { CachedSecretProvider } from '../cache.js'
import { ErrorCode, type SecretError } from '../errors.js'
import { parseDotenv } from './dotenv.js'
import { EnvSource, envVariableName } from './env.js'

const signal = new AbortController().signal

describe('EnvSource', () => {
  it('maps names to variables: db/password → DB_PASSWORD, with a prefix', () => {
    expect(envVariableName('db/password')).toBe('DB_PASSWORD')
    expect(envVariableName('stripe.api-key', 'APP_')).toBe('APP_STRIPE_API_KEY')
  })

  it('reads the environment it is given', async () => {
    const value = canary('env')
    const source = new EnvSource({ env: { APP_DB_PASSWORD: value }, prefix: 'APP_' })
    expect((await source.load('db/password', { signal })).value).toBe(value)
  })

  it('falls back to an env file, re-read on each load; the environment wins', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latchkey-env-'))
    const file = join(dir, '.env')
    const first = canary('file1')
    await writeFile(file, `# comment\nexport DB_PASSWORD="${first}"\nAPI_KEY=plain # trailing\n`)
    const source = new EnvSource({ env: { API_KEY: 'from-env' }, envFile: file })
    expect((await source.load('db/password', { signal })).value).toBe(first)
    expect((await source.load('api/key', { signal })).value).toBe('from-env')
    const second = canary('file2')
    await writeFile(file, `DB_PASSWORD='${second}'\n`)
    expect((await source.load('db/password', { signal })).value).toBe(second)
  })

  it('reports a missing variable as not found, naming the variable', async () => {
    const p = new CachedSecretProvider(new EnvSource({ env: {} }))
    const error = (await p.getSecret('db/password').catch((e: unknown) => e)) as SecretError
    expect(error.code).toBe(ErrorCode.NOT_FOUND)
    expect(error.message).toContain('DB_PASSWORD')
  })

  it('parses dotenv quoting and escapes', () => {
    const parsed = parseDotenv(
      'A="line\\nbreak"\nB=\'single # kept\'\nC=bare # dropped\n  D = spaced  \nnot a line\n',
    )
    expect(Object.fromEntries(parsed)).toEqual({
      A: 'line\nbreak',
      B: 'single # kept',
      C: 'bare',
      D: 'spaced',
    })
  })

  it('never puts the value in errors', async () => {
    const value = canary('envjson')
    const p = new CachedSecretProvider(new EnvSource({ env: { CREDS: value } }))
    const error = await p.getSecret('creds#password').catch((e: unknown) => e)
    assertNoCanary(String((error as Error).stack))
  })
})
