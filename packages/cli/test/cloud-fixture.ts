import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { canary } from '@latchkey/test-support'
import {
  type GoogleSecretManagerEmulator,
  type KeyVaultEmulator,
  startGoogleSecretManagerEmulator,
  startKeyVaultEmulator,
} from '@latchkey/testing'

/** The Key Vault and Secret Manager emulators holding canary values, and a config that names them. */
export interface CloudBackends {
  kv: KeyVaultEmulator
  gsm: GoogleSecretManagerEmulator
  values: { kvDb: string; kvApi: string; gsmDb: string; gsmDbOld: string; gsmApi: string }
  config: { sources: Record<string, Record<string, unknown>>; secrets: unknown[]; cache: unknown }
  /** What the child needs: the emulator CA in NODE_EXTRA_CA_CERTS, the two tokens. */
  env: Record<string, string>
  close(): Promise<void>
}

export async function startCloudBackends(): Promise<CloudBackends> {
  const kv = await startKeyVaultEmulator()
  const gsm = await startGoogleSecretManagerEmulator()
  const values = {
    kvDb: canary('kv-db', ' "quoted"/ü'),
    kvApi: canary('kv-api'),
    gsmDb: canary('gsm-db'),
    gsmDbOld: canary('gsm-db-old'),
    gsmApi: canary('gsm-api'),
  }
  kv.setSecret('app--db', JSON.stringify({ username: 'app', password: values.kvDb }))
  kv.setSecret('api-key', values.kvApi)
  gsm.createSecret('app-db', JSON.stringify({ username: 'app', password: values.gsmDbOld }))
  gsm.addVersion('app-db', JSON.stringify({ username: 'app', password: values.gsmDb }))
  gsm.createSecret('api-key', values.gsmApi)
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-cli-ca-'))
  const caFile = join(dir, 'key-vault-ca.pem')
  writeFileSync(caFile, kv.ca)
  const { token: kvToken } = await kv.credential.getToken(`${kv.resource}/.default`)
  const config = {
    sources: {
      azure: { type: 'azure-key-vault', vaultUrl: kv.vaultUrl, tokenEnv: 'KV_TOKEN' },
      google: {
        type: 'google-secret-manager',
        project: gsm.project,
        endpoint: gsm.endpoint,
        tokenEnv: 'GSM_TOKEN',
      },
    },
    secrets: [
      { name: 'app/db#password', source: 'azure' },
      { name: 'api-key', source: 'azure' },
      { name: 'app-db#password', source: 'google' },
      { name: 'api-key', source: 'google' },
    ],
    cache: { timeout: 3000, retry: { retries: 0 } },
  }
  return {
    kv,
    gsm,
    values,
    config,
    env: { NODE_EXTRA_CA_CERTS: caFile, KV_TOKEN: kvToken, GSM_TOKEN: gsm.token },
    close: async () => {
      await Promise.all([kv.close(), gsm.close()])
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
