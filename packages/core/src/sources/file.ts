import { type FSWatcher, watch } from 'node:fs'
import { open, realpath } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, sep } from 'node:path'
import {
  InvalidSecretNameError,
  SecretAccessDeniedError,
  SecretNotFoundError,
  SecretTooLargeError,
  SecretUnavailableError,
} from '../errors.js'
import type { LoadContext, LoadedSecret, SecretSource } from '../types.js'

const MAX_FILE_BYTES = 65_536
const WATCH_DEBOUNCE_MS = 50

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
    if (typeof options?.dir !== 'string' || options.dir.length === 0) {
      throw new TypeError('FileSource needs { dir }: the directory that holds the secret files')
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

  async load(name: string, _ctx?: LoadContext): Promise<LoadedSecret> {
    const path = this.pathOf(name)
    const context = { secretName: name, source: this.name }
    let real: string
    try {
      real = await realpath(path)
    } catch (error) {
      throw this.#mapError(error, name)
    }
    this.#realDir ??= realpath(this.#dir)
    const root = await this.#realDir.catch((error: unknown) => {
      this.#realDir = undefined
      throw this.#mapError(error, name)
    })
    const inside = relative(root, real)
    if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
      throw new SecretAccessDeniedError(
        context,
        `secret "${name}" (source file) resolves outside the secrets directory; refusing to read it`,
      )
    }
    try {
      const file = await open(real, 'r')
      try {
        const stat = await file.stat()
        if (!stat.isFile())
          throw new SecretNotFoundError(context, `secret "${name}" (source file) is not a regular file`)
        if (stat.size > MAX_FILE_BYTES) throw new SecretTooLargeError(stat.size, MAX_FILE_BYTES, context)
        let value = await file.readFile('utf8')
        if (this.#trim) value = value.replace(/\r?\n$/, '')
        return { value }
      } finally {
        await file.close()
      }
    } catch (error) {
      throw this.#mapError(error, name)
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
    if (code === 'ELOOP')
      return new SecretAccessDeniedError(context, `secret "${name}" (source file) is a symlink loop`)
    return new SecretUnavailableError(context)
  }
}
