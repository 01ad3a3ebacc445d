import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { assertNoCanary } from '@latchkey/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Backends, buildCli, startBackends } from '../test/fixture.js'
import { BIN, projectWith, runCli } from '../test/run-cli.js'

let backends: Backends
let cwd: string

beforeAll(async () => {
  buildCli()
  backends = await startBackends()
  cwd = projectWith(backends.config)
}, 180_000)
afterAll(() => backends?.close())

describe('latchkey get', () => {
  it('prints a masked view: length, ends of a long value, version, source — not the value', async () => {
    const run = await runCli(['get', 'app/api-key'], { cwd, env: backends.env })
    expect(run.code).toBe(0)
    const value = backends.values.apiKey
    expect(run.stdout).toContain(`${value.slice(0, 2)}…${value.slice(-2)}`)
    expect(run.stdout).toContain(`${value.length} characters`)
    expect(run.stdout).toContain('source aws (aws-secrets-manager)')
    assertNoCanary(run.stdout + run.stderr, 'get output')
  })

  it('--field selects a JSON field; a short value shows no characters at all', async () => {
    const run = await runCli(['get', 'app/db', '--field', 'username', '--json'], { cwd, env: backends.env })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: true,
      name: 'app/db#username',
      length: 3,
      masked: '****',
      source: 'aws',
    })
    assertNoCanary(run.stdout + run.stderr, 'get output')
  })

  it('--reveal prints the value itself (no warning when stdout is not a terminal)', async () => {
    const run = await runCli(['get', 'app/db', '--field', 'password', '--reveal'], { cwd, env: backends.env })
    expect(run.code).toBe(0)
    expect(run.stdout).toBe(`${backends.values.db}\n`)
    expect(run.stderr).not.toContain('printing the value')
    const json = await runCli(['get', 'app/service#password', '--reveal', '--json'], {
      cwd,
      env: backends.env,
    })
    expect(JSON.parse(json.stdout).value).toBe(backends.values.vaultPassword)
  })

  it('exits 1 with the status for a missing secret, 2 for a name with no source', async () => {
    const missing = await runCli(['get', 'app/nope', '--source', 'aws'], { cwd, env: backends.env })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('not-found (ERR_SECRET_NOT_FOUND)')
    const unknown = await runCli(['get', 'other'], { cwd, env: backends.env })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('ERR_SECRET_INVALID_OPTIONS')
    const none = await runCli(['get'], { cwd, env: backends.env })
    expect(none.code).toBe(2)
  })

  it('on a terminal (a pty from script(1)): --reveal warns on stderr, and colours follow NO_COLOR', async () => {
    const inPty = async (args: string, extra: Record<string, string> = {}) => {
      const env = { ...process.env, ...backends.env, ...extra }
      delete env.FORCE_COLOR
      if (extra.NO_COLOR === undefined) delete env.NO_COLOR
      const { stdout } = await promisify(execFile)(
        'script',
        ['-qec', `"${process.execPath}" "${BIN}" ${args}`, '/dev/null'],
        { cwd, env },
      )
      return stdout
    }
    const revealed = await inPty('get app/api-key --reveal')
    expect(revealed).toContain('printing the value of app/api-key to the terminal')
    expect(revealed).toContain(backends.values.apiKey)
    expect(await inPty('check')).toContain('\u001b[32mok')
    const plain = await inPty('check', { NO_COLOR: '1' })
    expect(plain).toContain('ok ')
    expect(plain).not.toContain('\u001b[')
  })
})
