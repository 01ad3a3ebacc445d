import { type Dirent, readdirSync, realpathSync, statSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'

/** Something the walk skipped, and why (reported as a note, never silently). */
export interface SkipNote {
  path: string
  reason: 'outside-tree' | 'symlink-loop' | 'unreadable' | 'not-a-file'
}

/** Directory names never entered. */
export const SKIPPED_DIRECTORIES = ['.git']

const inside = (root: string, path: string) => path === root || path.startsWith(root + sep)

/** A path still to visit: as the walk reached it, as shown, and its real path when already known. */
interface Pending {
  path: string
  shown: string
  /** Known for entries of a directory whose real path is known that are not symlinks themselves. */
  real: string | undefined
  /** A directory entry of one of these kinds (`undefined`: unknown, ask stat). */
  kind: 'file' | 'directory' | undefined
}

const kindOf = (entry: Dirent): Pending['kind'] | 'link' | 'other' =>
  entry.isFile() ? 'file' : entry.isDirectory() ? 'directory' : entry.isSymbolicLink() ? 'link' : 'other'

/**
 * Every regular file under each of `roots` (files given directly are yielded as they are).
 * Symlinks are followed only when their target stays inside the root they were found under, and a
 * directory already entered (by real path) is not entered again, so a symlink loop ends. Plain
 * entries cost no system call beyond their directory's `readdir`; only symlinks are resolved.
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
    const stack: Pending[] = [
      { path: absolute, shown: relative(cwd, absolute) || '.', real: undefined, kind: undefined },
    ]
    while (stack.length > 0) {
      const { path, shown, real: known, kind: listed } = stack.pop() as Pending
      let real = known
      let kind = listed
      if (real === undefined || kind === undefined) {
        try {
          real = realpathSync(path)
          const stats = statSync(real)
          kind = stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : undefined
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
      }
      if (kind === 'file') {
        yield { path: real, shown }
        continue
      }
      if (kind !== 'directory') {
        skip({ path: shown, reason: 'not-a-file' })
        continue
      }
      if (seen.has(real)) {
        skip({ path: shown, reason: 'symlink-loop' })
        continue
      }
      seen.add(real)
      let entries: Dirent[]
      try {
        entries = readdirSync(path, { withFileTypes: true })
      } catch {
        skip({ path: shown, reason: 'unreadable' })
        continue
      }
      entries.sort((a, b) => (a.name < b.name ? 1 : a.name > b.name ? -1 : 0))
      for (const entry of entries) {
        if (SKIPPED_DIRECTORIES.includes(entry.name)) continue
        const entryKind = kindOf(entry)
        const entryShown = shown === '.' ? entry.name : `${shown}${sep}${entry.name}`
        const entryPath = join(path, entry.name)
        if (entryKind === 'file' || entryKind === 'directory') {
          stack.push({ path: entryPath, shown: entryShown, real: join(real, entry.name), kind: entryKind })
        } else if (entryKind === 'link') {
          stack.push({ path: entryPath, shown: entryShown, real: undefined, kind: undefined })
        } else {
          skip({ path: entryShown, reason: 'not-a-file' })
        }
      }
    }
  }
}
