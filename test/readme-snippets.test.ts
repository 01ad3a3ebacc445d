/**
 * Type-checks every TypeScript code block in the READMEs (root, packages/*, examples/*) against the
 * built packages, so README examples cannot rot (run after `pnpm build`).
 *
 * A block is a fence whose info string is `ts` or `typescript`; `ts no-check` opts a block out
 * (pseudo-code only). Each block becomes its own module. A block that uses names defined
 * elsewhere in its README declares them in an HTML comment on the line(s) directly before the
 * fence, which renders as nothing:
 *
 *   <!-- snippet-preamble: import type { CachedSecretProvider } from '@latchkey/core'; declare const secrets: CachedSecretProvider -->
 *
 * A preamble may hold only imports, `declare` statements, types and interfaces, so it can give a
 * block its context but never hide an error in it. All blocks are checked in one TypeScript program.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')

/**
 * Third-party modules the blocks import that `test/node_modules` does not hold, each mapped to the
 * declaration file in the workspace package that installs it (the copy the built `@latchkey/*`
 * declarations resolve too). `@latchkey/*`, `pg`, `pino`, `fastify` and
 * `@aws-sdk/client-secrets-manager` resolve through `test/node_modules`.
 */
const THIRD_PARTY: Record<string, string> = {
  express: 'packages/express/node_modules/@types/express/index.d.ts',
  '@nestjs/terminus': 'packages/nestjs/node_modules/@nestjs/terminus/dist/index.d.ts',
  '@nestjs/*': 'packages/nestjs/node_modules/@nestjs/*/index.d.ts',
  'node-vault': 'packages/vault/node_modules/node-vault/index.d.ts',
  '@google-cloud/secret-manager':
    'packages/google/node_modules/@google-cloud/secret-manager/build/src/index.d.ts',
  'google-auth-library': 'packages/google/node_modules/google-auth-library/build/src/index.d.ts',
  '@azure/identity': 'packages/azure/node_modules/@azure/identity/dist/esm/index.d.ts',
  '@azure/keyvault-secrets': 'packages/azure/node_modules/@azure/keyvault-secrets/dist/esm/index.d.ts',
  'nestjs-pino': 'examples/nest-app/node_modules/nestjs-pino/dist/esm/index.d.ts',
  '@middy/core': 'packages/lambda/node_modules/@middy/core/index.d.ts',
  '@opentelemetry/exporter-prometheus':
    'packages/opentelemetry/node_modules/@opentelemetry/exporter-prometheus/build/src/index.d.ts',
  '@opentelemetry/sdk-metrics':
    'packages/opentelemetry/node_modules/@opentelemetry/sdk-metrics/build/src/index.d.ts',
  '@opentelemetry/sdk-trace-base':
    'packages/opentelemetry/node_modules/@opentelemetry/sdk-trace-base/build/src/index-shim.d.ts',
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
  typeRoots: [join(root, 'node_modules/@types')],
  strict: true,
  esModuleInterop: true,
  skipLibCheck: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  noEmit: true,
  paths: Object.fromEntries(Object.entries(THIRD_PARTY).map(([name, dir]) => [name, [join(root, dir)]])),
}

interface Block {
  /** README path relative to the repository root. */
  readme: string
  /** 1-based README line of the block's first code line. */
  line: number
  code: string
  /** The `snippet-preamble` comment's content, or `''`. */
  preamble: string
}

interface Extracted {
  blocks: Block[]
  /** `ts no-check` blocks: README lines of their fences. */
  unchecked: number[]
  /** Problems with the markup itself (a preamble attached to nothing, an unclosed fence). */
  problems: string[]
}

const FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/
const PREAMBLE = /^<!--\s*snippet-preamble:([\s\S]*?)-->$/
const PREAMBLE_START = /<!--\s*snippet-preamble/

/** Finds the TypeScript blocks of one README and the preamble comments attached to them. */
function extractBlocks(readme: string, text: string): Extracted {
  const lines = text.split(/\r?\n/)
  const result: Extracted = { blocks: [], unchecked: [], problems: [] }
  const attached = new Set<number>()
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] as string)
    if (!open) continue
    const [, indent = '', marker = '', info = ''] = open
    const close = lines.findIndex(
      (line, j) => j > i && new RegExp(`^ {0,3}${marker[0]}{${marker.length},}\\s*$`).test(line),
    )
    if (close === -1) {
      result.problems.push(`${readme}:${i + 1}: unclosed code fence`)
      break
    }
    const [lang = '', ...flags] = info.trim().split(/\s+/)
    if (lang === 'ts' || lang === 'typescript') {
      const comment = commentBefore(lines, i)
      const preamble = comment ? PREAMBLE.exec(comment.text) : null
      if (preamble) for (let k = comment?.start ?? i; k < i; k++) attached.add(k)
      if (flags.includes('no-check')) result.unchecked.push(i + 1)
      else
        result.blocks.push({
          readme,
          line: i + 2,
          code: lines
            .slice(i + 1, close)
            .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
            .join('\n'),
          preamble: preamble?.[1]?.trim() ?? '',
        })
    }
    i = close
  }
  lines.forEach((line, k) => {
    if (PREAMBLE_START.test(line) && !attached.has(k))
      result.problems.push(
        `${readme}:${k + 1}: a snippet-preamble comment must end on the line right before a \`\`\`ts fence`,
      )
  })
  return result
}

/** The HTML comment that ends on the line right before `fence`, if any. */
function commentBefore(lines: string[], fence: number): { start: number; text: string } | undefined {
  if (!lines[fence - 1]?.trim().endsWith('-->')) return undefined
  for (let start = fence - 1; start >= 0; start--) {
    if (lines[start]?.trim().startsWith('<!--'))
      return { start, text: lines.slice(start, fence).join('\n').trim() }
  }
  return undefined
}

/** What a preamble must not hold, as it could hide an error or run code: statements that are not declarations, `any`, `@ts-` directives. */
function nonDeclarations(preamble: string): string[] {
  const directives = preamble.match(/@ts-[\w-]+/g) ?? []
  const file = ts.createSourceFile('preamble.ts', preamble, ts.ScriptTarget.ES2022, true)
  const declared = (s: ts.Statement) =>
    ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)
  const statements = file.statements
    .filter(
      (s) =>
        !ts.isImportDeclaration(s) &&
        !ts.isTypeAliasDeclaration(s) &&
        !ts.isInterfaceDeclaration(s) &&
        !declared(s),
    )
    .map((s) => s.getText(file))
  const anys: string[] = []
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.AnyKeyword) anys.push('any')
    ts.forEachChild(node, visit)
  }
  visit(file)
  return [...directives, ...statements, ...anys]
}

function readmes(): string[] {
  const inDir = (dir: string) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .map((name) => `${dir}/${name}/README.md`)
          .filter((path) => existsSync(join(root, path)))
          .sort()
      : []
  return ['README.md', ...inDir('packages'), ...inDir('examples')]
}

/** One module per block: the preamble on its own lines, then the block, then `export {}`. */
function moduleText(block: Block): { text: string; offset: number } {
  const head = block.preamble ? `${block.preamble}\n` : ''
  return { text: `${head}${block.code}\nexport {}\n`, offset: head ? head.split('\n').length - 1 : 0 }
}

/** Type-checks every block in one program; returns the diagnostics per README, in README terms. */
function check(blocks: Block[], dir: string): Map<string, string[]> {
  mkdirSync(dir, { recursive: true })
  const files = new Map<string, { block: Block; offset: number }>()
  blocks.forEach((block, n) => {
    const file = join(dir, `${block.readme.replace(/[^\w.-]/g, '_')}-L${block.line}-${n}.ts`)
    const { text, offset } = moduleText(block)
    writeFileSync(file, text)
    files.set(file, { block, offset })
  })
  const program = ts.createProgram([...files.keys()], COMPILER_OPTIONS)
  const byReadme = new Map<string, string[]>()
  const report = (readme: string, message: string) =>
    byReadme.set(readme, [...(byReadme.get(readme) ?? []), message])
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]
  for (const d of global) report('*', ts.flattenDiagnosticMessageText(d.messageText, '\n'))
  for (const [file, { block, offset }] of files) {
    const source = program.getSourceFile(file)
    if (!source) {
      report(block.readme, `${block.readme}:${block.line}: the block was not part of the program`)
      continue
    }
    for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
      const line = source.getLineAndCharacterOfPosition(d.start ?? 0).line
      const where =
        line < offset
          ? `${block.readme}:${block.line - 2} (snippet-preamble)`
          : `${block.readme}:${block.line + line - offset}`
      report(block.readme, `${where}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
    }
  }
  return byReadme
}

const extracted = readmes().map((readme) => extractBlocks(readme, readFileSync(join(root, readme), 'utf8')))
const blocks = extracted.flatMap((e) => e.blocks)
const withBlocks = [...new Set(blocks.map((b) => b.readme))]
const tmp = join(root, 'test', '.tmp', `readme-snippets-${process.pid}-${Date.now()}`)

/** Deliberately wrong blocks, checked in the same program to prove the check catches mistakes. */
const SELF_TEST: Block[] = [
  {
    readme: '<self-test>',
    line: 10,
    preamble: "import { CachedSecretProvider, MemorySource } from '@latchkey/core'",
    code: "const secrets = new CachedSecretProvider(new MemorySource({ a: 'x' }), { ttll: 1 })",
  },
  {
    readme: '<self-test>',
    line: 20,
    preamble: '',
    code: "import { RotatingPool } from '@latchkey/pg'\nnew RotatingPool({ secret: 'db' })",
  },
]

let diagnostics = new Map<string, string[]>()

beforeAll(() => {
  diagnostics = check([...blocks, ...SELF_TEST], tmp)
}, 60_000)

afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('README code blocks', () => {
  it('finds the READMEs and their TypeScript blocks, with well-formed markup', () => {
    const all = readmes()
    expect(all).toContain('README.md')
    expect(all).toContain('packages/core/README.md')
    expect(all.some((r) => r.startsWith('examples/'))).toBe(true)
    expect(blocks.length).toBeGreaterThan(0)
    expect(extracted.flatMap((e) => e.problems)).toEqual([])
  })

  it('uses preambles for declarations only', () => {
    const bad = blocks.flatMap((b) =>
      nonDeclarations(b.preamble).map((s) => `${b.readme}:${b.line - 2}: ${s}`),
    )
    expect(bad).toEqual([])
  })

  it('compiles with the options and the installed types', () => {
    expect(diagnostics.get('*') ?? []).toEqual([])
  })

  it('reports a wrong option and a wrong call at their README lines', () => {
    const messages = diagnostics.get('<self-test>') ?? []
    expect(messages).toHaveLength(2)
    expect(messages[0]).toMatch(/^<self-test>:10: TS\d+ .*'ttll'/)
    expect(messages[1]).toMatch(/^<self-test>:21: TS\d+ .*RotatingPoolOptions/)
  })

  it.each(withBlocks)('%s: every ts block type-checks', (readme) => {
    expect(diagnostics.get(readme) ?? []).toEqual([])
  })
})

describe('extractBlocks', () => {
  const md = [
    '# x', // 1
    '<!-- snippet-preamble: declare const a: number -->', // 2
    '```ts', // 3
    'a + 1', // 4
    '```', // 5
    '```ts no-check', // 6
    'pseudo code', // 7
    '```', // 8
    '```sh', // 9
    'npm test', // 10
    '```', // 11
    '<!-- snippet-preamble:', // 12
    '  declare const b: string', // 13
    '-->', // 14
    '```typescript', // 15
    'b', // 16
    '```', // 17
    '<!-- snippet-preamble: declare const c: 1 -->', // 18
    '', // 19
    '```ts', // 20
    'c', // 21
    '```', // 22
  ].join('\n')
  const { blocks: found, unchecked, problems } = extractBlocks('X.md', md)

  it('takes ts and typescript blocks with their preambles and README lines, and skips the rest', () => {
    expect(found).toEqual([
      { readme: 'X.md', line: 4, code: 'a + 1', preamble: 'declare const a: number' },
      { readme: 'X.md', line: 16, code: 'b', preamble: 'declare const b: string' },
      { readme: 'X.md', line: 21, code: 'c', preamble: '' },
    ])
    expect(unchecked).toEqual([6])
  })

  it('accepts only imports, declare statements, types and interfaces in a preamble', () => {
    expect(
      nonDeclarations(
        "import pino from 'pino'; declare const a: number; declare function f(): void; type T = 1; interface I {}",
      ),
    ).toEqual([])
    expect(nonDeclarations('declare const a: number; const b = a as any; a satisfies string')).toEqual([
      'const b = a as any;',
      'a satisfies string',
      'any',
    ])
    expect(nonDeclarations('// @ts-nocheck\ndeclare const a: number')).toEqual(['@ts-nocheck'])
    expect(nonDeclarations('declare const secrets: { get(): any }')).toEqual(['any'])
  })

  it('flags a preamble that is not directly before its fence', () => {
    expect(problems).toEqual([
      'X.md:18: a snippet-preamble comment must end on the line right before a ```ts fence',
    ])
  })
})
