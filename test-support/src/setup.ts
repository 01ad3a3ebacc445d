/**
 * Runs in every test file (see vitest.shared.ts): captures what the file writes to stdout, stderr
 * and the console, and fails the file if a canary secret value shows up in it.
 */
import { afterAll } from 'vitest'
import { assertNoCanary } from './canary.js'

const captured: string[] = []

function tap(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'))
    return write(chunk, ...rest)
  }) as typeof stream.write
}

tap(process.stdout)
tap(process.stderr)
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  const original = console[method].bind(console)
  console[method] = (...args: unknown[]) => {
    captured.push(args.map((a) => (typeof a === 'string' ? a : safeInspect(a))).join(' '))
    original(...args)
  }
}
process.on('warning', (warning) => {
  captured.push(`${warning.name}: ${warning.message} ${(warning as { detail?: string }).detail ?? ''}`)
})

function safeInspect(value: unknown): string {
  try {
    return typeof value === 'object' ? (JSON.stringify(value) ?? String(value)) : String(value)
  } catch {
    return String(value)
  }
}

afterAll(() => {
  assertNoCanary(captured.join('\n'), 'the output of this test file')
})
