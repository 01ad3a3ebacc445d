import type {
  AwsParameterStoreConfig,
  AwsSecretsManagerConfig,
  LatchkeyConfig,
  SourceConfig,
} from '../config/schema.js'
import { UsageError } from '../errors.js'

/** Azure's built-in "Key Vault Secrets User" role (read secret contents); docs/wire-facts.md#policy-facts. */
export const KEY_VAULT_SECRETS_USER = '4633458b-17de-408a-b874-0445c86b69e6'
/** Google's role for reading secret versions, granted per secret. */
export const SECRET_ACCESSOR = 'roles/secretmanager.secretAccessor'

type Entry<T extends SourceConfig> = { name: string; source: T }

/** The configured secrets whose source is one of `types`, names without `#field`, each once. */
export function secretsOf<T extends SourceConfig>(config: LatchkeyConfig, types: T['type'][]): Entry<T>[] {
  const out: Entry<T>[] = []
  for (const secret of config.secrets) {
    const source = config.sources[secret.source] as SourceConfig
    if (!(types as string[]).includes(source.type)) continue
    const name = secret.name.split('#')[0] as string
    if (!out.some((e) => e.name === name && e.source === source)) out.push({ name, source: source as T })
  }
  return out
}

/** An IAM policy document (version 2012-10-17) allowing exactly the configured reads. */
export function awsIamPolicy(config: LatchkeyConfig, env: NodeJS.ProcessEnv) {
  const entries = secretsOf<AwsSecretsManagerConfig | AwsParameterStoreConfig>(config, [
    'aws-secrets-manager',
    'aws-parameter-store',
  ])
  const facts = (s: AwsSecretsManagerConfig | AwsParameterStoreConfig) => ({
    partition: s.partition ?? 'aws',
    region: s.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '*',
    account: s.accountId ?? '*',
  })
  const secretArns: string[] = []
  const parameterArns: string[] = []
  const keys = new Map<string, Set<string>>()
  for (const { name, source } of entries) {
    const { partition, region, account } = facts(source)
    if (source.type === 'aws-secrets-manager') {
      // a name is matched with "-??????": the six characters Secrets Manager appends to the ARN
      secretArns.push(
        name.startsWith('arn:')
          ? name
          : `arn:${partition}:secretsmanager:${region}:${account}:secret:${name}-??????`,
      )
    } else {
      const bare = name.replace(/:[^/:]+$/, '')
      parameterArns.push(
        bare.startsWith('arn:')
          ? bare
          : `arn:${partition}:ssm:${region}:${account}:parameter/${bare.replace(/^\//, '')}`,
      )
    }
    if (source.kmsKeyArn !== undefined) {
      const service = `${source.type === 'aws-secrets-manager' ? 'secretsmanager' : 'ssm'}.${region}.amazonaws.com`
      const services = keys.get(source.kmsKeyArn) ?? new Set<string>()
      services.add(service)
      keys.set(source.kmsKeyArn, services)
    }
  }
  if (entries.length === 0) throw new UsageError(`latchkey policy: ${config.file} has no AWS secrets`)
  const statements: object[] = []
  if (secretArns.length > 0) {
    statements.push({
      Sid: 'LatchkeyReadSecrets',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: secretArns,
    })
  }
  if (parameterArns.length > 0) {
    statements.push({
      Sid: 'LatchkeyReadParameters',
      Effect: 'Allow',
      Action: ['ssm:GetParameter', 'ssm:GetParameters'],
      Resource: parameterArns,
    })
  }
  let index = 0
  for (const [key, services] of keys) {
    statements.push({
      Sid: `LatchkeyDecrypt${index++ === 0 ? '' : index}`,
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: key,
      Condition: { StringEquals: { 'kms:ViaService': [...services].sort() } },
    })
  }
  return { Version: '2012-10-17', Statement: statements }
}

/** Vault rules: `read` on each configured path (KV v2 paths under `data/`). */
export function vaultRules(config: LatchkeyConfig): Array<{ path: string; capabilities: string[] }> {
  const entries = secretsOf(config, ['vault-kv'])
  if (entries.length === 0) throw new UsageError(`latchkey policy: ${config.file} has no Vault secrets`)
  return entries.map(({ name, source }) => {
    if (source.type !== 'vault-kv') throw new UsageError('unreachable')
    if (/[*+"\\]/.test(name) || [...name].some((c) => c.charCodeAt(0) < 0x20)) {
      // "*" and "+" are globs in a Vault policy path: a name holding one would grant more than itself
      throw new UsageError(
        `latchkey policy: the Vault secret "${name}" holds a glob or control character; a policy path cannot name it exactly`,
      )
    }
    const mount = source.mount ?? 'secret'
    return {
      path: (source.kvVersion ?? 2) === 2 ? `${mount}/data/${name}` : `${mount}/${name}`,
      capabilities: ['read'],
    }
  })
}

/** Vault's HCL policy syntax for {@link vaultRules}. */
export function vaultHcl(config: LatchkeyConfig): string {
  const blocks = vaultRules(config).map(
    (r) => `path "${r.path}" {\n  capabilities = [${r.capabilities.map((c) => `"${c}"`).join(', ')}]\n}\n`,
  )
  return `# latchkey policy: read exactly the secrets ${config.file} names\n${blocks.join('\n')}`
}

/** One IAM policy per Google secret, as `gcloud secrets set-iam-policy` takes it. */
export async function gcpBindings(config: LatchkeyConfig, member: string | undefined) {
  const entries = secretsOf(config, ['google-secret-manager'])
  if (entries.length === 0) throw new UsageError(`latchkey policy: ${config.file} has no Google secrets`)
  const { toSecretId } = await import('@latchkey/google')
  return {
    policies: entries.map(({ name, source }) => {
      if (source.type !== 'google-secret-manager') throw new UsageError('unreachable')
      const who = member ?? source.member
      if (who === undefined)
        throw new UsageError(
          'latchkey policy --format gcp: pass --member (such as serviceAccount:app@PROJECT.iam.gserviceaccount.com) or set "member" on the source',
        )
      const id = toSecretId(name.replace(/@[^@/]+$/, ''))
      return {
        secret: name,
        resource: `projects/${source.project}/secrets/${id}`,
        policy: { bindings: [{ role: SECRET_ACCESSOR, members: [who] }] },
      }
    }),
  }
}

/** Azure role assignments of "Key Vault Secrets User", one per secret, at the secret's own scope. */
export async function azureAssignments(config: LatchkeyConfig, principal: string | undefined) {
  const entries = secretsOf(config, ['azure-key-vault'])
  if (entries.length === 0)
    throw new UsageError(`latchkey policy: ${config.file} has no Azure Key Vault secrets`)
  const { toKeyVaultName } = await import('@latchkey/azure')
  return {
    roleAssignments: entries.map(({ name, source }) => {
      if (source.type !== 'azure-key-vault') throw new UsageError('unreachable')
      const { subscriptionId, resourceGroup } = source
      if (subscriptionId === undefined || resourceGroup === undefined) {
        throw new UsageError(
          'latchkey policy --format azure: set "subscriptionId" and "resourceGroup" on the azure-key-vault source',
        )
      }
      const principalId = principal ?? source.principalId
      if (principalId === undefined)
        throw new UsageError(
          'latchkey policy --format azure: pass --principal OBJECT_ID or set "principalId" on the source',
        )
      const vault = new URL(source.vaultUrl).hostname.split('.')[0] as string
      const secret = toKeyVaultName(name, 'azure-key-vault').secret
      return {
        secret: name,
        scope: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.KeyVault/vaults/${vault}/secrets/${secret}`,
        properties: {
          roleDefinitionId: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER}`,
          principalId,
        },
      }
    }),
  }
}
