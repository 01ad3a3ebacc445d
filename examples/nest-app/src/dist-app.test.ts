import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { beforeAll, describe, expect, it } from 'vitest'

const appDir = fileURLToPath(new URL('..', import.meta.url))
const packagesDir = fileURLToPath(new URL('../../../packages/', import.meta.url))

function newestSource(dir: string): number {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
  )
  return Math.max(...files.map((file) => statSync(`${dir}/${file}`).mtimeMs))
}

/** The fixture loads the packages as installed (dist/); build them when missing or older than the source. */
function ensureBuilt(): void {
  const stale = ['core', 'nestjs'].filter((name) => {
    const entry = `${packagesDir}${name}/dist/index.js`
    return !existsSync(entry) || statSync(entry).mtimeMs < newestSource(`${packagesDir}${name}/src`)
  })
  if (stale.length === 0) return
  const filters = stale.flatMap((name) => ['--filter', `@latchkey/${name}`])
  try {
    execFileSync('pnpm', [...filters, 'build'], { cwd: appDir, stdio: 'pipe', timeout: 120_000 })
  } catch (error) {
    throw new Error(
      `this check needs the built @latchkey/${stale.join(' and @latchkey/')}; building failed ` +
        `(run \`pnpm ${filters.join(' ')} build\`): ${(error as Error).message}`,
    )
  }
}

describe('the built ESM package in a plain Node.js Nest 12 app', () => {
  beforeAll(ensureBuilt, 180_000)

  it('boots, serves a request with an @Secret handle, and closes the provider', async () => {
    const apiKey = canary('dist-key')
    const child = spawn(
      process.execPath,
      ['--import', './scripts/single-nest.mjs', 'test-fixtures/dist-app.mjs'],
      {
        cwd: appDir,
        env: { ...process.env, DIST_FIXTURE_API_KEY: apiKey },
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    })
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
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
