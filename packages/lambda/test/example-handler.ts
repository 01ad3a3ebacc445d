import { LambdaExtensionSource, withSecrets } from '@latchkey/lambda'

// Module scope runs once per sandbox, in the init phase.
export const handler = withSecrets(
  async (event: { orderId: string }, context) => {
    const { username } = context.secrets.db.json<{ username: string }>()
    const apiKey = context.secrets.apiKey.reveal() // synchronous, follows rotations
    return {
      statusCode: 200,
      body: JSON.stringify({ orderId: event.orderId, username, signed: apiKey.length > 0 }),
    }
  },
  {
    source: new LambdaExtensionSource(), // AWS_SESSION_TOKEN and PARAMETERS_SECRETS_EXTENSION_HTTP_PORT from Lambda
    secrets: { db: 'prod/db', apiKey: 'ssm:/prod/api-key' },
    ttl: 300_000, // reload after 5 minutes, checked at the start of each invocation
    maxStale: 3_600_000, // serve the last good value for up to an hour while the store fails
  },
)
