import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The built bin (tests run `pnpm --filter @latchkey/cli build` through ensureBuilt first). */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

/** How a `latchkey` child process ended. */
export interface CliRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Environment for the child: this process's, minus colour forcing, plus `env`. */
function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env }
  for (const key of ['FORCE_COLOR', 'NO_COLOR', 'AWS_PROFILE', 'VAULT_ADDR', 'VAULT_TOKEN']) delete base[key]
  return { ...base, ...env }
}

/** Runs `node <bin> …args` in `cwd`; `input` is written to its stdin. */
export function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; input?: string | Buffer; bin?: string },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? BIN, ...args], {
      cwd: options.cwd,
      env: childEnv(options.env ?? {}),
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (c: Buffer) => out.push(c))
    child.stderr.on('data', (c: Buffer) => err.push(c))
    child.on('error', reject)
    child.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    )
    child.stdin.end(options.input ?? '')
  })
}

/** A fresh temp directory holding `latchkey.config.json` with `config`. */
export function projectWith(config: unknown, prefix = 'latchkey-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  writeFileSync(join(dir, 'latchkey.config.json'), `${JSON.stringify(config, null, 2)}\n`)
  return dir
}

/** Environment that points the AWS SDK at nothing real: static emulator credentials, no profile. */
export function awsEnv(credentials: {
  accessKeyId: string
  secretAccessKey: string
}): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  }
}
