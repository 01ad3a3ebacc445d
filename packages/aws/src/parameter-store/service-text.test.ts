import type { CachedSecretProvider } from '@latchkey/core'
import { emulatorHooks } from '@latchkey/test-support'
import { type ParameterStoreEmulator, startParameterStoreEmulator } from '@latchkey/testing'
import { serviceTextSuite } from '../../test/service-text.js'
import { AwsParameterStoreSource } from '../index.js'

let ps: ParameterStoreEmulator
const providers: CachedSecretProvider[] = []
let counter = 0

emulatorHooks(startParameterStoreEmulator, {
  started: (started) => {
    ps = started
  },
  providers,
})

serviceTextSuite(
  () => ({
    name: (label) => `/${label}/${++counter}`,
    seed: (name, value) => ps.putParameter(name, value),
    source: () => new AwsParameterStoreSource({ ...ps.clientConfig }),
    failOnce: (fault) => ps.faults.fail(fault),
    denyReadOnce: () => ps.faults.fail('accessDenied', { times: 1, operation: 'GetParameter' }),
    pending: () => ps.faults.pending,
    serverError: 'InternalServerError',
  }),
  providers,
)
