import { constants, type FSWatcher, type Stats, watch } from 'node:fs'
import { type FileHandle, open, readlink, realpath, stat } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, sep } from 'node:path'
import {
  InvalidOptionsError,
  InvalidSecretNameError,
  SecretAccessDeniedError,
  SecretNotFoundError,
  SecretTooLargeError,
  SecretUnavailableError,
} from '../errors.js'
import { MAX_SECRET_BYTES } from '../limits.js'
import { checkSourceOptionNames, optionKeys } from '../option-keys.js'
import type { LoadContext, LoadedSecret, SecretSource } from '../types.js'

const WATCH_DEBOUNCE_MS = 50
/** Never block on a FIFO or device, never follow a symlink swapped in as the last component. */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW
/** How often a path that changed between resolving and opening is resolved again. */
const SWAP_RETRIES = 3

type Context = { secretName: string; source: string }

/** The resolved file was gone (or replaced) when it was opened. */
class ResolvedPathChanged extends Error {
  constructor(override readonly cause: unknown) {
    super('the resolved path changed before it was opened')
  }
}

function label(context: Context): string {
  return `secret "${context.secretName}" (source ${context.source})`
}

function isInside(root: string, path: string): boolean {
  const inside = relative(root, path)
  return !(inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside))
}

function outside(context: Context): SecretAccessDeniedError {
  return new SecretAccessDeniedError(
    context,
    `${label(context)} resolves outside the secrets directory; refusing to read it`,
  )
}

/**
 * A FIFO, socket or device where a secret file should be. Access denied rather than not found:
 * something is there, FileSource refuses to read it (as with a symlink leaving the directory),
 * and a caller that treats "not found" as "optional, use a default" must not skip it silently.
 */
function notRegular(context: Context & { cause?: unknown }, kind: string): SecretAccessDeniedError {
  return new SecretAccessDeniedError(
    context,
    `${label(context)} is a ${kind}, not a regular file; FileSource reads only regular files`,
  )
}

function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return 'FIFO (named pipe)'
  if (stats.isSocket()) return 'socket'
  if (stats.isCharacterDevice()) return 'character device'
  if (stats.isBlockDevice()) return 'block device'
  return 'special file'
}

/**
 * Where the open descriptor really points. On Linux the kernel says so in `/proc/self/fd`, which
 * catches a directory on the path swapped for a symlink between `realpath` and `open`. Elsewhere
 * the file must still be the one at the resolved path (same device and inode), which narrows
 * that window but cannot close it without `openat`.
 */
async function opensInside(file: FileHandle, root: string, real: string): Promise<boolean> {
  let target: string
  try {
    target = await readlink(`/proc/self/fd/${file.fd}`)
  } catch {
    const [opened, named] = await Promise.all([file.stat(), stat(real).catch(() => undefined)])
    return named !== undefined && opened.dev === named.dev && opened.ino === named.ino
  }
  return isInside(root, target.replace(/ \(deleted\)$/, ''))
}

/** Options for {@link FileSource}. */
export interface FileSourceOptions {
  /** The directory secrets live in, such as `/run/secrets` or a mounted Kubernetes secret. */
  dir: string
  /** Watch files in use and reload them when they change (including the `..data` symlink swap). @default true */
  watch?: boolean
  /** Drop one trailing newline, which `echo` and most editors add. @default true */
  trimTrailingNewline?: boolean
}

/**
 * Secrets as files in one directory: `db/password` reads `<dir>/db/password`. Names with `..`
 * segments or absolute paths are rejected, and so is any path (symlinks included) that resolves
 * outside the directory.
 */
export class FileSource implements SecretSource {
  readonly name = 'file'
  readonly #dir: string
  readonly #watch: boolean
  readonly #trim: boolean
  #realDir: Promise<string> | undefined
  readonly #watchers = new Map<
    string,
    { watcher: FSWatcher; listeners: Set<() => void>; timer?: NodeJS.Timeout }
  >()

  constructor(options: FileSourceOptions) {
    checkSourceOptionNames(options, FILE_OPTION_KEYS, 'FileSource')
    if (typeof options?.dir !== 'string' || options.dir.length === 0) {
      const got = options?.dir === '' ? 'an empty string' : typeof options?.dir
      throw new InvalidOptionsError(
        `FileSource: dir must be a non-empty string naming the directory that holds the secret files; got ${got}`,
      )
    }
    for (const key of ['watch', 'trimTrailingNewline'] as const) {
      const value: unknown = options[key]
      if (value !== undefined && typeof value !== 'boolean') {
        throw new InvalidOptionsError(`FileSource: ${key} must be true or false; got ${typeof value}`)
      }
    }
    this.#dir = options.dir
    this.#watch = options.watch ?? true
    this.#trim = options.trimTrailingNewline ?? true
  }

  /** The file a name maps to, after the name checks (no symlink check: that needs the disk). */
  pathOf(name: string): string {
    if (isAbsolute(name) || name.startsWith('/') || name.startsWith('\\')) {
      throw new InvalidSecretNameError(
        `"${name}" is an absolute path; use a path inside the secrets directory`,
        {
          secretName: name,
          source: this.name,
        },
      )
    }
    if (name.split(/[\\/]/).some((segment) => segment === '..' || segment === '')) {
      throw new InvalidSecretNameError(`"${name}" has an empty or ".." path segment`, {
        secretName: name,
        source: this.name,
      })
    }
    return join(this.#dir, name)
  }

  /**
   * Reads one file without ever blocking on it or reading outside the directory: the path is
   * resolved (symlinks inside the directory, such as Kubernetes' `..data` layout, are followed),
   * checked to be inside the directory, then opened with `O_RDONLY | O_NONBLOCK | O_NOFOLLOW`, and
   * the descriptor itself is checked: where it points (so a directory swapped for a symlink
   * between the check and the open is caught) and that it is a regular file. A FIFO, socket or
   * device is refused with `ERR_SECRET_ACCESS_DENIED`; opening it never blocks Node's file-I/O
   * thread pool. A file that vanishes between resolving and opening (an atomic `..data` swap
   * whose old directory was already removed) is resolved again, up to 3 times.
   */
  async load(name: string, _ctx?: LoadContext): Promise<LoadedSecret> {
    this.pathOf(name)
    const context = { secretName: name, source: this.name }
    this.#realDir ??= realpath(this.#dir)
    const root = await this.#realDir.catch((error: unknown) => {
      this.#realDir = undefined
      throw this.#mapError(error, name)
    })
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#read(root, join(root, name), context)
      } catch (error) {
        if (!(error instanceof ResolvedPathChanged)) throw this.#mapError(error, name)
        if (attempt === SWAP_RETRIES) throw this.#mapError(error.cause, name)
      }
    }
  }

  async #read(root: string, path: string, context: Context): Promise<LoadedSecret> {
    const real = await realpath(path)
    if (!isInside(root, real)) throw outside(context)
    let file: FileHandle
    try {
      file = await open(real, OPEN_FLAGS)
    } catch (error) {
      // The path resolved a moment ago, so it was swapped in between: the file is gone (ENOENT) or
      // its last component is now a symlink (ELOOP under O_NOFOLLOW).
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ELOOP') throw new ResolvedPathChanged(error)
      throw error
    }
    try {
      if (!(await opensInside(file, root, real))) throw outside(context)
      const info = await file.stat()
      if (info.isDirectory()) throw new SecretNotFoundError(context, `${label(context)} is a directory`)
      if (!info.isFile()) throw notRegular(context, kindOf(info))
      if (info.size > MAX_SECRET_BYTES) throw new SecretTooLargeError(info.size, MAX_SECRET_BYTES, context)
      const buffer = Buffer.alloc(MAX_SECRET_BYTES + 1)
      let length = 0
      while (length < buffer.length) {
        const { bytesRead } = await file.read(buffer, length, buffer.length - length, length)
        if (bytesRead === 0) break
        length += bytesRead
      }
      if (length > MAX_SECRET_BYTES) throw new SecretTooLargeError(length, MAX_SECRET_BYTES, context)
      let value = buffer.toString('utf8', 0, length)
      buffer.fill(0, 0, length)
      if (this.#trim) value = value.replace(/\r?\n$/, '')
      return { value }
    } finally {
      await file.close()
    }
  }

  /** Calls `onChange` (debounced) when the file or its directory changes. */
  watch(name: string, onChange: () => void): () => void {
    if (!this.#watch) return () => undefined
    const dirs = new Set([this.#dir, dirname(this.pathOf(name))])
    const stops = [...dirs].map((dir) => this.#watchDir(dir, onChange))
    return () => {
      for (const stop of stops) stop()
    }
  }

  async close(): Promise<void> {
    for (const { watcher, timer } of this.#watchers.values()) {
      clearTimeout(timer)
      watcher.close()
    }
    this.#watchers.clear()
  }

  #watchDir(dir: string, listener: () => void): () => void {
    let entry = this.#watchers.get(dir)
    if (entry === undefined) {
      let watcher: FSWatcher
      try {
        watcher = watch(dir, { persistent: false })
      } catch {
        return () => undefined
      }
      const created = {
        watcher,
        listeners: new Set<() => void>(),
        timer: undefined as NodeJS.Timeout | undefined,
      }
      watcher.on('change', () => {
        clearTimeout(created.timer)
        created.timer = setTimeout(() => {
          for (const fn of created.listeners) fn()
        }, WATCH_DEBOUNCE_MS)
        created.timer.unref()
      })
      watcher.on('error', () => {
        watcher.close()
        this.#watchers.delete(dir)
      })
      entry = created
      this.#watchers.set(dir, entry)
    }
    const current = entry
    current.listeners.add(listener)
    return () => {
      current.listeners.delete(listener)
      if (current.listeners.size === 0) {
        clearTimeout(current.timer)
        current.watcher.close()
        this.#watchers.delete(dir)
      }
    }
  }

  #mapError(error: unknown, name: string): Error {
    if (
      error instanceof Error &&
      'code' in error &&
      typeof error.code === 'string' &&
      error.code.startsWith('ERR_SECRET')
    ) {
      return error
    }
    const code = (error as NodeJS.ErrnoException).code
    const context = { secretName: name, source: this.name, cause: error }
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return new SecretNotFoundError(context)
    if (code === 'EACCES' || code === 'EPERM') return new SecretAccessDeniedError(context)
    // ENXIO: a socket; the open never reaches a reader.
    if (code === 'ENXIO') return notRegular(context, 'socket or device without a reader')
    if (code === 'ELOOP')
      return new SecretAccessDeniedError(context, `secret "${name}" (source file) is a symlink loop`)
    return new SecretUnavailableError(context)
  }
}

const FILE_OPTION_KEYS = optionKeys<FileSourceOptions>({ dir: true, watch: true, trimTrailingNewline: true })
