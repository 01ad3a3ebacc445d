import { describe, expect, it } from 'vitest'
import { fromSecretId, parseSecretName, toSecretId } from './names.js'

const S = 'google-secret-manager'

describe('secret names', () => {
  it('maps each "/" to "__" and back', () => {
    for (const [name, id] of [
      ['db/password', 'db__password'],
      ['app/prod/db-creds', 'app__prod__db-creds'],
      ['API_KEY', 'API_KEY'],
      ['a-b_c/d9', 'a-b_c__d9'],
    ]) {
      expect(toSecretId(name as string)).toBe(id)
      expect(fromSecretId(id as string)).toBe(name)
    }
  })

  it.each([
    ['db.password', 'characters'],
    ['db password', 'characters'],
    ['db:password', 'characters'],
    ['ünïcode', 'characters'],
    ['/db', 'empty path segment'],
    ['db/', 'empty path segment'],
    ['db//x', 'empty path segment'],
    ['db__x', 'reversibly'],
    ['db_/x', 'reversibly'],
    ['db/_x', 'reversibly'],
    ['x'.repeat(256), 'limit is 255'],
    ['a/'.repeat(100).concat('b'), 'limit is 255'],
  ])('rejects %j with ERR_SECRET_INVALID_NAME explaining the rule', (name, why) => {
    let error: unknown
    try {
      toSecretId(name)
    } catch (caught) {
      error = caught
    }
    expect(error).toMatchObject({
      code: 'ERR_SECRET_INVALID_NAME',
      transient: false,
      secretName: name,
      source: S,
    })
    expect((error as Error).message).toContain(why)
  })

  it('accepts 255 characters after mapping', () => {
    expect(toSecretId('x'.repeat(255))).toHaveLength(255)
  })

  it('splits name@version: latest or a number from 1; without @ the default version', () => {
    expect(parseSecretName('db/password', 'latest', S)).toEqual({
      secretId: 'db__password',
      version: 'latest',
    })
    expect(parseSecretName('db/password', '4', S)).toEqual({ secretId: 'db__password', version: '4' })
    expect(parseSecretName('db/password@5', 'latest', S)).toEqual({ secretId: 'db__password', version: '5' })
    expect(parseSecretName('db/password@latest', '3', S)).toEqual({
      secretId: 'db__password',
      version: 'latest',
    })
    for (const bad of ['db@0', 'db@01', 'db@-1', 'db@', 'db@v2', 'db@1.5', '@3', 'a@b@3']) {
      expect(() => parseSecretName(bad, 'latest', S), bad).toThrow(
        expect.objectContaining({ code: 'ERR_SECRET_INVALID_NAME' }),
      )
    }
  })
})
