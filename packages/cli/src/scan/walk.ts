import { readdirSync, realpathSync, statSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'

/** Something the walk skipped, and why (reported as a note, never silently). */
export interface SkipNote {
  path: string
  reason: 'outside-tree' | 'symlink-loop' | 'unreadable' | 'not-a-file'
}

/** Directory names never entered. */
export const SKIPPED_DIRECTORIES = ['.git']

const inside = (root: string, path: string) => path === root || path.startsWith(root + sep)

/**
 * Every regular file under each of `roots` (files given directly are yielded as they are).
 * Symlinks are followed only when their target stays inside the root they were found under, and a
 * directory already entered (by real path) is not entered again, so a symlink loop ends.
 */
export function* walkFiles(
  roots: string[],
  cwd: string,
  skip: (note: SkipNote) => void,
): Generator<{ path: string; shown: string }> {
  for (const root of roots) {
    const absolute = resolve(cwd, root)
    let realRoot: string
    try {
      realRoot = realpathSync(absolute)
    } catch {
      skip({ path: root, reason: 'unreadable' })
      continue
    }
    const seen = new Set<string>()
    const stack: string[] = [absolute]
    while (stack.length > 0) {
      const path = stack.pop() as string
      const shown = relative(cwd, path) || '.'
      let real: string
      let stats: ReturnType<typeof statSync>
      try {
        real = realpathSync(path)
        stats = statSync(real)
      } catch (error) {
        skip({
          path: shown,
          reason: (error as { code?: unknown }).code === 'ELOOP' ? 'symlink-loop' : 'unreadable',
        })
        continue
      }
      if (!inside(realRoot, real)) {
        skip({ path: shown, reason: 'outside-tree' })
        continue
      }
      if (stats.isFile()) {
        yield { path: real, shown }
        continue
      }
      if (!stats.isDirectory()) {
        skip({ path: shown, reason: 'not-a-file' })
        continue
      }
      if (seen.has(real)) {
        skip({ path: shown, reason: 'symlink-loop' })
        continue
      }
      seen.add(real)
      let entries: string[]
      try {
        entries = readdirSync(path).sort().reverse()
      } catch {
        skip({ path: shown, reason: 'unreadable' })
        continue
      }
      for (const entry of entries) {
        if (SKIPPED_DIRECTORIES.includes(entry)) continue
        stack.push(join(path, entry))
      }
    }
  }
}
