/** Helpers shared by this package's tests (not part of the published API). */
import { Writable } from 'node:stream'
import { CachedSecretProvider, MemorySource, type SecretLogger } from '@latchkey/core'
import { vi } from 'vitest'

/** Characters that JSON escaping, URL encoding and pino's own string fast path all treat differently. */
export const ADVERSARIAL: Readonly<Record<string, string>> = {
  quotes: `"it's"`,
  backslashes: '\\a\\\\b\\',
  unicode: 'ünïcødé—ß',
  emoji: '😀🔑',
  percent: '%41%s%%',
  'url-reserved': '+/=&?#',
  spaces: ' a b ',
  newline: 'line\nbreak\ttab',
  everything: `"\\ü😀%+/=& \n`,
}

/** A destination that keeps everything pino writes. */
export function captureStream(): {
  stream: Writable
  text(): string
  lines(): Array<Record<string, unknown>>
} {
  const chunks: string[] = []
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: unknown, _encoding, callback) {
      chunks.push(String(chunk))
      callback()
    },
  })
  const text = () => chunks.join('')
  const lines = () =>
    text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
  return { stream, text, lines }
}

/** A provider over a MemorySource with `values` preloaded, and a logger spy. */
export async function loadedProvider(values: Record<string, string>): Promise<{
  provider: CachedSecretProvider
  source: MemorySource
  logger: SecretLogger & { warn: ReturnType<typeof vi.fn> }
}> {
  const source = new MemorySource(values)
  const logger = { warn: vi.fn() }
  const provider = new CachedSecretProvider(source, { logger })
  await provider.preload(Object.keys(values))
  return { provider, source, logger }
}

/** The last line written, parsed. */
export function lastLine(capture: ReturnType<typeof captureStream>): Record<string, unknown> {
  const all = capture.lines()
  const line = all[all.length - 1]
  if (line === undefined) throw new Error('nothing was logged')
  return line
}
