import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { rejectionOf } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { buildCli } from '../test/fixture.js'
import { runCli } from '../test/run-cli.js'
import { loadConfig } from './config/load.js'
import { ConfigError } from './errors.js'

function project(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-config-'))
  writeFileSync(join(dir, name), text)
  return dir
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`
const good = {
  sources: { main: { type: 'env', prefix: 'APP_' } },
  secrets: ['db/password', { name: 'api-key' }],
}

async function errorOf(name: string, text: string): Promise<ConfigError> {
  const error = await rejectionOf(loadConfig({ cwd: project(name, text) }))
  expect(error).toBeInstanceOf(ConfigError)
  return error as ConfigError
}

describe('loadConfig', () => {
  it("reads latchkey.config.json: one source is every secret's default", async () => {
    const config = await loadConfig({ cwd: project('latchkey.config.json', json(good)) })
    expect(config.secrets).toEqual([
      { name: 'db/password', source: 'main' },
      { name: 'api-key', source: 'main' },
    ])
  })

  it('reads latchkey.config.mjs exporting the same shape', async () => {
    const config = await loadConfig({
      cwd: project('latchkey.config.mjs', `export default ${JSON.stringify(good)}\n`),
    })
    expect(config.sources.main).toEqual({ type: 'env', prefix: 'APP_' })
  })

  // each case: the config, the field the error must name, and the text of the line it must point at
  it.each([
    [
      { ...good, sources: { main: { type: 'aws-secrets-manger' } } },
      'sources.main.type',
      '"type": "aws-secrets-manger"',
    ],
    [{ ...good, sources: { main: { type: 'env', prefx: 'A' } } }, 'sources.main.prefx', '"prefx"'],
    [{ ...good, secrets: ['a', { name: 'b', source: 'other' }] }, 'secrets[1].source', '"source": "other"'],
    [{ ...good, secrets: ['a', 42] }, 'secrets[1]', '42'],
    [{ ...good, cache: { timeout: -1 } }, 'cache.timeout', '"timeout": -1'],
    [{ sources: { a: { type: 'file', dir: 'x' }, b: { type: 'env' } }, secrets: ['x'] }, 'secrets[0]', '"x"'],
    [
      { sources: { main: { type: 'google-secret-manager' } }, secrets: ['x'] },
      'sources.main.project',
      '"main"',
    ],
    [
      { ...good, sources: { main: { type: 'aws-secrets-manager', accountId: '12' } } },
      'sources.main.accountId',
      '"accountId"',
    ],
    [{ ...good, extra: true }, 'extra', '"extra"'],
  ])('names the field and its line: %j → %s', async (config, field, lineText) => {
    const text = json(config)
    const line = text.split('\n').findIndex((l) => l.trim().startsWith(lineText)) + 1
    expect(line).toBeGreaterThan(0)
    const error = await errorOf('latchkey.config.json', text)
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.field).toBe(field)
    expect(error.line).toBe(line)
    expect(error.message).toContain(`latchkey.config.json:${line}: ${field}`)
  })

  it("reports a JSON syntax error at its line, a missing file, and a module config's field", async () => {
    const syntax = await errorOf('latchkey.config.json', '{\n  "sources": {\n    "a": {,\n}')
    expect(syntax.line).toBe(3)
    const missing = await rejectionOf(loadConfig({ cwd: mkdtempSync(join(tmpdir(), 'latchkey-none-')) }))
    expect((missing as ConfigError).code).toBe('ERR_SECRET_INVALID_OPTIONS')
    const module = await errorOf(
      'latchkey.config.mjs',
      'export default { sources: { a: { type: "file" } }, secrets: ["x"] }\n',
    )
    expect(module.field).toBe('sources.a.dir')
    expect(module.line).toBeUndefined()
  })

  it('survives hostile input: a huge file, deep nesting, a non-object', async () => {
    const huge = await errorOf('latchkey.config.json', `{"x":"${'a'.repeat(1_100_000)}"}`)
    expect(huge.message).toContain('larger than')
    const deep = await errorOf('latchkey.config.json', `${'['.repeat(5000)}${']'.repeat(5000)}`)
    expect(deep.field).toBe('')
    const text = await errorOf('latchkey.config.json', '"just a string"')
    expect(text.message).toContain('got a string')
  })

  it('the bin loads latchkey.config.ts where Node.js strips types, and says what to do where it cannot', async () => {
    buildCli()
    const dir = project(
      'latchkey.config.ts',
      `const config: { sources: object; secrets: string[] } = ${JSON.stringify(good)}\nexport default config\n`,
    )
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number)
    const strips = major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18)
    const run = await runCli(['check', '--json'], {
      cwd: dir,
      env: { APP_DB_PASSWORD: 'example-one', APP_API_KEY: 'example-two' },
    })
    if (strips) {
      expect(JSON.parse(run.stdout).ok).toBe(true)
    } else {
      expect(run.code).toBe(2)
      expect(JSON.parse(run.stdout).error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
      expect(run.stderr).toContain('use latchkey.config.mjs')
    }
  }, 180_000)
})
