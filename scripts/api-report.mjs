#!/usr/bin/env node
/**
 * The public types of every package entry, as a readable report (`packages/<name>/api/<entry>.api.md`).
 *
 * Packages and entries are discovered from `packages/*\/package.json` `exports` (every key but
 * `./package.json`); each report is generated from the entry's built declaration file (the `types`
 * of its `import` condition, so run `pnpm build` first). The report lists every exported name with
 * its declaration, then every declaration of the package that those reach without being exported
 * (an options interface a function takes, say): changing any of them changes the report. Comments
 * are dropped and declarations sorted by name, so the report depends neither on TSDoc wording nor
 * on the chunk names and aliases the bundler picks.
 *
 *   node scripts/api-report.mjs          rewrite every report (`pnpm run api:update`)
 *   node scripts/api-report.mjs --check  print which reports differ from the build; exit 1 if any
 *   node scripts/api-report.mjs --json   print `{ rows, stale }` (what the test compares)
 *
 * `test/api-report.test.ts` runs the check in CI.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Every package folder under `packages/` that has a package.json. */
export function packageNames(root = ROOT) {
  return readdirSync(join(root, 'packages'))
    .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
    .sort()
}

/** A package's entries: `{ entry, file, declaration }` for each `exports` key with types. */
export function entriesOf(name, root = ROOT) {
  const dir = join(root, 'packages', name)
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const exportsMap = typeof pkg.exports === 'string' ? { '.': pkg.exports } : (pkg.exports ?? {})
  const entries = []
  for (const [entry, target] of Object.entries(exportsMap)) {
    if (entry === './package.json') continue
    const types = typeof target === 'object' ? (target.import?.types ?? target.types) : undefined
    if (typeof types !== 'string') {
      throw new Error(`@latchkey/${name} exports["${entry}"] has no import.types: cannot report its types`)
    }
    entries.push({ entry, file: reportFile(name, entry, root), declaration: resolve(dir, types) })
  }
  return entries
}

/** `.` → `api/index.api.md`; `./internal` → `api/internal.api.md`; `./a/b` → `api/a-b.api.md`. */
export function reportFile(name, entry, root = ROOT) {
  const base = entry === '.' ? 'index' : entry.slice(2).replaceAll('/', '-')
  return join(root, 'packages', name, 'api', `${base}.api.md`)
}

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed })

/** The declaration nodes worth printing for a symbol (not import specifiers or export lists). */
function declarationsOf(symbol, checker) {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
  return (target.declarations ?? []).filter(
    (node) => !ts.isExportSpecifier(node) && !ts.isImportSpecifier(node) && !ts.isExportAssignment(node),
  )
}

/** The statement that holds a declaration (a `declare const x` is a variable statement). */
function statementOf(node) {
  let current = node
  while (current.parent && !ts.isSourceFile(current.parent) && !ts.isModuleBlock(current.parent)) {
    current = current.parent
  }
  return current
}

/** Prints a statement without comments; `Name$2` (the bundler's rename of a clash) reads `Name`. */
function print(node) {
  return unclash(printer.printNode(ts.EmitHint.Unspecified, node, node.getSourceFile()).trim())
}

function unclash(text) {
  return text.replace(/\b([A-Za-z_]\w*)\$\d+\b/g, '$1')
}

/** Generates the reports of one package: `Map<entry, text>`. One TypeScript program per package. */
export function reportsOf(name, root = ROOT) {
  const entries = entriesOf(name, root)
  const dist = join(root, 'packages', name, 'dist')
  for (const { entry, declaration } of entries) {
    if (!existsSync(declaration)) {
      throw new Error(
        `@latchkey/${name}${entry.slice(1)}: ${relative(root, declaration)} is missing; run pnpm build`,
      )
    }
  }
  const program = ts.createProgram(
    entries.map((e) => e.declaration),
    {
      noEmit: true,
      skipLibCheck: true,
      types: [],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
    },
  )
  const checker = program.getTypeChecker()
  const ownFile = (node) => resolve(node.getSourceFile().fileName).startsWith(dist)
  const reports = new Map()
  for (const { entry, declaration } of entries) {
    const source = program.getSourceFile(declaration)
    const moduleSymbol = source && checker.getSymbolAtLocation(source)
    const exported = moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []
    const seen = new Set()
    const exportedRows = []
    for (const symbol of [...exported].sort((a, b) => compare(a.name, b.name))) {
      const nodes = declarationsOf(symbol, checker)
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
      const renamed =
        target.name !== symbol.name && target.name !== 'default' ? ` (declared as ${target.name})` : ''
      const texts = []
      for (const node of nodes) {
        const statement = statementOf(node)
        seen.add(statement)
        texts.push(
          ownFile(node)
            ? print(statement)
            : `// re-exported from ${moduleOf(node, root)}\n${print(statement)}`,
        )
      }
      exportedRows.push({ name: symbol.name + renamed, text: texts.join('\n') || '// (no declaration)' })
    }
    const reachedRows = reached([...seen], seen, checker, ownFile)
    reports.set(entry, render(name, entry, exportedRows, reachedRows))
  }
  return reports
}

/** Declarations of this package that the given statements reference and that are not listed yet. */
function reached(start, seen, checker, ownFile) {
  const rows = []
  const queue = [...start]
  while (queue.length > 0) {
    const statement = queue.shift()
    const visit = (node) => {
      if (ts.isIdentifier(node) && isTypePosition(node)) {
        const symbol = checker.getSymbolAtLocation(node)
        if (symbol) {
          for (const declaration of declarationsOf(symbol, checker)) {
            if (!ownFile(declaration)) continue
            const next = statementOf(declaration)
            if (seen.has(next) || ts.isTypeParameterDeclaration(declaration)) continue
            if (ts.isSourceFile(next) || next === statement) continue
            seen.add(next)
            queue.push(next)
            rows.push({ name: unclash(nameOf(next)), text: print(next) })
          }
        }
      }
      ts.forEachChild(node, visit)
    }
    ts.forEachChild(statement, visit)
  }
  return rows.sort((a, b) => compare(a.name, b.name) || compare(a.text, b.text))
}

/** Identifiers that name a type or a value used as one (`typeof x`, `extends Base`). */
function isTypePosition(node) {
  const parent = node.parent
  if (!parent) return false
  return (
    ts.isTypeReferenceNode(parent) ||
    ts.isExpressionWithTypeArguments(parent) ||
    ts.isTypeQueryNode(parent) ||
    ts.isQualifiedName(parent) ||
    (ts.isPropertyAccessExpression(parent) && parent.expression === node) ||
    ts.isComputedPropertyName(parent)
  )
}

function nameOf(statement) {
  if (statement.name && ts.isIdentifier(statement.name)) return statement.name.text
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.map((d) => d.name.getText()).join(', ')
  }
  return '(anonymous)'
}

/** The package a declaration comes from: `@latchkey/core` for a workspace package, else its path. */
function moduleOf(node, root) {
  const file = resolve(node.getSourceFile().fileName)
  const workspace = relative(join(root, 'packages'), file).split('/')
  if (!workspace[0].startsWith('..')) return `@latchkey/${workspace[0]}`
  const at = file.lastIndexOf('/node_modules/')
  return at === -1
    ? relative(root, file)
    : file.slice(at + '/node_modules/'.length).replace(/\/[^@][^/]*$/, '')
}

function compare(a, b) {
  return a < b ? -1 : a > b ? 1 : 0
}

function render(name, entry, exportedRows, reachedRows) {
  const specifier = `@latchkey/${name}${entry.slice(1)}`
  const block = (rows) => rows.map((row) => `### ${row.name}\n\n\`\`\`ts\n${row.text}\n\`\`\`\n`).join('\n')
  return [
    `# API report: ${specifier}`,
    '',
    '<!-- Generated from dist/ by `pnpm run api:update` (scripts/api-report.mjs). Do not edit by hand:',
    '     a change here is a change to the public surface, reviewed in the same commit. -->',
    '',
    `## Exported (${exportedRows.length})`,
    '',
    block(exportedRows),
    `## Reached, not exported (${reachedRows.length})`,
    '',
    reachedRows.length === 0 ? '(none)\n' : block(reachedRows),
  ].join('\n')
}

/** Every report as `{ name, entry, file, actual, expected }` (`expected` is the checked-in text). */
export function compareAll(root = ROOT) {
  const rows = []
  for (const name of packageNames(root)) {
    const reports = reportsOf(name, root)
    for (const { entry, file } of entriesOf(name, root)) {
      const expected = existsSync(file) ? readFileSync(file, 'utf8') : undefined
      rows.push({ name, entry, file, actual: reports.get(entry), expected })
    }
  }
  return rows
}

/** Report files with no entry behind them (an entry removed or renamed). */
export function staleReports(root = ROOT) {
  const stale = []
  for (const name of packageNames(root)) {
    const dir = join(root, 'packages', name, 'api')
    if (!existsSync(dir)) continue
    const wanted = new Set(entriesOf(name, root).map((e) => e.file))
    for (const file of readdirSync(dir)) {
      if (!wanted.has(join(dir, file))) stale.push(join(dir, file))
    }
  }
  return stale
}

function main() {
  if (process.argv.includes('--json')) {
    const rows = compareAll().map((row) => ({ ...row, file: relative(ROOT, row.file) }))
    process.stdout.write(JSON.stringify({ rows, stale: staleReports().map((f) => relative(ROOT, f)) }))
    return
  }
  const check = process.argv.includes('--check')
  const started = performance.now()
  const rows = compareAll()
  let differing = 0
  for (const row of rows) {
    if (row.actual === row.expected) continue
    differing++
    const where = relative(ROOT, row.file)
    if (check) {
      process.stderr.write(
        `api-report: ${where} (@latchkey/${row.name}${row.entry.slice(1)}) differs from dist\n`,
      )
    } else {
      mkdirSync(dirname(row.file), { recursive: true })
      writeFileSync(row.file, row.actual)
      process.stdout.write(`api-report: wrote ${where}\n`)
    }
  }
  for (const file of staleReports()) {
    differing++
    if (check)
      process.stderr.write(`api-report: ${relative(ROOT, file)} has no entry in package.json exports\n`)
    else {
      rmSync(file)
      process.stdout.write(`api-report: removed ${relative(ROOT, file)}\n`)
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  process.stdout.write(
    `api-report: ${rows.length} entries, ${differing} ${check ? 'differ' : 'updated'}, ${seconds} s\n`,
  )
  if (check && differing > 0) process.exitCode = 1
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
