import { canary, ensureBuilt } from '@latchkey/test-support'
import {
  type ParameterStoreEmulator,
  type SecretsManagerEmulator,
  startParameterStoreEmulator,
  startSecretsManagerEmulator,
  startVaultEmulator,
  type VaultEmulator,
} from '@latchkey/testing'
import { awsEnv } from './run-cli.js'

/** Three emulators holding canary values, and a config that names them. */
export interface Backends {
  sm: SecretsManagerEmulator
  ssm: ParameterStoreEmulator
  vault: VaultEmulator
  values: {
    db: string
    dbOld: string
    apiKey: string
    param: string
    vaultPassword: string
    vaultOld: string
  }
  config: Record<string, unknown>
  env: Record<string, string>
  close(): Promise<void>
}

/** Builds what the child processes load (the CLI and the packages it imports). */
export function buildCli(): void {
  ensureBuilt(['core', 'aws', 'vault', 'testing', 'google', 'azure'])
  ensureBuilt(['cli'], 'bin.js')
}

export async function startBackends(): Promise<Backends> {
  const sm = await startSecretsManagerEmulator()
  const ssm = await startParameterStoreEmulator()
  const vault = await startVaultEmulator()
  const values = {
    db: canary('db', ' "quoted" & spaced/ü'),
    dbOld: canary('db-old'),
    apiKey: canary('api'),
    param: canary('param'),
    vaultPassword: canary('vault'),
    vaultOld: canary('vault-old'),
  }
  sm.createSecret('app/db', JSON.stringify({ username: 'app', password: values.dbOld }))
  sm.rotate('app/db', JSON.stringify({ username: 'app', password: values.db }))
  sm.createSecret('app/api-key', values.apiKey)
  ssm.putParameter('/app/param', values.param, { type: 'SecureString' })
  vault.kv.write('app/service', { password: values.vaultOld })
  vault.kv.write('app/service', { password: values.vaultPassword })
  const config = {
    sources: {
      aws: {
        type: 'aws-secrets-manager',
        region: 'us-east-1',
        endpoint: sm.endpoint,
        accountId: '123456789012',
      },
      params: {
        type: 'aws-parameter-store',
        region: 'us-east-1',
        endpoint: ssm.endpoint,
        accountId: '123456789012',
      },
      vault: { type: 'vault-kv', endpoint: vault.endpoint },
    },
    secrets: [
      { name: 'app/db#password', source: 'aws' },
      { name: 'app/api-key', source: 'aws' },
      { name: '/app/param', source: 'params' },
      { name: 'app/service#password', source: 'vault' },
    ],
    cache: { timeout: 2000, retry: { retries: 0 } },
  }
  return {
    sm,
    ssm,
    vault,
    values,
    config,
    env: { ...awsEnv(sm.credentials), VAULT_TOKEN: vault.token },
    close: async () => {
      await Promise.all([sm.close(), ssm.close(), vault.close()])
    },
  }
}
