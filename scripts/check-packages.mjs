#!/usr/bin/env node
/** Runs publint and arethetypeswrong on every published package (run after a build). */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bin = (name) => join(root, 'node_modules', '.bin', name)
let failures = 0
for (const name of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', name)
  for (const [tool, args] of [
    [bin('publint'), ['--strict', dir]],
    [bin('attw'), ['--pack', dir, '--format', 'table-flipped']],
  ]) {
    const result = spawnSync(tool, args, { cwd: root, stdio: 'inherit' })
    if (result.status !== 0) {
      console.error(`check-packages: ${tool.split('/').pop()} failed for @latchkey/${name}`)
      failures++
    }
  }
}
process.exit(failures === 0 ? 0 : 1)
