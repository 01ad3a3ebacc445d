import { Writable } from 'node:stream'
import { MemorySource, sharedRedactor } from '@latchkey/core'
import { redactSecrets } from '@latchkey/pino'
import { assertNoCanary, canary } from '@latchkey/test-support'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { withSecrets } from './index.js'

const context = () => ({ getRemainingTimeInMillis: () => 3_000, awsRequestId: 'log' })

function capture() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  return { lines, stream }
}

describe('a handler that logs a secret value (by mistake) writes [REDACTED]', () => {
  it('with pino and redactSecrets()', async () => {
    const value = canary('pino-log')
    const { lines, stream } = capture()
    const logger = pino(redactSecrets(), stream)
    const handler = withSecrets(
      async (_event: unknown, ctx) => {
        const key = ctx.secrets.apiKey.reveal()
        logger.info(
          { header: `Bearer ${key}`, url: `https://u:${encodeURIComponent(key)}@api.example` },
          `calling with ${key}`,
        )
        return 'done'
      },
      { source: new MemorySource({ 'prod/api-key': value }), secrets: { apiKey: 'prod/api-key' } },
    )
    expect(await handler({}, context())).toBe('done')
    const out = lines.join('')
    expect(out).toContain('[REDACTED]')
    assertNoCanary(out)
    expect(JSON.parse(lines[0] as string).msg).toBe('calling with [REDACTED]')
    await handler.provider.close()
  })

  it("with Powertools-style console output scrubbed by core's sharedRedactor()", async () => {
    const value = canary('console-log')
    const printedLines: string[] = []
    const scrub = (line: string) => sharedRedactor().redact(line)
    // what a Powertools Logger `logFormatter` (or any console-printing logger) hands to stdout
    const print = (entry: object) => printedLines.push(scrub(JSON.stringify({ level: 'INFO', ...entry })))
    const handler = withSecrets(
      async (_event: unknown, ctx) => {
        print({ message: 'token refreshed', token: ctx.secrets.token.reveal() })
        return 'ok'
      },
      { source: new MemorySource({ token: value }), secrets: { token: 'token' } },
    )
    await handler({}, context())
    expect(printedLines).toHaveLength(1)
    expect(JSON.parse(printedLines[0] as string).token).toBe('[REDACTED]')
    assertNoCanary(printedLines.join('\n'))
    await handler.provider.close()
  })
})
