#!/usr/bin/env node
/**
 * Which pairs of a `duplicates` listing no line of CONTRIBUTING.md's "Known repeats" names.
 *
 *   duplicates --repo packages --most 200 --seconds 120 | node scripts/known-repeats.mjs
 *
 * A line names a pair when it names both files: by path below `packages/`, by the end of one
 * (`watcher.test.ts`), or by a `*` pattern (`*\/malformed.test.ts`); in the "Emulators" group a
 * short path is below `packages/testing/src/`. A pair of a file with itself needs a line that says
 * "itself", "themselves" or "each other". Prints every pair no line names, and every `a` ~ `b`
 * a line spells out that the listing no longer has (a line to update or remove), and exits 1 if
 * there is either. It reads the listing from stdin, as CI has no `duplicates`; `test/docs.test.ts` checks
 * without it that every file the section names exists.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const doc = readFileSync(join(root, 'CONTRIBUTING.md'), 'utf8')
const section = /^## Known repeats\n([\s\S]*?)^## /m.exec(doc)?.[1] ?? ''
const PACKAGE =
  /^(aws|azure|cli|core|express|fastify|google|lambda|nestjs|opentelemetry|pg|pino|testing|vault)\//

/** The pattern of a file a line names: a path, the end of one, or a `*` pattern. */
const patternOf = (name) => name.replaceAll('.', '\\.').replaceAll('*', '[^/]*')

/** Each line of the section with the patterns of the files it names and the pairs it spells out. */
function namingLines() {
  const lines = []
  let prefix = ''
  for (const line of section.split('\n')) {
    if (line.startsWith('Emulators')) prefix = 'testing/src/'
    else if (/^(Shipped source|Tests):/.test(line)) prefix = ''
    if (!line.startsWith('- ')) continue
    const matcher = (name) => {
      const end = new RegExp(`(^|/)${patternOf(name)}$`)
      const below =
        prefix !== '' && !PACKAGE.test(name) ? new RegExp(`^${prefix}${patternOf(name)}$`) : undefined
      return (path) => end.test(path) || below?.test(path) === true
    }
    const patterns = [...line.matchAll(/`([\w./*-]+\.[cm]?[jt]s)`/g)].map(([, name]) => matcher(name))
    const spelled = []
    for (const [, a, rest] of line.matchAll(
      /`([\w./*-]+\.[cm]?[jt]s)`(?: \([^)]*\))? ~ ((?:`[\w./*-]+\.[cm]?[jt]s`(?: \/ )?)+)/g,
    )) {
      for (const [, b] of rest.matchAll(/`([^`]+)`/g))
        spelled.push({ text: `${a} ~ ${b}`, a: matcher(a), b: matcher(b) })
    }
    lines.push({ patterns, spelled, self: /itself|themselves|each other/.test(line) })
  }
  return lines
}

const lines = namingLines()
const listing = readFileSync(0, 'utf8')
const pairs = []
const unnamed = []
for (const row of listing.split('\n')) {
  const match = /^(D\d+) (\S+?):\d+-\d+ ~ (\S+?):\d+-\d+/.exec(row)
  if (match === null) continue
  const [, , a, b] = match
  pairs.push([a, b])
  const named = lines.some(
    ({ patterns, self }) => patterns.some((p) => p(a)) && patterns.some((p) => p(b)) && (a !== b || self),
  )
  if (!named) unnamed.push(row)
}
const stale = lines
  .flatMap((line) => line.spelled)
  .filter(({ a, b }) => !pairs.some(([x, y]) => (a(x) && b(y)) || (a(y) && b(x))))
if (pairs.length === 0) {
  process.stderr.write(
    'known-repeats: no pairs on stdin; pipe the output of `duplicates --repo packages` in\n',
  )
  process.exit(2)
}
for (const row of unnamed) process.stdout.write(`${row}\n`)
for (const { text } of stale) process.stdout.write(`no longer listed: ${text}\n`)
process.stdout.write(
  `known-repeats: ${pairs.length} pairs, ${unnamed.length} named by no line of "Known repeats", ${stale.length} spelled out there but no longer listed\n`,
)
process.exit(unnamed.length === 0 && stale.length === 0 ? 0 : 1)
