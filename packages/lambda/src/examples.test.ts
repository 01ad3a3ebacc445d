import { readFileSync } from 'node:fs'
import { canary } from '@latchkey/test-support'
import { type LambdaExtensionEmulator, startLambdaExtensionEmulator } from '@latchkey/testing'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { middyMajors, middyMajorsForThisNode, newestMiddyForThisNode } from '../test/middy-majors.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const context = () => ({ getRemainingTimeInMillis: () => 3_000, awsRequestId: 'example' })
let extension: LambdaExtensionEmulator
const newest = newestMiddyForThisNode()

beforeAll(async () => {
  extension = await startLambdaExtensionEmulator({ cacheTtl: 0 })
  extension.putSecret('prod/db', JSON.stringify({ username: 'orders', password: canary('example-db') }))
  extension.putParameter('/prod/api-key', canary('example-key'), { type: 'SecureString' })
  vi.stubEnv('AWS_SESSION_TOKEN', extension.env.AWS_SESSION_TOKEN)
  vi.stubEnv('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', extension.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT)
})
afterAll(async () => {
  vi.unstubAllEnvs()
  await extension.close()
})

/** The example file's code as the README shows it (the README quotes it whole). */
function quoted(file: string): string {
  return readFileSync(new URL(`../test/${file}`, import.meta.url), 'utf8').trim()
}

describe('the README examples (quoted verbatim from test/example-*.ts, run here against the extension emulator)', () => {
  it('plain handler: reads a secret and a parameter through the extension', async () => {
    expect(readme).toContain(quoted('example-handler.ts'))
    const { handler } = await import('../test/example-handler.js')
    const answer = await handler({ orderId: 'o-1' }, context())
    expect(JSON.parse(answer.body)).toEqual({ orderId: 'o-1', username: 'orders', signed: true })
    expect(extension.callCount('GetSecretValue')).toBe(1)
    expect(extension.callCount('GetParameter')).toBe(1)
    await handler({ orderId: 'o-2' }, context())
    expect(extension.callCount()).toBe(2)
    await handler.provider.close()
  })

  it(`middy handler, on @middy/core ${newest.version} (the newest major Node.js ${process.versions.node} admits)`, async () => {
    expect(readme).toContain(quoted('example-middy.ts'))
    // The example imports a bare `@middy/core`; vitest.config.ts resolves it to that major.
    const [bare, chosen] = await Promise.all([import('@middy/core'), import(newest.alias)])
    expect(bare.default).toBe(chosen.default)
    const { handler } = await import('../test/example-middy.js')
    const answer = await handler({ orderId: 'o-3' }, context() as never)
    expect(JSON.parse(answer.body)).toEqual({ orderId: 'o-3', signed: true })
  })

  it('the Node.js 22 and 24 lines run middy 7, the Node.js 20 line middy 6', () => {
    const node = Number(process.versions.node.split('.')[0])
    expect(newest.major).toBe(node >= 22 ? 7 : 6)
    expect(middyMajorsForThisNode().map((m) => m.major)).toEqual(node >= 22 ? [6, 7] : [6])
    const compatibility = /^## Compatibility\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? ''
    for (const m of middyMajors()) expect(compatibility).toContain(`\`@middy/core\` ${m.version}`)
  })
})
