/**
 * The `@middy/core` majors the lambda tests run, and which of them fits the Node.js line running
 * the suite. Both majors are installed (`middy6`, `middy7`: npm aliases of `@middy/core`); a major
 * is tested only on the Node.js lines its own `engines` admit, so middy 7 (engines `>=22`) runs on
 * the Node.js 22 and 24 lines of the matrix and middy 6 on every line. vitest.config.ts resolves
 * a bare `@middy/core` (what the README examples import) to the newest major that fits.
 */
import { readFileSync } from 'node:fs'

export interface MiddyMajor {
  /** 6 or 7. */
  readonly major: number
  /** The installed alias: `middy6` or `middy7`. */
  readonly alias: 'middy6' | 'middy7'
  /** Its exact version, from its package.json. */
  readonly version: string
  /** Its `engines.node`. */
  readonly engines: string
}

const nodeMajor = Number(process.versions.node.split('.')[0])

function read(alias: MiddyMajor['alias']): MiddyMajor {
  const url = new URL(`../node_modules/${alias}/package.json`, import.meta.url)
  const manifest = JSON.parse(readFileSync(url, 'utf8')) as { version: string; engines?: { node?: string } }
  return {
    major: Number(manifest.version.split('.')[0]),
    alias,
    version: manifest.version,
    engines: manifest.engines?.node ?? '',
  }
}

/** Whether an `engines.node` of the form `>=N` (what middy declares) admits this Node.js. */
export function admits(engines: string, major = nodeMajor): boolean {
  const min = /^>=\s*(\d+)/.exec(engines.trim())
  if (min === null) throw new Error(`unexpected engines.node "${engines}" in @middy/core`)
  return major >= Number(min[1])
}

/** Every installed major, oldest first. */
export function middyMajors(): MiddyMajor[] {
  return [read('middy6'), read('middy7')]
}

/** The majors whose engines admit the Node.js running the suite. */
export function middyMajorsForThisNode(): MiddyMajor[] {
  return middyMajors().filter((m) => admits(m.engines))
}

/** The newest major that fits this Node.js: what a user on this line installs. */
export function newestMiddyForThisNode(): MiddyMajor {
  const fits = middyMajorsForThisNode()
  const newest = fits.at(-1)
  if (newest === undefined) throw new Error(`no installed @middy/core major admits Node.js ${nodeMajor}`)
  return newest
}
