/**
 * One auth blip must not drop a good value (issue 21), through the built sources against the real
 * emulators over HTTP: a one-off denial on a background reload of a held secret (Secrets Manager
 * `AccessDeniedException`, Key Vault 401, Google `UNAUTHENTICATED`, Vault 403) costs 0 failed
 * reads; a denial that persists drops the value within the documented bound (`confirmDenial`
 * after the first denial, plus one reload).
 */
import { createRequire } from 'node:module'
import { AwsSecretsManagerSource } from '@latchkey/aws'
import { AzureKeyVaultSource } from '@latchkey/azure'
import { CachedSecretProvider, ErrorCode, type SecretHandle, type SecretSource } from '@latchkey/core'
import { GoogleSecretManagerSource } from '@latchkey/google'
import { canary } from '@latchkey/test-support'
import {
  startGoogleSecretManagerEmulator,
  startKeyVaultEmulator,
  startSecretsManagerEmulator,
  startVaultEmulator,
} from '@latchkey/testing'
import { VaultKvSource } from '@latchkey/vault'
import { describe, expect, it } from 'vitest'

/** The part of google-auth-library's OAuth2Client this file uses. */
interface TokenClient {
  setCredentials(credentials: { access_token: string }): void
}

// google-auth-library is a dependency of @latchkey/google, resolved from there: a client holding
// the emulator's fixed token (no metadata server, no token endpoint)
const { OAuth2Client } = createRequire(createRequire(import.meta.url).resolve('@latchkey/google'))(
  'google-auth-library',
) as { OAuth2Client: new () => TokenClient }

const TTL = 300
const CONFIRM_DENIAL = 1_000

interface Backend {
  /** The name to read, the source, a one-off denial, a denial that lasts, and cleanup. */
  name: string
  source: SecretSource
  denyOnce(): void
  denyAlways(): void
  value: string
  close(): Promise<void>
}

const backends: Array<[string, () => Promise<Backend>]> = [
  [
    'Secrets Manager (AccessDeniedException)',
    async () => {
      const value = canary('aws-blip')
      const aws = await startSecretsManagerEmulator({ secrets: { 'app/db': value } })
      return {
        name: 'app/db',
        value,
        // every reload reads GetSecretValue (no DescribeSecret first), so the one denial hits a reload
        source: new AwsSecretsManagerSource({ ...aws.clientConfig, versionCheck: false }),
        denyOnce: () => aws.faults.fail('accessDenied', { times: 1 }),
        denyAlways: () => aws.faults.fail('accessDenied', { times: Number.POSITIVE_INFINITY }),
        close: () => aws.close(),
      }
    },
  ],
  [
    'Key Vault (401)',
    async () => {
      const value = canary('kv-blip')
      const kv = await startKeyVaultEmulator({ secrets: { 'app-db': value } })
      const unauthorized = { status: 401, code: 'Unauthorized', message: 'token not yet valid' }
      return {
        name: 'app-db',
        value,
        source: new AzureKeyVaultSource({
          vaultUrl: kv.vaultUrl,
          credential: kv.credential,
          clientOptions: kv.clientOptions,
        }),
        denyOnce: () => kv.faults.fail(unauthorized, { times: 1 }),
        denyAlways: () => kv.faults.fail(unauthorized, { times: Number.POSITIVE_INFINITY }),
        close: () => kv.close(),
      }
    },
  ],
  [
    'Google Secret Manager (UNAUTHENTICATED)',
    async () => {
      const value = canary('gsm-blip')
      const gsm = await startGoogleSecretManagerEmulator({ secrets: { app__db: value } })
      const authClient = new OAuth2Client()
      authClient.setCredentials({ access_token: gsm.token })
      return {
        name: 'app/db',
        value,
        source: new GoogleSecretManagerSource({
          project: gsm.project,
          // the real OAuth2Client, typed here only by what this file calls
          clientOptions: { ...gsm.clientOptions, authClient: authClient as never },
        }),
        denyOnce: () => gsm.faults.fail('unauthenticated', { times: 1 }),
        denyAlways: () => gsm.faults.fail('unauthenticated', { times: Number.POSITIVE_INFINITY }),
        close: () => gsm.close(),
      }
    },
  ],
  [
    'Vault (403)',
    async () => {
      const value = canary('vault-blip')
      const vault = await startVaultEmulator()
      vault.kv.write('app/db', { value })
      return {
        name: 'app/db',
        value,
        source: new VaultKvSource({ endpoint: vault.endpoint, auth: { type: 'token', token: vault.token } }),
        denyOnce: () => vault.faults.fail('permissionDenied', { times: 1 }),
        denyAlways: () => vault.faults.fail('permissionDenied', { times: Number.POSITIVE_INFINITY }),
        close: () => vault.close(),
      }
    },
  ],
]

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Reads through getSecret and the handle every 5 ms for `ms`; returns the reads and the failed ones. */
async function readFor(
  ms: number,
  secrets: CachedSecretProvider,
  handle: SecretHandle,
  name: string,
  value: string,
) {
  let reads = 0
  const failed: string[] = []
  const end = Date.now() + ms
  while (Date.now() < end) {
    reads += 2
    try {
      if ((await secrets.getSecret(name)) !== value) failed.push('getSecret: another value')
    } catch (error) {
      failed.push(`getSecret: ${(error as { code?: string }).code}`)
    }
    try {
      if (handle.reveal() !== value) failed.push('reveal: another value')
    } catch (error) {
      failed.push(`reveal: ${(error as { code?: string }).code}`)
    }
    await sleep(5)
  }
  return { reads, failed }
}

describe.each(backends)('an auth blip on a background reload: %s', (_label, start) => {
  it('serves every read over a one-off denial, and drops the value within confirmDenial when the denial persists', async () => {
    const backend = await start()
    const secrets = new CachedSecretProvider(backend.source, {
      ttl: TTL,
      jitter: 0,
      confirmDenial: CONFIRM_DENIAL,
      retry: { retries: 1, baseDelay: 10, maxDelay: 20 },
      logger: { warn: () => undefined },
    })
    const events: Array<{ code?: string; heldUnderDenial?: boolean }> = []
    secrets.on('error', (event) =>
      events.push({ code: (event.error as { code?: string }).code, heldUnderDenial: event.heldUnderDenial }),
    )
    try {
      const handle = secrets.handle(backend.name)
      await secrets.preload([backend.name])

      backend.denyOnce()
      const blip = await readFor(TTL * 4, secrets, handle, backend.name, backend.value)
      expect(blip.failed).toEqual([])
      expect(blip.reads).toBeGreaterThan(50)
      // the denial was answered (and said so), and the value kept
      expect(events).toContainEqual({ code: ErrorCode.ACCESS_DENIED, heldUnderDenial: true })
      expect(secrets.health().status).toBe('ok')

      events.length = 0
      backend.denyAlways()
      const started = Date.now()
      let droppedAfter: number | undefined
      let servedUnderDenial = false
      while (Date.now() - started < TTL + CONFIRM_DENIAL * 3) {
        try {
          expect(handle.reveal()).toBe(backend.value)
          if (secrets.health().secrets.some((s) => s.deniedSince !== undefined)) servedUnderDenial = true
        } catch (error) {
          expect((error as { code?: string }).code).toBe(ErrorCode.ACCESS_DENIED)
          droppedAfter = Date.now() - started
          break
        }
        await sleep(5)
      }
      expect(servedUnderDenial).toBe(true)
      expect(droppedAfter).toBeDefined()
      // the first denial comes with the next refresh (within one TTL); it is confirmed for
      // CONFIRM_DENIAL; one more reload and scheduling slack on a shared machine
      expect(droppedAfter as number).toBeGreaterThanOrEqual(CONFIRM_DENIAL)
      expect(droppedAfter as number).toBeLessThanOrEqual(TTL + CONFIRM_DENIAL + 750)
      await expect(secrets.getSecret(backend.name)).rejects.toMatchObject({ code: ErrorCode.ACCESS_DENIED })
      expect(events).toContainEqual({ code: ErrorCode.ACCESS_DENIED, heldUnderDenial: true })
      expect(events.at(-1)).toEqual({ code: ErrorCode.ACCESS_DENIED, heldUnderDenial: undefined })
    } finally {
      await secrets.close()
      await backend.close()
    }
  })
})
