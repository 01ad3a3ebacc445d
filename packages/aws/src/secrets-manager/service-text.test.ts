import type { CachedSecretProvider } from '@latchkey/core'
import { emulatorHooks } from '@latchkey/test-support'
import { type SecretsManagerEmulator, startSecretsManagerEmulator } from '@latchkey/testing'
import { serviceTextSuite } from '../../test/service-text.js'
import { AwsSecretsManagerSource } from '../index.js'

let sm: SecretsManagerEmulator
const providers: CachedSecretProvider[] = []
let counter = 0

emulatorHooks(startSecretsManagerEmulator, {
  started: (started) => {
    sm = started
  },
  providers,
})

serviceTextSuite(
  () => ({
    name: (label) => `${label}/${++counter}`,
    seed: (name, value) => sm.createSecret(name, value),
    source: () => new AwsSecretsManagerSource({ ...sm.clientConfig }),
    failOnce: (fault) => sm.faults.fail(fault),
    denyReadOnce: () => sm.faults.fail('accessDenied', { times: 1, operation: 'GetSecretValue' }),
    pending: () => sm.faults.pending,
    serverError: 'InternalServiceError',
  }),
  providers,
)
