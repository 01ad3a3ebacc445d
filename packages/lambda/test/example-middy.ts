import { LambdaExtensionSource, type SecretHandles, secrets } from '@latchkey/lambda'
import middy from '@middy/core'

export const handler = middy<{ orderId: string }, { statusCode: number; body: string }>()
  .use(secrets({ source: new LambdaExtensionSource(), secrets: { apiKey: 'ssm:/prod/api-key' } }))
  .handler(async (event, context) => {
    const { apiKey } = (context as unknown as { secrets: SecretHandles<'apiKey'> }).secrets
    return {
      statusCode: 200,
      body: JSON.stringify({ orderId: event.orderId, signed: apiKey.reveal().length > 0 }),
    }
  })
