import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { assertNoCanary, canary, ensureBuilt, runNode } from '@latchkey/test-support'
import { beforeAll, describe, expect, it } from 'vitest'

const appDir = fileURLToPath(new URL('..', import.meta.url))
const packagesDir = fileURLToPath(new URL('../../../packages/', import.meta.url))

describe('the built ESM package in a plain Node.js Nest 12 app', () => {
  beforeAll(() => ensureBuilt(['core', 'nestjs']), 180_000)

  it('boots, serves a request with an @Secret handle, and closes the provider', async () => {
    const apiKey = canary('dist-key')
    const { code, stdout, stderr } = await runNode(
      ['--import', './scripts/single-nest.mjs', 'test-fixtures/dist-app.mjs'],
      { cwd: appDir, env: { DIST_FIXTURE_API_KEY: apiKey } },
    )
    assertNoCanary(`${stdout}\n${stderr}`, 'the app output')

    expect(stderr).toBe('')
    expect(code).toBe(0)
    const line = stdout.split('\n').find((l) => l.startsWith('dist-app '))
    expect(line, stdout).toBeDefined()
    expect(JSON.parse((line as string).slice('dist-app '.length))).toEqual({
      status: 200,
      sha256: createHash('sha256').update(apiKey).digest('hex'),
      nest: expect.stringMatching(/^12\./),
      entry: `file://${packagesDir}nestjs/dist/index.js`,
      providerClosed: true,
    })
  })
})
