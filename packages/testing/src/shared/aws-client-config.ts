/** `endpoint`, `region`, `credentials` and `clientConfig` (the three together) of an AWS emulator. */
export function awsClientConfig(endpoint: string, region: string) {
  const credentials = {
    accessKeyId: 'AKIAEMULATOR00000000',
    secretAccessKey: 'emulator-secret-access-key',
  }
  return { endpoint, region, credentials, clientConfig: { endpoint, region, credentials } }
}
