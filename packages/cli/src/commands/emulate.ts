import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { UsageError } from '../errors.js'
import { EXIT_CODES } from '../exit-codes.js'
import { type CliIo, writeJson } from '../io.js'
import { type CommandSpec, parseCommand } from './args.js'
import { type EmulatedService, parseFault, parsePort, readSeed } from './emulate-args.js'

export const EMULATE: CommandSpec = {
  name: 'emulate',
  summary:
    'Run the @latchkey/testing emulators (Secrets Manager, Parameter Store, Vault, Key Vault, Google Secret Manager) for local work.',
  usage:
    'latchkey emulate [--port N] [--host H] [--seed secrets.json] [--faults SERVICE:KIND[:TIMES]]… [--json]',
  options: {
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    seed: { type: 'string' },
    faults: { type: 'string', multiple: true },
  },
  details: [
    '--port N: Secrets Manager on N, Parameter Store N+1, Vault N+2, Key Vault N+3, Google Secret Manager N+4',
    '  (default 0: free ports). --host applies to all but Key Vault, which listens on 127.0.0.1 only.',
    '--seed FILE: {"secretsManager": {name: value}, "parameterStore": {name: value}, "vault": {path: value or object},',
    '  "keyVault": {name: value}, "googleSecretManager": {secretId: value}}.',
    '--faults secrets-manager:throttling:3, parameter-store:accessDenied, vault:sealed, key-vault:forbidden,',
    '  google-secret-manager:unavailable… (TIMES default 1, "inf" for ever).',
    'Key Vault speaks HTTPS with a certificate made at start: its file is printed as NODE_EXTRA_CA_CERTS',
    '(Node reads that variable at start-up) and deleted on stop. Prints the endpoints and the environment',
    'variables to point an app at them (--json: one object), then runs until SIGINT or SIGTERM, and closes',
    'every emulator before exiting 0.',
  ],
}

interface Running {
  faults: { fail: unknown }
  close(): Promise<void>
}

export async function emulate(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(EMULATE, argv)
  const port = parsePort(values.port as string | undefined)
  const host = (values.host as string | undefined) ?? '127.0.0.1'
  const seed = values.seed === undefined ? {} : readSeed(resolve(io.cwd, values.seed as string))
  const faults = ((values.faults as string[] | undefined) ?? []).map(parseFault)
  const next = (offset: number) => (port === 0 ? 0 : port + offset)
  // loaded here, not at start-up: check, get and scan never need the emulators (or pg, which they import)
  const testing = await import('@latchkey/testing')
  const running: Partial<Record<EmulatedService, Running>> = {}
  const caDir = mkdtempSync(join(tmpdir(), 'latchkey-emulate-'))
  try {
    const sm = await testing.startSecretsManagerEmulator({ port: next(0), host })
    running['secrets-manager'] = sm
    const ssm = await testing.startParameterStoreEmulator({ port: next(1), host })
    running['parameter-store'] = ssm
    const vault = await testing.startVaultEmulator({ port: next(2), host })
    running.vault = vault
    const kv = await testing.startKeyVaultEmulator({ port: next(3) })
    running['key-vault'] = kv
    const gsm = await testing.startGoogleSecretManagerEmulator({ port: next(4), host })
    running['google-secret-manager'] = gsm
    for (const [name, value] of Object.entries(seed.secretsManager ?? {})) sm.createSecret(name, value)
    for (const [name, value] of Object.entries(seed.parameterStore ?? {}))
      ssm.putParameter(name, value, { type: 'SecureString' })
    for (const [path, value] of Object.entries(seed.vault ?? {}))
      vault.kv.write(path, typeof value === 'string' ? { value } : value)
    for (const [name, value] of Object.entries(seed.keyVault ?? {})) {
      try {
        kv.setSecret(name, value)
      } catch (error) {
        throw new UsageError(`latchkey emulate: --seed keyVault.${name}: ${(error as Error).message}`)
      }
    }
    for (const [id, value] of Object.entries(seed.googleSecretManager ?? {})) {
      try {
        gsm.createSecret(id, value)
      } catch (error) {
        throw new UsageError(
          `latchkey emulate: --seed googleSecretManager.${id}: ${(error as Error).message}`,
        )
      }
    }
    for (const fault of faults) {
      try {
        ;((running[fault.service] as Running).faults.fail as (kind: string, o: { times: number }) => void)(
          fault.kind,
          { times: fault.times },
        )
      } catch (error) {
        throw new UsageError(
          `latchkey emulate: --faults ${fault.service}:${fault.kind}: ${(error as Error).message}`,
        )
      }
    }
    const caFile = join(caDir, 'key-vault-ca.pem')
    writeFileSync(caFile, kv.ca, { mode: 0o600 })
    const { token: kvToken } = await kv.credential.getToken(`${kv.resource}/.default`)
    const env = {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      AWS_REGION: sm.region,
      AWS_ACCESS_KEY_ID: sm.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sm.credentials.secretAccessKey,
      VAULT_ADDR: vault.endpoint,
      VAULT_TOKEN: vault.token,
      AZURE_KEYVAULT_URL: kv.vaultUrl,
      NODE_EXTRA_CA_CERTS: caFile,
      LATCHKEY_AZURE_TOKEN: kvToken,
      GOOGLE_CLOUD_PROJECT: gsm.project,
      LATCHKEY_GOOGLE_TOKEN: gsm.token,
    }
    const endpoints = {
      secretsManager: sm.endpoint,
      parameterStore: ssm.endpoint,
      vault: vault.endpoint,
      keyVault: kv.vaultUrl,
      googleSecretManager: gsm.endpoint,
    }
    if (values.json === true) writeJson(io.stdout, { endpoints, caFile, env })
    else {
      io.stdout.write(
        [
          `Secrets Manager        ${sm.endpoint}`,
          `Parameter Store        ${ssm.endpoint}`,
          `Vault                  ${vault.endpoint}`,
          `Key Vault              ${kv.vaultUrl}  (HTTPS; CA ${caFile})`,
          `Google Secret Manager  ${gsm.endpoint}  (REST)`,
          '',
          "# point an app at them (emulator credentials only; the Vault token is this run's root token).",
          '# Key Vault: *.vault.localhost is 127.0.0.1 (RFC 6761); latchkey resolves it itself, other',
          '# clients may need it in /etc/hosts. Config: { "type": "azure-key-vault", "vaultUrl": <AZURE_KEYVAULT_URL>,',
          '# "tokenEnv": "LATCHKEY_AZURE_TOKEN" } and { "type": "google-secret-manager", "project": <GOOGLE_CLOUD_PROJECT>,',
          `# "endpoint": "${gsm.endpoint}", "tokenEnv": "LATCHKEY_GOOGLE_TOKEN" }`,
          '',
        ].join('\n'),
      )
      for (const [key, value] of Object.entries(env)) io.stdout.write(`export ${key}=${value}\n`)
      io.stderr.write('emulators running; Ctrl-C (SIGINT) or SIGTERM stops them\n')
    }
    const signal = await (io.stopSignal ?? new Promise<string>(() => undefined))
    if (values.json !== true) io.stderr.write(`${signal}: stopping the emulators\n`)
    return EXIT_CODES.OK
  } catch (error) {
    throw portInUse(error, port) ?? error
  } finally {
    await Promise.allSettled(
      Object.values(running)
        .reverse()
        .map((emulator) => emulator.close()),
    )
    rmSync(caDir, { recursive: true, force: true })
  }
}

/** A listen on a taken port, as a usage error naming the port (the emulators bind five in a row). */
function portInUse(error: unknown, port: number): UsageError | undefined {
  const { code, address, port: taken } = error as { code?: unknown; address?: unknown; port?: unknown }
  if (code !== 'EADDRINUSE') return undefined
  return new UsageError(
    `latchkey emulate: ${String(address)}:${String(taken)} is already in use (--port ${port} binds it and ` +
      'the four ports after it); choose another --port, or 0 for free ports',
  )
}
