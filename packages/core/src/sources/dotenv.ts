/**
 * The `.env` grammar of the `dotenv` package (its `parse()`), which the `dotenv` tests use as the
 * oracle. One entry: optional leading space, an optional `export `, a key of letters, digits, `_`,
 * `.` and `-`, then `=` (spaces around it allowed) or `:` followed by a space, then a value:
 * - single-, double- or back-quoted: up to the closing quote, **across lines**; a quote escaped with
 *   a backslash does not close it. Only double quotes expand `\n` and `\r`; nothing else is unescaped;
 * - otherwise up to the end of the line or the first `#`, trimmed;
 * then optional space and a `#` comment. Lines that are not entries are skipped; a later key wins.
 * A value that does not close its quote (or has text after it) is taken unquoted: up to the end
 * of its line, quotes kept.
 */
const KEY = String.raw`([\w.-]+)`
const SEPARATOR = String.raw`(?:\s*=\s*?|:\s+?)`
const quoted = (q: string) => String.raw`\s*${q}(?:\\${q}|[^${q}])*${q}`
const UNQUOTED = String.raw`[^#\r\n]+`
const VALUE = `(${quoted('"')}|${quoted("'")}|${quoted('`')}|${UNQUOTED})?`
const TAIL = String.raw`\s*(?:#.*)?$`
const ENTRY = String.raw`^\s*(?:export\s+)?${KEY}${SEPARATOR}${VALUE}${TAIL}`

const QUOTES = new Set(['"', "'", '`'])

/** Parses the text of a `.env` file with the dotenv grammar (see the module comment). */
export function parseDotenv(text: string): Map<string, string> {
  const result = new Map<string, string>()
  const source = text.replace(/\r\n?/g, '\n')
  // a fresh expression per call: a global RegExp carries its lastIndex
  const entry = new RegExp(ENTRY, 'gm')
  for (let match = entry.exec(source); match !== null; match = entry.exec(source)) {
    if (match[0].length === 0) entry.lastIndex++
    const key = match[1] as string
    let value = (match[2] ?? '').trim()
    const quote = value[0] ?? ''
    if (QUOTES.has(quote) && value.length >= 2 && value.endsWith(quote)) value = value.slice(1, -1)
    if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r')
    result.set(key, value)
  }
  return result
}
