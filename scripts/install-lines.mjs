#!/usr/bin/env node
/**
 * README install lines, checked the way a new user follows them: for every published package,
 * in an empty directory outside the workspace, run the README's install line (with `--engine-strict`)
 * with each `@latchkey/*` name replaced by its packed tarball (`pnpm pack`), then type-check the
 * README's first TypeScript example under `strict` with `moduleResolution` node16, nodenext and
 * bundler (one install reused by the three configs, built by one `tsc -b`), and run it as test/install-lines/cases.mjs
 * says: with an environment, or under a harness (test/install-lines/harness/) that starts the
 * backend from the installed @latchkey/testing tarball (an emulator, embedded PostgreSQL), sets the
 * environment the README names, runs the example and checks what it did. A run fails on a non-zero
 * exit, missing expected output, or any of its secret values in the output. `--verbose` prints the
 * output of passing checks too; name packages to check only those. `--jobs=<n>` checks n packages
 * at once (default 2: installs wait on the network and the disk while the other's tsc computes);
 * each package's rows are printed together when it is done. `--tarballs=<dir>` packs into a
 * directory that outlives the run and reuses the tarballs already in it (one pack per CI run).
 *
 * Runs on the Node.js that runs this script (CI calls it once per line). A package whose `engines`
 * exclude this line is reported as excluded (not run, not counted), and so is one install line that
 * names such a package (the CLI's optional `@latchkey/google` on Node.js 20). One shared npm cache
 * (.tmp/npm-cache) keeps repeated runs fast. Prints one row per package and check, then
 * `N passed, M failed`.
 */
import { spawn } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const { CASES, TOOLCHAIN } = await import(
  pathToFileURL(join(root, 'test', 'install-lines', 'cases.mjs')).href
)
const major = Number(process.versions.node.split('.')[0])
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'))
/** `--verbose`: print the output of passing checks too (the runs' output never holds a value). */
const verbose = process.argv.includes('--verbose')
const npmCache = join(root, '.tmp', 'npm-cache')
const env = { ...process.env, npm_config_cache: npmCache, npm_config_update_notifier: 'false' }

const RESOLUTIONS = {
  node16: { module: 'node16', moduleResolution: 'node16' },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
}

/** Runs a command to its end without blocking the event loop, so two packages can be checked at once. */
function sh(command, args, cwd, { timeout = 300_000, extraEnv = {} } = {}) {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...env, ...extraEnv }, timeout, killSignal: 'SIGKILL' })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    child.on('error', (error) => (out += String(error)))
    child.on('close', (code, signal) =>
      resolve({ ok: code === 0, code, signal, out, ms: Date.now() - started }),
    )
  })
}

/** Runs `task` over `items`, at most `jobs` at a time; resolves when all are done. */
async function pool(items, jobs, task) {
  const queue = [...items]
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item)
  }
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker))
}

/**
 * The `npm install` lines a user runs from the Install section's first block: the first group of
 * lines (a comment line starts the next group, an alternative such as `# Express 4`, unless it
 * starts with `# plus`, which continues the group). A group whose comment names a Node.js line
 * (`# Node.js 20: …`) is used on that line instead of the first group.
 */
function installLines(readme) {
  const section = /^## Install\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? ''
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  const groups = [{ comment: '', lines: [] }]
  for (const raw of block.split('\n')) {
    const line = raw.trim()
    if (line.startsWith('#') && !line.startsWith('# plus')) {
      if ((groups.at(-1)?.lines.length ?? 0) > 0 || groups.length === 1)
        groups.push({ comment: line, lines: [] })
      else groups[groups.length - 1].comment = line
    } else if (line.startsWith('npm install ')) {
      groups[groups.length - 1].lines.push(line)
    }
  }
  const filled = groups.filter((g) => g.lines.length > 0)
  const forThisLine = filled.find((g) => new RegExp(`Node\\.js ${major}\\b`).test(g.comment))
  const general = filled.find((g) => !/Node\.js \d+/.test(g.comment) || /and later/.test(g.comment))
  return (forThisLine ?? general)?.lines ?? []
}

/** The first ```ts block after `## Usage`, with its snippet-preamble comment. */
function firstExample(readme) {
  const usage = readme.slice(readme.search(/^## Usage/m))
  const match = /(?:<!--\s*snippet-preamble:([\s\S]*?)-->\n)?```(?:ts|typescript)\n([\s\S]*?)```/.exec(usage)
  return match ? { preamble: match[1]?.trim() ?? '', code: match[2] } : undefined
}

function enginesOf(name) {
  return JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')).engines?.node
}

function satisfiesEngines(range) {
  const min = /^>=\s*(\d+)/.exec(range ?? '')
  return !min || major >= Number(min[1])
}

const work = mkdtempSync(join(tmpdir(), `latchkey-install-lines-node${major}-`))
// `--tarballs=<dir>`: pack into <dir> and keep it, reusing a tarball already there (node-matrix
// passes one directory to every Node.js line, so the packages are packed once per CI run).
const tarballsFlag = process.argv.find((a) => a.startsWith('--tarballs='))?.slice('--tarballs='.length)
const tarballs = tarballsFlag ?? join(work, 'tarballs')
mkdirSync(tarballs, { recursive: true })
/** `--jobs=<n>`: packages checked at once (default 2, one per core of the CI machine). */
const jobs = Math.max(1, Number(process.argv.find((a) => a.startsWith('--jobs='))?.slice(7) ?? 2) || 1)
const names = readdirSync(join(root, 'packages')).filter(
  (n) => CASES[n] && (only.length === 0 || only.includes(n)),
)
const packed = {}
const packStarted = Date.now()
const tarballOf = (name) => readdirSync(tarballs).find((f) => f.startsWith(`latchkey-${name}-`))
let packedHere = 0
await pool(readdirSync(join(root, 'packages')), jobs, async (name) => {
  if (tarballOf(name) === undefined) {
    const r = await sh('pnpm', ['pack', '--pack-destination', tarballs], join(root, 'packages', name))
    packedHere++
    if (!r.ok || tarballOf(name) === undefined) {
      console.error(r.out)
      throw new Error(`pnpm pack failed in packages/${name}`)
    }
  }
  packed[`@latchkey/${name}`] = join(tarballs, tarballOf(name))
})
console.log(
  packedHere > 0
    ? `packed ${packedHere} packages in ${((Date.now() - packStarted) / 1000).toFixed(1)} s`
    : `reused the ${Object.keys(packed).length} tarballs in ${tarballs}`,
)

const rows = []
/** One package's rows and output, printed together when it is done (two run at once). */
function reporter(name) {
  const lines = []
  return {
    log: (line) => lines.push(line),
    record(check, ok, ms, detail = '', note = '') {
      rows.push({ name, check, ok, ms })
      lines.push(`${ok ? 'PASS' : 'FAIL'} ${name} ${check} (${note}${(ms / 1000).toFixed(1)} s)`)
      if ((!ok || verbose) && detail) lines.push(detail.split('\n').slice(-40).join('\n'))
    },
    flush: () => console.log(lines.join('\n')),
  }
}

async function checkPackage(name, report) {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'))
  if (!satisfiesEngines(pkg.engines?.node)) {
    report.log(`---- ${name}: engines ${pkg.engines.node} exclude Node.js ${major}; not installed here`)
    return
  }
  const readme = readFileSync(join(root, 'packages', name, 'README.md'), 'utf8')
  const commands = installLines(readme)
  const example = firstExample(readme)
  const spec = CASES[name]
  const dir = join(work, name)
  mkdirSync(dir)
  // The tarballs stand in for the registry: the named packages and the @latchkey/* dependencies
  // they pull in (`@latchkey/core` of `@latchkey/testing`, say) all come from this checkout.
  // (npm refuses an override of a package the command names itself, so those are left out.)
  const named = new Set(commands.flatMap((line) => line.split(/\s+/)))
  const overrides = Object.fromEntries(
    Object.entries(packed)
      .filter(([id]) => !named.has(id))
      .map(([id, file]) => [id, `file:${file}`]),
  )
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `try-${name}`, private: true, type: 'module', overrides }),
  )
  if (commands.length === 0 || !example) {
    report.record('README has an install line and a first example', false, 0)
    return
  }
  let installed = true
  for (const line of commands) {
    const excluded = line
      .split(/\s+/)
      .filter((word) => packed[word] !== undefined)
      .find((id) => !satisfiesEngines(enginesOf(id.slice('@latchkey/'.length))))
    if (excluded !== undefined) {
      report.log(
        `---- ${name}: \`${line}\` names ${excluded}, whose engines (${enginesOf(excluded.slice('@latchkey/'.length))}) exclude Node.js ${major}; not installed here`,
      )
      continue
    }
    const words = line
      .replace(/#.*$/, '')
      .trim()
      .split(/\s+/)
      .slice(2)
      .map((w) => packed[w] ?? w)
    const install = await sh(
      'npm',
      ['install', '--engine-strict', '--no-audit', '--no-fund', '--prefer-offline', ...words],
      dir,
    )
    report.record(`install: ${line}`, install.ok, install.ms, install.out)
    installed &&= install.ok
  }
  if (!installed) return
  const extra = [...TOOLCHAIN(major), ...(spec.runWith ?? []).map((w) => packed[w] ?? w)]
  // npm refuses an override of a package the command names, so a tarball named here leaves them.
  const runWithPacked = (spec.runWith ?? []).filter((w) => packed[w] !== undefined)
  if (runWithPacked.length > 0) {
    const manifestPath = join(dir, 'package.json')
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
    for (const id of runWithPacked) delete manifest.overrides[id]
    writeFileSync(manifestPath, JSON.stringify(manifest))
  }
  const tools = await sh(
    'npm',
    ['install', '--no-save', '--no-audit', '--no-fund', '--prefer-offline', ...extra],
    dir,
  )
  if (!tools.ok) {
    report.record('toolchain install', false, tools.ms, tools.out)
    return
  }
  const source = `${example.preamble}\n${spec.prelude ?? ''}\n${example.code}\nexport {}\n`
  writeFileSync(join(dir, 'example.ts'), source)
  const configs = Object.entries(RESOLUTIONS).map(([label, resolution]) => {
    const tsconfig = {
      compilerOptions: {
        target: 'es2022',
        lib: ['es2023'],
        types: ['node'],
        strict: true,
        skipLibCheck: false,
        outDir: `out-${label}`,
        ...resolution,
        ...(spec.compilerOptions ?? {}),
      },
      files: ['example.ts'],
    }
    writeFileSync(join(dir, `tsconfig.${label}.json`), JSON.stringify(tsconfig, null, 2))
    return { label, file: `tsconfig.${label}.json` }
  })
  // One `tsc -b` builds the three configs in one process (lib and node_modules declarations are
  // read once, not three times); it checks and emits each config in full, as `tsc -p` would.
  // When it fails, each config runs alone so the failing rows name their resolution mode.
  const tsc = join(dir, 'node_modules', 'typescript', 'bin', 'tsc')
  const all = await sh(process.execPath, [tsc, '-b', ...configs.map((c) => c.file)], dir)
  for (const { label, file } of configs) {
    const check = `tsc strict, moduleResolution ${label}`
    if (all.ok) report.record(check, true, all.ms, '', 'one tsc -b of the three: ')
    else {
      const one = await sh(process.execPath, [tsc, '-p', file], dir)
      report.record(check, one.ok, one.ms, one.out)
    }
  }
  if (spec.run) {
    const run = spec.run()
    // A harness (test/install-lines/harness/<name>.mjs) starts the backend the example needs from
    // the installed @latchkey/testing, runs the example with the environment the README names and
    // checks what it did; without one, the example runs on its own with `run.env`.
    let args = [join(dir, 'out-nodenext', 'example.js')]
    if (run.harness) {
      for (const file of ['lib.mjs', run.harness]) {
        copyFileSync(join(root, 'test', 'install-lines', 'harness', file), join(dir, file))
      }
      args = [join(dir, run.harness)]
    }
    const r = await sh(process.execPath, args, dir, {
      timeout: 120_000,
      extraEnv: {
        ...run.env,
        ILK_SEED: JSON.stringify(run.seed ?? {}),
        ILK_EXAMPLE: join(dir, 'out-nodenext', 'example.js'),
      },
    })
    const out = r.out
    const missing = (run.expect ?? []).filter((text) => !out.includes(text))
    // The values the run handed out (its environment and the harness's seed) never appear.
    const leaked = [...Object.values(run.seed ?? {}), ...(run.secretEnv ?? []).map((k) => run.env[k])].filter(
      (v) => typeof v === 'string' && v.length > 0 && out.includes(v),
    ).length
    const ok = r.ok && missing.length === 0 && leaked === 0
    const why = [
      r.ok ? '' : `exit ${r.code ?? r.signal}`,
      ...missing.map((text) => `missing output: ${text}`),
      leaked > 0 ? `${leaked} secret value(s) in the output (not shown)` : '',
    ].filter(Boolean)
    const shown = leaked > 0 ? '(output withheld: it holds a secret value)' : out
    report.record(
      `${run.label ?? 'runs the first example'} (${run.what})`,
      ok,
      r.ms,
      `${why.join('\n')}\n${shown}`,
    )
  }
}

const started = Date.now()
await pool(names, jobs, async (name) => {
  const report = reporter(name)
  try {
    await checkPackage(name, report)
  } catch (error) {
    report.record('the check itself', false, 0, String(error?.stack ?? error))
  }
  report.flush()
})

rmSync(work, { recursive: true, force: true })
const passed = rows.filter((r) => r.ok).length
console.log(
  `\ninstall lines on Node.js ${process.version}: ${rows.length} checks, ${names.length} packages ${jobs} at a time, in ${((Date.now() - started) / 1000).toFixed(1)} s`,
)
console.log(`${passed} passed, ${rows.length - passed} failed`)
process.exit(passed === rows.length ? 0 : 1)
