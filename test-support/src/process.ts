import { spawn } from 'node:child_process'

/** How a child `node` process ended and what it wrote. */
export interface NodeRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `node <args…>` in `cwd` with `env` added to this process's environment; resolves once it exits. */
export function runNode(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: options.cwd, env: { ...process.env, ...options.env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8')
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
