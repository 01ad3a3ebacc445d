#!/usr/bin/env node
/**
 * Which pairs of a `duplicates` listing no line of CONTRIBUTING.md's "Known repeats" names.
 *
 *   duplicates --repo packages --most 200 --seconds 120 | node scripts/known-repeats.mjs
 *
 * A line names a pair when it names both files: by path below `packages/`, by the end of one
 * (`watcher.test.ts`), or by a `*` pattern (`*\/malformed.test.ts`); in the "Emulators" group a
 * short path is below `packages/testing/src/`. A pair of a file with itself needs a line that says
 * "itself", "themselves" or "each other". Prints every pair no line names and exits 1 if there is
 * one. It reads the listing from stdin, as CI has no `duplicates`; `test/docs.test.ts` checks
 * without it that every file the section names exists.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const doc = readFileSync(join(root, 'CONTRIBUTING.md'), 'utf8')
const section = /^## Known repeats\n([\s\S]*?)^## /m.exec(doc)?.[1] ?? ''
const PACKAGE =
  /^(aws|azure|cli|core|express|fastify|google|lambda|nestjs|opentelemetry|pg|pino|testing|vault)\//

/** Each line of the section with the patterns of the files it names. */
function namingLines() {
  const lines = []
  let prefix = ''
  for (const line of section.split('\n')) {
    if (line.startsWith('Emulators')) prefix = 'testing/src/'
    else if (/^(Shipped source|Tests):/.test(line)) prefix = ''
    if (!line.startsWith('- ')) continue
    const patterns = []
    for (const [, name] of line.matchAll(/`([\w./*-]+\.[cm]?[jt]s)`/g)) {
      const pattern = name.replaceAll('.', '\\.').replaceAll('*', '[^/]*')
      patterns.push(new RegExp(`(^|/)${pattern}$`))
      if (prefix !== '' && !PACKAGE.test(name)) patterns.push(new RegExp(`^${prefix}${pattern}$`))
    }
    lines.push({ patterns, self: /itself|themselves|each other/.test(line) })
  }
  return lines
}

const lines = namingLines()
const listing = readFileSync(0, 'utf8')
const unnamed = []
for (const row of listing.split('\n')) {
  const match = /^(D\d+) (\S+?):\d+-\d+ ~ (\S+?):\d+-\d+/.exec(row)
  if (match === null) continue
  const [, , a, b] = match
  const named = lines.some(
    ({ patterns, self }) =>
      patterns.some((p) => p.test(a)) && patterns.some((p) => p.test(b)) && (a !== b || self),
  )
  if (!named) unnamed.push(row)
}
const pairs = listing.split('\n').filter((row) => /^D\d+ /.test(row)).length
if (pairs === 0) {
  process.stderr.write(
    'known-repeats: no pairs on stdin; pipe the output of `duplicates --repo packages` in\n',
  )
  process.exit(2)
}
for (const row of unnamed) process.stdout.write(`${row}\n`)
process.stdout.write(`known-repeats: ${pairs} pairs, ${unnamed.length} named by no line of "Known repeats"\n`)
process.exit(unnamed.length === 0 ? 0 : 1)
