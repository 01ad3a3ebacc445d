// lambda: the README handler imported once (init) with the extension emulator's environment, then
// invoked twice the way Lambda does, with a context whose deadline is 3 s away.

import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { startLambdaExtensionEmulator } from '@latchkey/testing/aws'
import { check, example, seed } from './lib.mjs'

const extension = await startLambdaExtensionEmulator()
extension.putSecret('prod/db', JSON.stringify({ username: 'app', password: seed.password }))
extension.putParameter('/prod/api-key', seed.key, { type: 'SecureString' })
Object.assign(process.env, extension.env)
try {
  const { handler } = await import(pathToFileURL(resolve(example)).href)
  for (const requestId of ['1', '2']) {
    const deadline = Date.now() + 3_000
    const context = {
      awsRequestId: requestId,
      functionName: 'orders',
      getRemainingTimeInMillis: () => deadline - Date.now(),
    }
    const answer = await handler({ orderId: `o-${requestId}` }, context)
    console.log(JSON.stringify(answer))
    check(answer.statusCode === 200, `invocation ${requestId} answered 200`)
    check(
      answer.body === `{"orderId":"o-${requestId}","username":"app","signed":true}`,
      `with the order, the user and signed: true`,
    )
  }
  check(extension.callCount('GetSecretValue') === 1, 'prod/db was read once over both invocations')
  check(extension.callCount('GetParameter') === 1, '/prod/api-key was read once')
} finally {
  await extension.close()
}
