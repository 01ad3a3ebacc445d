/**
 * Keeps a scrubbed line valid JSON. A secret that is a number (a PIN `482913` logged as a number)
 * stands in the line outside any string, and replacing it with the bare text `[REDACTED]` would
 * leave a line no JSON parser accepts. This puts such replacements in quotes.
 */
export function quoteBareReplacements(line: string, replacement: string): string {
  if (line.charCodeAt(0) !== 123 /* { */) return line
  let at = line.indexOf(replacement)
  if (at === -1) return line
  let out = ''
  let cursor = 0
  let inString = false
  let i = 0
  while (at !== -1) {
    // Walk to `at`, tracking whether it is inside a JSON string.
    for (; i < at; i++) {
      const code = line.charCodeAt(i)
      if (code === 92 /* \ */ && inString) i++
      else if (code === 34 /* " */) inString = !inString
    }
    if (i === at && !inString) {
      out += `${line.slice(cursor, at)}${JSON.stringify(replacement)}`
      cursor = at + replacement.length
    }
    i = Math.max(i, at + replacement.length)
    at = line.indexOf(replacement, i)
  }
  return cursor === 0 ? line : out + line.slice(cursor)
}
