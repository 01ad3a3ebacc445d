import { fileURLToPath } from 'node:url'
import { assertNoCanary, canary, ensureBuilt, runNode } from '@latchkey/test-support'
import { beforeAll, describe, expect, it } from 'vitest'
import { sha256 } from '../test/support.js'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const fixture = fileURLToPath(new URL('../test-fixtures/cjs-app.cjs', import.meta.url))

const run = (env: Record<string, string>) => runNode([fixture], { cwd: packageDir, env })

describe('a CommonJS Nest 11 app on the built package', () => {
  beforeAll(() => ensureBuilt(['core', 'nestjs'], 'index.cjs'), 180_000)

  it('boots, serves a request with an @Secret handle, and closes the provider on SIGTERM', async () => {
    const password = canary('cjs-password')
    const { code, stdout, stderr } = await run({ CJS_FIXTURE_DB_PASSWORD: password })
    assertNoCanary(`${stdout}\n${stderr}`, 'the CommonJS app output')

    expect(stderr).toBe('')
    expect(code).toBe(0)
    const line = stdout.split('\n').find((l) => l.startsWith('cjs-app '))
    expect(line, stdout).toBeDefined()
    const status = JSON.parse((line as string).slice('cjs-app '.length))
    expect(status).toEqual({
      status: 200,
      sha256: sha256(password),
      nest: expect.stringMatching(/^11\./),
      entry: `${packageDir}dist/index.cjs`,
    })
    expect(stdout).toContain('shutdown provider-closed=true')
  })

  it('exits with the preload error naming the missing secret when it is not set', async () => {
    const { code, stdout, stderr } = await run({})
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toContain('cjs-app failed: ERR_SECRET_PRELOAD: failed to load 1 secret: db/password')
  })
})
