/** Static credentials the emulator accepts (it does not check signatures). */
export interface EmulatorCredentials {
  accessKeyId: string
  secretAccessKey: string
}

/** What an AWS emulator hands an SDK client: `new <Service>Client({ ...emulator.clientConfig })`. */
export interface AwsEmulatorClientConfig {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  readonly endpoint: string
  /** The default Region. @default 'us-east-1' */
  readonly region: string
  /** Dummy static credentials for an SDK client (signatures are not checked). */
  readonly credentials: EmulatorCredentials
  /** `{ endpoint, region, credentials }`, ready for the service's SDK client. */
  readonly clientConfig: { endpoint: string; region: string; credentials: EmulatorCredentials }
}

/** `endpoint`, `region`, `credentials` and `clientConfig` (the three together) of an AWS emulator. */
export function awsClientConfig(endpoint: string, region: string): AwsEmulatorClientConfig {
  const credentials = {
    accessKeyId: 'AKIAEMULATOR00000000',
    secretAccessKey: 'emulator-secret-access-key',
  }
  return { endpoint, region, credentials, clientConfig: { endpoint, region, credentials } }
}
