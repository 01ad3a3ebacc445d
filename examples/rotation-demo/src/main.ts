import { formatSummary, runDemo } from './demo.js'
import { HELP, parseOptions } from './options.js'

// The AWS SDK warns on every Node.js below 22 that future SDK releases will need 22; the demo runs
// on the Node.js 20 it supports today, so the notice would only clutter its live output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

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
