import { assertNoCanary } from '@latchkey/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Backends, buildCli, startBackends } from '../test/fixture.js'
import { iamAllows, iamProblems, parseVaultHcl } from '../test/policy-grammar.js'
import { projectWith, runCli } from '../test/run-cli.js'

let backends: Backends

beforeAll(async () => {
  buildCli()
  backends = await startBackends()
}, 180_000)
afterAll(() => backends?.close())

const KMS = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'

describe('latchkey policy --format aws-iam', () => {
  it('writes a valid IAM policy allowing exactly the configured secrets and parameters, with kms:Decrypt', async () => {
    const config = structuredClone(backends.config) as { sources: Record<string, Record<string, unknown>> }
    ;(config.sources.aws as Record<string, unknown>).kmsKeyArn = KMS
    const run = await runCli(['policy', '--format', 'aws-iam'], {
      cwd: projectWith(config),
      env: backends.env,
    })
    expect(run.code).toBe(0)
    const doc = JSON.parse(run.stdout)
    expect(iamProblems(doc)).toEqual([])
    const arnOf = (name: string) => backends.sm.createSecret(name).arn
    // the emulator's real ARN shape (name + "-" + six random characters) is allowed; look-alikes are not
    const realDb = backends.sm.createSecret('probe/unused').arn.replace('probe/unused', 'app/db')
    expect(realDb).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:app\/db-[A-Za-z0-9]{6}$/)
    expect(iamAllows(doc, 'secretsmanager:GetSecretValue', realDb)).toBe(true)
    expect(iamAllows(doc, 'secretsmanager:GetSecretValue', arnOf('app/db-extra'))).toBe(false)
    expect(iamAllows(doc, 'secretsmanager:GetSecretValue', arnOf('app/dbx'))).toBe(false)
    expect(iamAllows(doc, 'secretsmanager:GetSecretValue', arnOf('other/secret'))).toBe(false)
    expect(iamAllows(doc, 'secretsmanager:PutSecretValue', realDb)).toBe(false)
    expect(iamAllows(doc, 'ssm:GetParameter', 'arn:aws:ssm:us-east-1:123456789012:parameter/app/param')).toBe(
      true,
    )
    expect(
      iamAllows(doc, 'ssm:GetParameters', 'arn:aws:ssm:us-east-1:123456789012:parameter/app/param'),
    ).toBe(true)
    expect(
      iamAllows(doc, 'ssm:GetParameter', 'arn:aws:ssm:us-east-1:123456789012:parameter/app/param2'),
    ).toBe(false)
    expect(iamAllows(doc, 'kms:Decrypt', KMS)).toBe(true)
    const decrypt = doc.Statement.find((s: { Action: string }) => s.Action === 'kms:Decrypt')
    expect(decrypt.Condition).toEqual({
      StringEquals: { 'kms:ViaService': ['secretsmanager.us-east-1.amazonaws.com'] },
    })
    expect(doc.Statement).toHaveLength(3)
  })

  it('exits 2 when the config has no AWS secrets', async () => {
    const run = await runCli(['policy', '--format', 'aws-iam'], {
      cwd: projectWith({ sources: { v: { type: 'vault-kv' } }, secrets: ['a'] }),
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('has no AWS secrets')
  })
})

describe('latchkey policy --format vault', () => {
  it('writes HCL that, loaded into the Vault emulator, lets a token read the configured path and nothing else', async () => {
    const cwd = projectWith(backends.config)
    const run = await runCli(['policy', '--format', 'vault'], { cwd, env: backends.env })
    expect(run.code).toBe(0)
    const rules = parseVaultHcl(run.stdout)
    expect(rules).toEqual([{ path: 'secret/data/app/service', capabilities: ['read'] }])
    const json = await runCli(['policy', '--format', 'vault', '--json'], { cwd, env: backends.env })
    expect(JSON.parse(json.stdout)).toEqual({
      path: { 'secret/data/app/service': { capabilities: ['read'] } },
    })
    backends.vault.kv.write('app/other', { password: 'not-for-this-app' })
    const token = backends.vault.createToken({
      allow: rules as Array<{ path: string; capabilities: ['read'] }>,
    })
    const env = { ...backends.env, VAULT_TOKEN: token }
    const allowed = await runCli(['get', 'app/service#password', '--json'], { cwd, env })
    expect(JSON.parse(allowed.stdout)).toMatchObject({ ok: true })
    const denied = await runCli(['get', 'app/other', '--source', 'vault', '--json'], { cwd, env })
    expect(JSON.parse(denied.stdout)).toMatchObject({ ok: false, status: 'access-denied' })
    assertNoCanary(
      run.stdout + allowed.stdout + allowed.stderr + denied.stdout + denied.stderr,
      'policy output',
    )
  })

  it('refuses a name a policy path cannot state exactly (a glob character) with exit 2', async () => {
    const run = await runCli(['policy', '--format', 'vault'], {
      cwd: projectWith({ sources: { v: { type: 'vault-kv' } }, secrets: ['app/*'] }),
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('glob')
  })
})

describe('latchkey policy --format gcp and azure', () => {
  const config = {
    sources: {
      g: { type: 'google-secret-manager', project: 'my-project' },
      k: {
        type: 'azure-key-vault',
        vaultUrl: 'https://my-vault.vault.azure.net',
        subscriptionId: '00000000-1111-2222-3333-444444444444',
        resourceGroup: 'rg-app',
      },
    },
    secrets: [
      { name: 'db/password', source: 'g' },
      { name: 'api-key', source: 'g' },
      { name: 'db/password', source: 'k' },
    ],
  }

  it('gcp: one policy per secret binding roles/secretmanager.secretAccessor to the member', async () => {
    const run = await runCli(
      ['policy', '--format', 'gcp', '--member', 'serviceAccount:app@my-project.iam.gserviceaccount.com'],
      {
        cwd: projectWith(config),
      },
    )
    expect(run.code).toBe(0)
    const { policies } = JSON.parse(run.stdout)
    expect(policies.map((p: { resource: string }) => p.resource)).toEqual([
      'projects/my-project/secrets/db__password',
      'projects/my-project/secrets/api-key',
    ])
    for (const p of policies) {
      expect(p.resource).toMatch(/^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/secrets\/[A-Za-z0-9_-]{1,255}$/)
      expect(p.policy).toEqual({
        bindings: [
          {
            role: 'roles/secretmanager.secretAccessor',
            members: ['serviceAccount:app@my-project.iam.gserviceaccount.com'],
          },
        ],
      })
    }
    const noMember = await runCli(['policy', '--format', 'gcp'], { cwd: projectWith(config) })
    expect(noMember.code).toBe(2)
  })

  it("azure: a Key Vault Secrets User assignment at each secret's own scope", async () => {
    const principal = '55555555-6666-7777-8888-999999999999'
    const run = await runCli(['policy', '--format', 'azure', '--principal', principal], {
      cwd: projectWith(config),
    })
    expect(run.code).toBe(0)
    const { roleAssignments } = JSON.parse(run.stdout)
    expect(roleAssignments).toEqual([
      {
        secret: 'db/password',
        scope:
          '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/my-vault/secrets/db--password',
        properties: {
          roleDefinitionId:
            '/subscriptions/00000000-1111-2222-3333-444444444444/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6',
          principalId: principal,
        },
      },
    ])
    const scope =
      /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[\w.()-]{1,90}\/providers\/Microsoft\.KeyVault\/vaults\/[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]\/secrets\/[0-9a-zA-Z-]{1,127}$/
    expect(roleAssignments[0].scope).toMatch(scope)
  })

  it('rejects an unknown --format with exit 2', async () => {
    const run = await runCli(['policy', '--format', 'yaml'], { cwd: projectWith(config) })
    expect(run.code).toBe(2)
  })
})
