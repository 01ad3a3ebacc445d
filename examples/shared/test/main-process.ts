import { spawn } from 'node:child_process'
import { vi } from 'vitest'

/** An example's `src/main.ts` running as a child process. */
export interface MainProcess {
  /** Where it listens (from its "Server listening at" line). */
  url: string
  /** Everything it wrote to stdout and stderr so far. */
  output(): string
  /** Sends SIGTERM; resolves to the exit code. */
  stop(): Promise<number | null>
}

/**
 * Starts `src/main.ts` of the example in `root` (through tsx, as `pnpm start` does) with `args` and
 * `env` added to this process's environment, and waits until it listens. Kill it with `stop()`.
 */
export async function startMain(root: string, args: string[], env: NodeJS.ProcessEnv): Promise<MainProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8')
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const stop = () => {
    child.kill('SIGTERM')
    return exited
  }
  try {
    const url = await vi.waitFor(
      () => {
        const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
        if (match?.[1] === undefined) throw new Error('not listening yet')
        return match[1]
      },
      { timeout: 20_000, interval: 50 },
    )
    return { url, output: () => output, stop }
  } catch (error) {
    await stop()
    throw new Error(`src/main.ts did not start listening; it wrote ${output.length} characters`, {
      cause: error,
    })
  }
}
