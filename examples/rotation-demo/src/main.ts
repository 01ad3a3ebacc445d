import { formatSummary, runDemo } from './demo.js'
import { HELP, parseOptions } from './options.js'

let options: ReturnType<typeof parseOptions>
try {
  options = parseOptions(process.argv.slice(2))
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`)
  process.exit(2)
}
if (options === 'help') {
  process.stdout.write(HELP)
  process.exit(0)
}
try {
  const summary = await runDemo(options)
  process.stdout.write(formatSummary(summary))
  process.exit(summary.ok ? 0 : 1)
} catch (error) {
  process.stderr.write(`demo failed: ${(error as Error).stack ?? error}\n`)
  process.exit(1)
}
