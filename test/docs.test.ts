/**
 * The repository's own maps stay true: ARCHITECTURE.md lists every published package and only
 * packages that exist, the paths and links in ARCHITECTURE.md and CONTRIBUTING.md resolve, and
 * every document a code comment cites is in the clone (docs/wire-facts.md, by section).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { describe, expect, it } from 'vitest'
import { headingAnchors, markdownLinks } from './markdown.js'

const root = join(import.meta.dirname, '..')
const read = (path: string) => readFileSync(join(root, path), 'utf8')
const packages = readdirSync(join(root, 'packages')).filter((n) =>
  existsSync(join(root, 'packages', n, 'package.json')),
)

/** Names of every workspace package (published or private), from their package.json files. */
function workspaceNames(): Set<string> {
  const dirs = [
    ...packages.map((n) => join('packages', n)),
    ...readdirSync(join(root, 'examples')).map((n) => join('examples', n)),
    'test',
    'bench',
    'test-support',
  ]
  return new Set(
    dirs
      .filter((dir) => existsSync(join(root, dir, 'package.json')))
      .map((dir) => JSON.parse(read(join(dir, 'package.json'))).name as string),
  )
}

/** Source files of the repository (not dependencies, not builds). */
function sourceFiles(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue
    const path = join(dir, entry.name)
    if (entry.isDirectory()) sourceFiles(path, found)
    else if (/\.(c|m)?[jt]s$/.test(entry.name)) found.push(path)
  }
  return found
}

describe.each(['ARCHITECTURE.md', 'CONTRIBUTING.md'])('%s', (doc) => {
  const text = read(doc)

  it('names only packages that exist (an entry such as /internal must be in the exports map)', () => {
    const names = workspaceNames()
    for (const [, name, entry] of text.matchAll(/@latchkey\/([a-z-]+)(\/[a-z]+)?/g)) {
      expect(names, `${doc} names @latchkey/${name}`).toContain(`@latchkey/${name}`)
      if (entry !== undefined) {
        const pkg = JSON.parse(read(join('packages', name as string, 'package.json')))
        expect(Object.keys(pkg.exports), `${doc} names @latchkey/${name}${entry}`).toContain(`.${entry}`)
      }
    }
  })

  it('points only at files that exist', () => {
    for (const [, path] of text.matchAll(/`((?:packages\/)?[a-z-]+\/(?:src|test)\/[\w./-]+\.ts)`/g)) {
      const full = path?.startsWith('packages/') ? path : `packages/${path}`
      expect(existsSync(join(root, full)), `${doc} mentions ${path}`).toBe(true)
    }
    for (const link of markdownLinks(text)) {
      if (/^[a-z]+:/.test(link)) continue
      const [file, anchor] = link.split('#') as [string, string | undefined]
      const target = join(root, file)
      expect(existsSync(target), `${doc} links to ${link}`).toBe(true)
      if (anchor !== undefined && statSync(target).isFile()) {
        expect(headingAnchors(readFileSync(target, 'utf8')), `${doc} links to ${link}`).toContain(anchor)
      }
    }
  })
})

describe('ARCHITECTURE.md', () => {
  it('lists every published package in its Packages table', () => {
    const table = /^## Packages\n([\s\S]*?)^## /m.exec(read('ARCHITECTURE.md'))?.[1] ?? ''
    const listed = [...table.matchAll(/^\| `@latchkey\/([a-z-]+)`/gm)].map((m) => m[1])
    expect(listed.sort(), 'packages/* and the table in ARCHITECTURE.md').toEqual([...packages].sort())
  })
})

describe('documents cited by code', () => {
  const files = ['packages', 'examples', 'test', 'bench', 'scripts', 'test-support'].flatMap((dir) =>
    sourceFiles(dir),
  )

  it('cites no WIRE-FACTS.md (it is not in the clone; docs/wire-facts.md is)', () => {
    const citing = files.filter((file) => /WIRE-FACTS/.test(read(file)) && !file.endsWith('docs.test.ts'))
    expect(citing).toEqual([])
  })

  it('cites only sections docs/wire-facts.md has', () => {
    const anchors = headingAnchors(read('docs/wire-facts.md'))
    const cited = files.flatMap((file) =>
      [...read(file).matchAll(/docs\/wire-facts\.md#([\w-]+)/g)].map((m) => ({
        file: relative(root, join(root, file)),
        anchor: m[1] as string,
      })),
    )
    expect(cited.length).toBeGreaterThan(0)
    for (const { file, anchor } of cited) expect(anchors, `${file} cites #${anchor}`).toContain(anchor)
  })
})

describe('CONTRIBUTING.md, Known repeats', () => {
  const section = /^## Known repeats\n([\s\S]*?)^## /m.exec(read('CONTRIBUTING.md'))?.[1] ?? ''
  const files = ['packages', 'test']
    .flatMap((dir) => sourceFiles(dir))
    .map((file) => file.split(sep).join('/'))

  it('names only files that exist, by path or by the end of one (a moved file is renamed there too)', () => {
    const named = [...section.matchAll(/`([\w./*-]+\.[cm]?[jt]s)`/g)].map((m) => m[1] as string)
    expect(named.length).toBeGreaterThan(40)
    for (const name of named) {
      const pattern = new RegExp(`(^|/)${name.replaceAll('.', '\\.').replaceAll('*', '[^/]*')}$`)
      expect(
        files.some((file) => pattern.test(file)),
        `Known repeats names ${name}`,
      ).toBe(true)
    }
  })
})

describe('ARCHITECTURE.md, Every backend by its one name', () => {
  const section =
    /^### Every backend by its one name\n([\s\S]*?)^## /m.exec(read('ARCHITECTURE.md'))?.[1] ?? ''
  const rows = [...section.matchAll(/^\| `([a-z-]+)`[^|]*\|([^|]*)\|([^|]*)\|([^|]*)\|/gm)].map(
    ([, backend, source, emulator, tests]) => ({
      backend: backend as string,
      source: firstPath(source as string),
      emulator: emulator as string,
      tests: firstPath(tests as string),
    }),
  )

  it('has a row for every emulator folder of @latchkey/testing', () => {
    const folders = readdirSync(join(root, 'packages/testing/src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !['shared', 'sqs', 'postgres'].includes(entry.name))
      .map((entry) => entry.name)
    expect(folders.length).toBeGreaterThan(5)
    for (const folder of folders) expect(rows.map((row) => row.backend)).toContain(folder)
  })

  it('keeps each row under its one name: the source and its tests in a folder of that name, the emulator too', () => {
    expect(rows.length).toBeGreaterThan(8)
    for (const { backend, source, emulator, tests } of rows) {
      const under = (path: string) => path.startsWith(`${backend}/`) || path.split('/').includes(backend)
      for (const path of [source, tests]) {
        const existing = path.includes('*') ? path.slice(0, path.lastIndexOf('/', path.indexOf('*'))) : path
        expect(existsSync(join(root, 'packages', existing)), `${backend}: ${path}`).toBe(true)
      }
      expect(under(source), `${backend}: source ${source}`).toBe(true)
      expect(under(tests), `${backend}: tests ${tests}`).toBe(true)
      if (!emulator.trim().startsWith('none')) {
        expect(firstPath(emulator), `${backend}: emulator`).toMatch(new RegExp(`^testing/src/${backend}/`))
      }
    }
  })
})

/** The first `path/with/a/slash` in a table cell. */
function firstPath(cell: string): string {
  return /`([\w.*-]+\/[\w./*-]*)`/.exec(cell)?.[1] ?? ''
}
