/**
 * docs/orm.md ("Use with your ORM"): every TypeScript block on the page is one file of
 * `test/orm-snippets/`, included verbatim after an `<!-- include: … -->` marker; every snippet
 * file is on the page, is imported by an ORM test here, and compiles under strict TypeScript.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { typeErrors } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..', '..', '..')
const snippetDir = 'packages/pg/test/orm-snippets'
const page = readFileSync(join(root, 'docs', 'orm.md'), 'utf8')
const INCLUDE = /<!-- include: (\S+) -->\n(?:\s*\n)*```ts\n([\s\S]*?)\n```/g

const included = [...page.matchAll(INCLUDE)].map(([, path = '', code = '']) => ({ path, code }))
const snippetFiles = readdirSync(join(root, snippetDir))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => `${snippetDir}/${name}`)
  .sort()

describe('docs/orm.md snippets', () => {
  it('every ts block on the page follows an include marker', () => {
    const blocks = page.match(/^```(ts|typescript)\b/gm) ?? []
    expect(blocks.length).toBeGreaterThan(0)
    expect(included.length).toBe(blocks.length)
  })

  it('every snippet file is on the page once, and each block is its file verbatim', () => {
    expect(included.map((block) => block.path).sort()).toEqual(snippetFiles)
    for (const block of included) {
      expect(block.code, `${block.path} differs from its block in docs/orm.md`).toBe(
        readFileSync(join(root, block.path), 'utf8').trimEnd(),
      )
    }
  })

  it('every snippet is what an ORM test of this package runs', () => {
    const tests = readdirSync(import.meta.dirname)
      .filter((name) => name.startsWith('orm-') && name.endsWith('.test.ts'))
      .map((name) => readFileSync(join(import.meta.dirname, name), 'utf8'))
      .join('\n')
    const unused = snippetFiles
      .map((path) => path.slice(snippetDir.length + 1).replace(/\.ts$/, ''))
      .filter((name) => !tests.includes(`'../test/orm-snippets/${name}.js'`))
    expect(unused).toEqual([])
  })

  it('the snippets compile under strict TypeScript', () => {
    expect(typeErrors(`${snippetDir}/tsconfig.json`)).toBe('')
  }, 120_000)
})
