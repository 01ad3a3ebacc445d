/**
 * Lines of the fields of a JSON document: `sources.main.region` → the 1-based line its key is on
 * (array elements: the line the element starts on). Runs on text `JSON.parse` has accepted, in one
 * pass, so a config error can name the line of the offending field.
 */
export function jsonFieldLines(text: string): Map<string, number> {
  const lines = new Map<string, number>()
  let at = 0
  let line = 1
  const skipSpace = () => {
    while (at < text.length) {
      const c = text[at]
      if (c === '\n') line++
      else if (c !== ' ' && c !== '\t' && c !== '\r') return
      at++
    }
  }
  const readString = (): string => {
    const start = at
    at++
    while (text[at] !== '"') at += text[at] === '\\' ? 2 : 1
    at++
    return JSON.parse(text.slice(start, at)) as string
  }
  const value = (path: string): void => {
    skipSpace()
    const c = text[at]
    if (c === '{') {
      at++
      skipSpace()
      if (text[at] === '}') {
        at++
        return
      }
      for (;;) {
        skipSpace()
        const keyLine = line
        const key = readString()
        const child = path === '' ? key : `${path}.${key}`
        lines.set(child, keyLine)
        skipSpace()
        at++ // ':'
        value(child)
        skipSpace()
        if (text[at++] === '}') return
      }
    }
    if (c === '[') {
      at++
      skipSpace()
      if (text[at] === ']') {
        at++
        return
      }
      for (let index = 0; ; index++) {
        skipSpace()
        const child = `${path}[${index}]`
        lines.set(child, line)
        value(child)
        skipSpace()
        if (text[at++] === ']') return
      }
    }
    if (c === '"') {
      readString()
      return
    }
    while (at < text.length && !/[\s,\]}]/.test(text[at] as string)) at++
  }
  value('')
  return lines
}

/** The line of `field`, or of its nearest parent that has one (a missing key is reported at its object). */
export function lineOf(lines: Map<string, number> | undefined, field: string): number | undefined {
  if (lines === undefined) return undefined
  let path = field
  for (;;) {
    const found = lines.get(path)
    if (found !== undefined) return found
    const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['))
    if (cut <= 0) return path === '' ? undefined : 1
    path = path.slice(0, cut)
  }
}
