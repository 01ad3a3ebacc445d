/**
 * Finds the character offset where `text` stops being valid JSON, without ever quoting it (V8's
 * own SyntaxError quotes the input and, on Node 20, usually gives no position). Returns
 * `undefined` when the text is valid JSON.
 */
export function jsonErrorPosition(text: string): number | undefined {
  let i = 0
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r'))
      i++
  }
  const fail = (): never => {
    throw i
  }
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail()
      i++
    }
  }
  const string = () => {
    i++
    while (i < text.length) {
      const ch = text.charCodeAt(i)
      if (ch === 0x22) {
        i++
        return
      }
      if (ch < 0x20) fail()
      if (ch === 0x5c) {
        i++
        const esc = text[i]
        if (esc === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) fail()
          i += 4
        } else if (esc === undefined || !'"\\/bfnrt'.includes(esc)) fail()
      }
      i++
    }
    fail()
  }
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
    if (match === null || match[0].length === 0) fail()
    i += (match as RegExpExecArray)[0].length
  }
  const value = (depth: number): void => {
    if (depth > 512) fail()
    ws()
    const ch = text[i]
    if (ch === '{') {
      i++
      ws()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        ws()
        if (text[i] !== '"') fail()
        string()
        ws()
        if (text[i] !== ':') fail()
        i++
        value(depth + 1)
        ws()
        if (text[i] === ',') i++
        else if (text[i] === '}') return void i++
        else fail()
      }
    }
    if (ch === '[') {
      i++
      ws()
      if (text[i] === ']') return void i++
      for (;;) {
        value(depth + 1)
        ws()
        if (text[i] === ',') i++
        else if (text[i] === ']') return void i++
        else fail()
      }
    }
    if (ch === '"') string()
    else if (ch === 't') literal('true')
    else if (ch === 'f') literal('false')
    else if (ch === 'n') literal('null')
    else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) number()
    else fail()
  }
  try {
    value(0)
    ws()
    return i === text.length ? undefined : i
  } catch (position) {
    return Math.min(position as number, text.length)
  }
}
