import { loadConfig } from '../config/load.js'
import { UsageError } from '../errors.js'
import { EXIT_CODES } from '../exit-codes.js'
import { type CliIo, paintFor, writeJson } from '../io.js'
import { MultiMatcher, type Pattern } from '../scan/matcher.js'
import { patternsFor } from '../scan/patterns.js'
import { type Finding, type PatternTag, readBuffers, scanFile, scanStream } from '../scan/scan-file.js'
import { type SkipNote, walkFiles } from '../scan/walk.js'
import { SecretLoader } from '../secret-loader.js'
import { type CommandSpec, parseCommand } from './args.js'
import { Progress } from './progress.js'

export const SCAN: CommandSpec = {
  name: 'scan',
  summary: 'Find the values of the configured secrets in files, directories and stdin; never prints a value.',
  usage: 'latchkey scan PATH… [-] [--progress] [--json]',
  options: { progress: { type: 'boolean' } },
  positionals: true,
  details: [
    'Loads every configured secret (and its previous version where the source keeps one) and looks',
    'for each in every form the scrubber knows (raw, JSON-escaped, URL and form encodings) in one',
    'pass per file. Prints file:line:column (byte column), the secret name, the form and the version.',
    '"-" reads stdin. Binary files (a NUL byte in the first 8,000 bytes) are skipped with a note;',
    'symlinks are followed only inside the tree given, each directory entered once; .git is skipped.',
    'Exit 1 when a value is found, 3 when nothing was found but some secrets could not be loaded.',
  ],
}

/** The `--json` shape of `scan` (stable; README "JSON output"). */
export interface ScanReport {
  found: boolean
  findings: Finding[]
  skipped: SkipNote[]
  binary: string[]
  /** Secrets that could not be loaded, so were not looked for. */
  unloaded: Array<{ name: string; status: string; code: string | null }>
  /** Secrets whose value is shorter than 6 characters, so were not looked for. */
  tooShort: string[]
  files: number
  bytes: number
}

async function buildMatcher(
  loader: SecretLoader,
  secrets: Awaited<ReturnType<typeof loadConfig>>['secrets'],
) {
  const outcomes = await Promise.all(
    secrets.map(async (secret) => {
      const current = await loader.load(secret)
      const previous = current.value === undefined ? undefined : await loader.previous(secret, current)
      return { secret, current, previous }
    }),
  )
  const patterns: Pattern<PatternTag>[] = []
  const unloaded: ScanReport['unloaded'] = []
  const tooShort: string[] = []
  const seen = new Set<string>()
  for (const { secret, current, previous } of outcomes) {
    if (current.value === undefined) {
      unloaded.push({ name: secret.name, status: current.status, code: current.code ?? null })
      continue
    }
    const now = patternsFor(secret.name, current.value, 'current', seen)
    patterns.push(...now.patterns)
    if (now.tooShort) tooShort.push(secret.name)
    if (previous !== undefined && previous !== current.value) {
      patterns.push(...patternsFor(secret.name, previous, 'previous', seen).patterns)
    }
  }
  return { matcher: new MultiMatcher(patterns), unloaded, tooShort }
}

export async function scan(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals: given } = parseCommand(SCAN, argv)
  const positionals = given as string[]
  if (positionals.length === 0)
    throw new UsageError('latchkey scan: give at least one PATH, or - for stdin (see latchkey scan --help)')
  const config = await loadConfig({
    cwd: io.cwd,
    ...(values.config === undefined ? {} : { file: values.config as string }),
  })
  const loader = new SecretLoader(config, io.env)
  let built: Awaited<ReturnType<typeof buildMatcher>>
  try {
    built = await buildMatcher(loader, config.secrets)
  } finally {
    await loader.close()
  }
  const report: ScanReport = {
    found: false,
    findings: [],
    skipped: [],
    binary: [],
    unloaded: built.unloaded,
    tooShort: built.tooShort,
    files: 0,
    bytes: 0,
  }
  const progress = new Progress(io.stderr, values.progress === true || io.stderr.isTTY === true)
  try {
    if (positionals.includes('-')) {
      const result = await scanStream(built.matcher, io.stdin, '<stdin>')
      for (const finding of result.findings) report.findings.push(finding)
      report.bytes += result.bytes
      report.files++
    }
    const paths = positionals.filter((p) => p !== '-')
    const buffers = readBuffers()
    for (const file of walkFiles(paths, io.cwd, (note) => report.skipped.push(note))) {
      let result: ReturnType<typeof scanFile>
      try {
        result = scanFile(built.matcher, file.path, file.shown, buffers)
      } catch {
        report.skipped.push({ path: file.shown, reason: 'unreadable' })
        continue
      }
      if (result.binary) report.binary.push(file.shown)
      for (const finding of result.findings) report.findings.push(finding)
      report.files++
      report.bytes += result.bytes
      progress.update(report.files, report.bytes)
    }
  } finally {
    progress.done()
  }
  report.found = report.findings.length > 0
  if (values.json === true) writeJson(io.stdout, report)
  else printReport(report, io)
  if (report.found) return EXIT_CODES.FAILED
  return report.unloaded.length > 0 ? EXIT_CODES.INCOMPLETE : EXIT_CODES.OK
}

function printReport(report: ScanReport, io: CliIo): void {
  const paint = paintFor(io.stdout, io.env)
  for (const f of report.findings) {
    io.stdout.write(
      `${paint.bold(`${f.file}:${f.line}:${f.column}`)}  ${paint.red(f.secret)}  ${f.form}${f.version === 'previous' ? ' (previous version)' : ''}\n`,
    )
  }
  const note = paintFor(io.stderr, io.env)
  for (const s of report.skipped) io.stderr.write(`${note.dim('skipped')} ${s.path}: ${s.reason}\n`)
  for (const b of report.binary) io.stderr.write(`${note.dim('skipped')} ${b}: binary file\n`)
  for (const u of report.unloaded)
    io.stderr.write(`${note.yellow('not scanned for')} ${u.name}: ${u.status} (${u.code})\n`)
  for (const t of report.tooShort)
    io.stderr.write(`${note.yellow('not scanned for')} ${t}: shorter than 6 characters\n`)
  const mb = (report.bytes / 1e6).toFixed(1)
  io.stderr.write(
    `${report.findings.length} finding${report.findings.length === 1 ? '' : 's'} in ${report.files} files (${mb} MB)\n`,
  )
}
