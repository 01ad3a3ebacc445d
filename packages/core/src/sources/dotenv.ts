/**
 * Parses the text of a `.env` file: `KEY=value`, optional `export `, `#` comments, single or
 * double quotes (double quotes understand `\n`, `\t`, `\"` and `\\`).
 */
export function parseDotenv(text: string): Map<string, string> {
  const result = new Map<string, string>()
  const line = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*?)\s*$/
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue
    const match = line.exec(raw)
    if (match === null) continue
    const key = match[1] as string
    let value = match[2] as string
    const quote = value[0]
    if ((quote === '"' || quote === "'") && value.length >= 2 && value.endsWith(quote)) {
      value = value.slice(1, -1)
      if (quote === '"')
        value = value.replace(/\\([nrt"\\])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c)
    } else {
      const comment = value.search(/\s#/)
      if (comment !== -1) value = value.slice(0, comment).trimEnd()
    }
    result.set(key, value)
  }
  return result
}
