import { LambdaExtensionSource, secrets, type WithSecretsContext } from '@latchkey/lambda'
import middy from '@middy/core'

export const handler = middy()
  .use(secrets({ source: new LambdaExtensionSource(), secrets: { apiKey: 'ssm:/prod/api-key' } }))
  .handler(async (event: { orderId: string }, context: WithSecretsContext<object, 'apiKey'>) => {
    const apiKey = context.secrets.apiKey.reveal()
    return { statusCode: 200, body: JSON.stringify({ orderId: event.orderId, signed: apiKey.length > 0 }) }
  })
