import { describe, expect, it } from 'vitest'
import { isAuthFailure } from './index.js'

describe('isAuthFailure', () => {
  it.each([
    ['28P01', true],
    ['28000', true],
    ['3D000', false],
    ['57P01', false],
    ['ECONNREFUSED', false],
  ])('code %s → %s', (code, expected) => {
    expect(isAuthFailure(Object.assign(new Error('x'), { code }))).toBe(expected)
  })

  it('is false for things without a string code', () => {
    expect(isAuthFailure(new Error('password authentication failed'))).toBe(false)
    expect(isAuthFailure(undefined)).toBe(false)
    expect(isAuthFailure({ code: 28 })).toBe(false)
  })
})
