import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { canary } from '@latchkey/test-support'
import { describe, expect, test } from 'vitest'
import { keyMatches } from './api-key.js'
import { openSource, readArgs, SECRET_NAMES } from './source.js'

describe('readArgs', () => {
  test('defaults to env on port 3000 (or PORT)', () => {
    expect(readArgs([])).toEqual({ source: 'env', dir: undefined, port: Number(process.env.PORT ?? 3000) })
  })

  test('rejects bad command-line arguments with a message that says what to pass', () => {
    expect(() => readArgs(['--source=vault'])).toThrow('--source must be env, file, aws, ssm, azure, google')
    expect(() => readArgs(['--source=file'])).toThrow('--source=file needs --dir=<directory>')
    expect(() => readArgs(['--port=-1'])).toThrow('--port must be a port number')
    expect(readArgs(['--source=file', '--dir=/run/secrets', '--port=0'])).toEqual({
      source: 'file',
      dir: '/run/secrets',
      port: 0,
    })
  })
})

describe('openSource', () => {
  test('env mode reads DB_PASSWORD and API_KEY', async () => {
    const apiKey = canary('shared-env-key')
    const { source, stop } = await openSource(readArgs([]), { API_KEY: apiKey })
    expect((await source.load(SECRET_NAMES.apiKey, { signal: AbortSignal.timeout(5_000) })).value).toBe(
      apiKey,
    )
    await stop()
  })

  test('file mode reads <dir>/api/key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latchkey-example-'))
    try {
      const apiKey = canary('shared-file-key')
      await mkdir(join(dir, 'api'))
      await writeFile(join(dir, 'api', 'key'), apiKey)
      const { source, stop } = await openSource(readArgs(['--source=file', `--dir=${dir}`]))
      const loaded = await source.load(SECRET_NAMES.apiKey, { signal: AbortSignal.timeout(5_000) })
      expect(String(loaded.value)).toBe(apiKey)
      await stop()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('aws mode says which variables seed the emulator when they are missing', async () => {
    await expect(openSource(readArgs(['--source=aws']), {})).rejects.toThrow('set both')
  })

  test.each(['ssm', 'azure', 'google'])(
    '%s mode serves the seeded values through the real SDK of that store, and stop() closes the emulator',
    async (mode) => {
      const apiKey = canary(`shared-${mode}-key`)
      const dbPassword = canary(`shared-${mode}-db`)
      const opened = await openSource(readArgs([`--source=${mode}`]), {
        DB_PASSWORD: dbPassword,
        API_KEY: apiKey,
      })
      try {
        const signal = AbortSignal.timeout(10_000)
        expect(String((await opened.source.load(SECRET_NAMES.apiKey, { signal })).value)).toBe(apiKey)
        expect(String((await opened.source.load(SECRET_NAMES.dbPassword, { signal })).value)).toBe(dbPassword)
      } finally {
        await opened.stop()
      }
      await expect(
        opened.source.load(SECRET_NAMES.apiKey, { signal: AbortSignal.timeout(10_000) }),
      ).rejects.toMatchObject({ transient: true })
    },
  )

  test('aws mode serves the seeded values through the AWS SDK, and stop() closes the emulator', async () => {
    const apiKey = canary('shared-aws-key')
    const opened = await openSource(readArgs(['--source=aws']), {
      DB_PASSWORD: canary('db'),
      API_KEY: apiKey,
    })
    try {
      const loaded = await opened.source.load(SECRET_NAMES.apiKey, { signal: AbortSignal.timeout(5_000) })
      expect(loaded.value).toBe(apiKey)
      expect(opened.emulator).toBeDefined()
    } finally {
      await opened.stop()
    }
  })
})

describe('keyMatches', () => {
  test('matches only the same key, and never an empty or missing one', () => {
    const key = canary('shared-api-key')
    expect(keyMatches(key, key)).toBe(true)
    expect(keyMatches(`${key}x`, key)).toBe(false)
    expect(keyMatches('', key)).toBe(false)
    expect(keyMatches(undefined, key)).toBe(false)
  })
})
