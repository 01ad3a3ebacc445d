import type { Readable } from 'node:stream'

/** A stream the CLI writes to: `process.stdout`/`stderr`, or a capture in tests. */
export interface OutputStream {
  write(text: string): unknown
  /** Set by Node on a terminal. */
  isTTY?: boolean
}

/** Where a command reads and writes: the process's streams, environment and directory by default. */
export interface CliIo {
  stdout: OutputStream
  stderr: OutputStream
  stdin: Readable
  env: NodeJS.ProcessEnv
  cwd: string
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM); `emulate` waits on it. */
  stopSignal?: Promise<string>
}

/** ANSI colours, on only for a TTY and when NO_COLOR is unset or empty (https://no-color.org). */
export interface Paint {
  green(text: string): string
  red(text: string): string
  yellow(text: string): string
  dim(text: string): string
  bold(text: string): string
}

/** Colours for `stream`: none unless it is a TTY, and none when NO_COLOR is set (FORCE_COLOR=0 too). */
export function paintFor(stream: OutputStream, env: NodeJS.ProcessEnv): Paint {
  const on =
    stream.isTTY === true &&
    (env.NO_COLOR === undefined || env.NO_COLOR === '') &&
    env.FORCE_COLOR !== '0' &&
    env.TERM !== 'dumb'
  const wrap = (open: number, close: number) => (text: string) =>
    on ? `\u001b[${open}m${text}\u001b[${close}m` : text
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) }
}

/** Writes `value` as one line of stable JSON (the `--json` output of every command). */
export function writeJson(stream: OutputStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`)
}
