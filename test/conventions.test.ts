/**
 * Where test code lives (see CONTRIBUTING.md): never in a package's shipped `src/` beyond its own
 * `*.test.ts` files, and shared helpers are imported by name from @latchkey/test-support, never
 * reached through `../../../`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')

/** Source files below `dir` (not dependencies, not builds). */
function sourceFiles(dir: string, found: string[] = []): string[] {
  if (!existsSync(dir)) return found
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) sourceFiles(path, found)
    else if (/\.(c|m)?[jt]s$/.test(entry.name)) found.push(path)
  }
  return found
}

const packages = readdirSync(join(root, 'packages')).filter((n) =>
  existsSync(join(root, 'packages', n, 'package.json')),
)
const isTest = (file: string) => /\.test(-d)?\.[cm]?ts$/.test(file)

describe.each(packages)('packages/%s/src', (name) => {
  const files = sourceFiles(join(root, 'packages', name, 'src')).map((f) => relative(root, f))

  it('holds shipped code and its own *.test.ts files, no test helpers', () => {
    const src = join('packages', name, 'src')
    const helpers = files.filter(
      (file) =>
        !isTest(file) && /(^|\/)(test-support|testing|support)(\/|\.)|global-setup/.test(relative(src, file)),
    )
    expect(helpers, 'move test helpers to packages/<name>/test/ or @latchkey/test-support').toEqual([])
  })

  it('imports nothing test-only from shipped files', () => {
    const shipped = files.filter((file) => !isTest(file))
    const offending = shipped.filter((file) =>
      /from '(@latchkey\/test-support|@latchkey\/testing|vitest|(\.\.\/)+test\/)/.test(
        readFileSync(join(root, file), 'utf8'),
      ),
    )
    expect(offending).toEqual([])
  })
})

it('reaches shared test helpers by name, never through ../../../', () => {
  const files = ['packages', 'examples', 'test', 'bench'].flatMap((dir) => sourceFiles(join(root, dir)))
  const relativeReach = files
    .filter((file) => /from '(\.\.?\/)+(test\/)?canary\//.test(readFileSync(file, 'utf8')))
    .map((file) => relative(root, file))
  expect(relativeReach, "import from '@latchkey/test-support' instead").toEqual([])
})
