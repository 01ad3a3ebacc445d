import { InvalidOptionsError } from '@latchkey/core'
import { thrownBy } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { CloudSqlIamAuthSource } from './cloud-sql/source.js'
import { GoogleSecretManagerSource } from './google-secret-manager/source.js'

describe('unknown option names (google)', () => {
  it.each([
    [
      'GoogleSecretManagerSource',
      () => new GoogleSecretManagerSource({ project: 'p', clientOption: {} } as never),
      'clientOption',
      'clientOptions',
    ],
    [
      'GoogleSecretManagerSource',
      () => new GoogleSecretManagerSource({ projectId: 'p' } as never),
      'projectId',
      'project',
    ],
    [
      'CloudSqlIamAuthSource',
      () => new CloudSqlIamAuthSource({ username: 'app', expiryMarginMS: 1 } as never),
      'expiryMarginMS',
      'expiryMarginMs',
    ],
  ])('%s({ %s }) is ERR_SECRET_INVALID_OPTIONS naming the nearest option', (owner, build, key, nearest) => {
    const error = thrownBy(build, InvalidOptionsError)
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toBe(`${owner}: unknown option "${key}"; did you mean "${nearest}"?`)
  })
})
