import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { assertNoCanary } from '@latchkey/test-support'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type CloudBackends, startCloudBackends } from '../test/cloud-fixture.js'
import { buildCli } from '../test/fixture.js'
import { projectWith, runCli } from '../test/run-cli.js'
import type { CheckEntry } from './commands/check.js'
import type { ScanReport } from './commands/scan.js'

let backends: CloudBackends
let cwd: string
const printed: string[] = []

beforeAll(async () => {
  buildCli()
  backends = await startCloudBackends()
  cwd = projectWith(backends.config)
}, 180_000)
afterEach(() => {
  backends.kv.faults.reset()
  backends.gsm.faults.reset()
})
afterAll(async () => {
  assertNoCanary(printed.join('\n'), 'CLI output against Key Vault and Secret Manager')
  await backends?.close()
})

/** Runs the built bin against the two emulators, keeping all it printed for the leak check (stdout of `--reveal` aside). */
async function cli(args: string[], config: unknown = backends.config) {
  const run = await runCli(args, {
    cwd: config === backends.config ? cwd : projectWith(config),
    env: backends.env,
  })
  printed.push(args.includes('--reveal') ? '' : run.stdout, run.stderr)
  return run
}

const entries = (stdout: string) => (JSON.parse(stdout) as { ok: boolean; secrets: CheckEntry[] }).secrets
const byKey = (list: CheckEntry[]) => new Map(list.map((e) => [`${e.source}:${e.name}`, e]))

describe('latchkey check against Azure Key Vault and Google Secret Manager (real SDKs, child process)', () => {
  it('loads every secret over the real SDKs and exits 0; --json carries the versions', async () => {
    const text = await cli(['check'])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(
      /^ok\s+app\/db#password\s+source azure \(azure-key-vault\), version [0-9a-f]{32}/m,
    )
    expect(text.stdout).toMatch(
      /^ok\s+app-db#password\s+source google \(google-secret-manager\), version projects\/latchkey-emulator\/secrets\/app-db\/versions\/2,/m,
    )
    expect(text.stdout).toContain('4 of 4 secrets loaded')
    const json = await cli(['check', '--json'])
    expect(json.code).toBe(0)
    const found = byKey(entries(json.stdout))
    expect(found.get('azure:app/db#password')).toMatchObject({
      status: 'ok',
      version: backends.kv.versions('app--db').at(-1),
      code: null,
    })
    expect(found.get('azure:api-key')?.version).toBe(backends.kv.versions('api-key').at(-1))
    const version = (id: string, n: number) => `projects/${backends.gsm.project}/secrets/${id}/versions/${n}`
    expect(found.get('google:app-db#password')).toMatchObject({ status: 'ok', version: version('app-db', 2) })
    expect(found.get('google:api-key')).toMatchObject({ status: 'ok', version: version('api-key', 1) })
  })

  it('not found on each service: status not-found, ERR_SECRET_NOT_FOUND, exit 1', async () => {
    const config = structuredClone(backends.config)
    config.secrets.push({ name: 'no/such', source: 'azure' }, { name: 'no-such', source: 'google' })
    const run = await cli(['check', '--json'], config)
    expect(run.code).toBe(1)
    const found = byKey(entries(run.stdout))
    for (const key of ['azure:no/such', 'google:no-such'])
      expect(found.get(key)).toMatchObject({ status: 'not-found', code: 'ERR_SECRET_NOT_FOUND' })
    expect(found.get('azure:api-key')?.status).toBe('ok')
  })

  it('access denied names the permission each service names: Key Vault RBAC action, access policy, Google IAM', async () => {
    const action = 'Microsoft.KeyVault/vaults/secrets/getSecret/action'
    backends.kv.faults.fail(
      {
        status: 403,
        code: 'Forbidden',
        message: `Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: appid=00000000-0000-0000-0000-000000000000;oid=11111111-1111-1111-1111-111111111111\r\nAction: '${action}'\r\nResource: '/subscriptions/s/resourcegroups/rg/providers/microsoft.keyvault/vaults/latchkey/secrets/app--db'\r\nAssignment: (not found)\r\n`,
      },
      { operation: 'getSecret', times: 2 },
    )
    backends.gsm.faults.fail('permissionDenied', { rpc: 'AccessSecretVersion', times: 2 })
    const run = await cli(['check', '--json'])
    expect(run.code).toBe(1)
    const list = entries(run.stdout)
    expect(list.map((e) => [e.source, e.status, e.code, e.missingPermission])).toEqual([
      ['azure', 'access-denied', 'ERR_SECRET_ACCESS_DENIED', action],
      ['azure', 'access-denied', 'ERR_SECRET_ACCESS_DENIED', action],
      ['google', 'access-denied', 'ERR_SECRET_ACCESS_DENIED', 'secretmanager.versions.access'],
      ['google', 'access-denied', 'ERR_SECRET_ACCESS_DENIED', 'secretmanager.versions.access'],
    ])
    backends.kv.faults.fail('forbidden', { operation: 'getSecret', times: 2 })
    const policy = await cli(['check'])
    expect(policy.code).toBe(1)
    expect(policy.stdout).toMatch(
      /^access-denied\s+app\/db#password .*ERR_SECRET_ACCESS_DENIED, missing permission secrets\/get \(access policy\)/m,
    )
  })

  it('a 403 that names no permission says none, and an unknown body is not quoted', async () => {
    backends.kv.faults.fail({ status: 403, code: 'Forbidden', message: backends.values.kvApi }, { times: 2 })
    const run = await cli(['check', '--json'])
    const azure = entries(run.stdout).filter((e) => e.source === 'azure')
    expect(azure.map((e) => [e.status, e.missingPermission])).toEqual([
      ['access-denied', null],
      ['access-denied', null],
    ])
  })

  it('unavailable: 503s from both services and a closed port, exit 1', async () => {
    backends.kv.faults.fail('unavailable', { times: 2 })
    backends.gsm.faults.fail('unavailable', { times: 2 })
    const run = await cli(['check', '--json'])
    expect(run.code).toBe(1)
    expect(entries(run.stdout).map((e) => [e.status, e.code])).toEqual(
      Array(4).fill(['unavailable', 'ERR_SECRET_UNAVAILABLE']),
    )
    const config = structuredClone(backends.config)
    config.sources.google = { ...config.sources.google, endpoint: 'http://127.0.0.1:9' }
    config.sources.azure = { ...config.sources.azure, vaultUrl: 'https://gone.vault.localhost:9' }
    const down = await cli(['check'], config)
    expect(down.code).toBe(1)
    expect(down.stdout).toMatch(/^unavailable\s+app\/db#password\s+source azure/m)
    expect(down.stdout).toMatch(/^unavailable\s+app-db#password\s+source google/m)
    expect(down.stdout).toContain('4 of 4 secrets did not load')
  })

  it('a token variable that is not set (that secret: error, exit 1), a vaultUrl that is not https (exit 2 naming it)', async () => {
    const config = structuredClone(backends.config)
    config.sources.google = { ...config.sources.google, tokenEnv: 'LATCHKEY_NO_SUCH_TOKEN' }
    const unset = await cli(['check'], config)
    expect(unset.stdout).toMatch(/^error\s+app-db#password .*ERR_SECRET_INVALID_OPTIONS/m)
    expect(unset.code).toBe(1)
    const http = structuredClone(backends.config)
    http.sources.azure = { ...http.sources.azure, vaultUrl: 'http://latchkey.vault.localhost' }
    const refused = await cli(['check'], http)
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/sources\.azure\.vaultUrl: must be an https:\/\/ URL/)
  })
})

describe('latchkey get against Key Vault and Secret Manager', () => {
  it('masked by default, --reveal and --field print the value, not found exits 1', async () => {
    const masked = await cli(['get', 'api-key', '--source', 'azure'])
    expect(masked.code).toBe(0)
    expect(masked.stdout).toContain(`${backends.values.kvApi.length} characters`)
    expect(masked.stdout).toContain('source azure (azure-key-vault)')
    const field = await cli(['get', 'app/db', '--source', 'azure', '--field', 'password', '--reveal'])
    expect(field.stdout).toBe(`${backends.values.kvDb}\n`)
    const google = await cli(['get', 'app-db', '--source', 'google', '--field', 'password', '--json'])
    expect(JSON.parse(google.stdout)).toMatchObject({
      ok: true,
      name: 'app-db#password',
      length: backends.values.gsmDb.length,
      version: `projects/${backends.gsm.project}/secrets/app-db/versions/2`,
      source: 'google',
    })
    const revealed = await cli(['get', 'api-key', '--source', 'google', '--reveal', '--json'])
    expect(JSON.parse(revealed.stdout).value).toBe(backends.values.gsmApi)
    const missing = await cli(['get', 'nope', '--source', 'google'])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('not-found (ERR_SECRET_NOT_FOUND)')
  })
})

describe('latchkey scan against Key Vault and Secret Manager', () => {
  it("finds both services' values, Google's previous version too, and exits 1; 0 on a clean tree", async () => {
    const tree = mkdtempSync(join(cwd, 'tree-'))
    mkdirSync(join(tree, 'logs'))
    writeFileSync(join(tree, 'logs', 'a.log'), `start\n{"p":${JSON.stringify(backends.values.kvDb)}}\n`)
    writeFileSync(join(tree, '.env'), `OLD=${backends.values.gsmDbOld}\nKEY=${backends.values.gsmApi}\n`)
    writeFileSync(join(tree, 'b.txt'), `x ${encodeURIComponent(backends.values.kvApi)}\n`)
    const run = await cli(['scan', tree, '--json'])
    expect(run.code).toBe(1)
    const found = (JSON.parse(run.stdout) as ScanReport).findings.map(
      (f) => `${f.file.slice(f.file.lastIndexOf('/') + 1)}:${f.line}:${f.column} ${f.secret} ${f.version}`,
    )
    expect(found).toEqual(
      expect.arrayContaining([
        'a.log:2:7 app/db#password current',
        '.env:1:5 app-db#password previous',
        '.env:2:5 api-key current',
        'b.txt:1:3 api-key current',
      ]),
    )
    const clean = mkdtempSync(join(cwd, 'clean-'))
    writeFileSync(join(clean, 'a.txt'), 'nothing\n')
    const none = await cli(['scan', clean])
    expect(none.code).toBe(0)
  })
})
