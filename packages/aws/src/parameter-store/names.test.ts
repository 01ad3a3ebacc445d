import { ErrorCode, type SecretError } from '@latchkey/core'
import { describe, expect, it } from 'vitest'
import { parseParameterName } from './names.js'

const parse = (name: string) => parseParameterName(name, 'aws-parameter-store')

function rejection(name: string): SecretError {
  try {
    parse(name)
  } catch (error) {
    return error as SecretError
  }
  throw new Error(`expected ${name} to be rejected`)
}

describe('parameter names', () => {
  it.each([
    ['plain', { kind: 'parameter' }],
    ['/app/db/password', { kind: 'parameter' }],
    ['/app/db/password:3', { kind: 'parameter' }],
    ['/app/db/password:prod', { kind: 'parameter', label: 'prod' }],
    ['a.b-c_d', { kind: 'parameter' }],
    ['/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64', { kind: 'parameter' }],
    ['arn:aws:ssm:eu-west-1:123456789012:parameter/app/db:2', { kind: 'parameter' }],
    ['/aws/reference/secretsmanager/db/creds', { kind: 'reference' }],
    ['/aws/reference/secretsmanager/db+x=y@z:AWSPREVIOUS', { kind: 'reference' }],
    ['/app/', { kind: 'path', path: '/app', prefix: '/app/' }],
    ['/', { kind: 'path', path: '/', prefix: '/' }],
  ])('accepts %s', (name, ref) => {
    expect(parse(name)).toEqual(ref)
  })

  it.each([
    ['has space', 'may contain only'],
    ['emoji-\u{1F511}', 'may contain only'],
    ['no/leading/slash', 'must start with "/"'],
    ['/a//b', 'empty hierarchy level'],
    [`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`, 'more than 15'],
    [`/${'x'.repeat(1011)}`, 'longer than 1011'],
    ['ssm-config', 'starts with "ssm"'],
    ['/SSM/x', 'starts with "ssm"'],
    ['awsconfig', 'starts with "aws"'],
    ['/awsx/y', 'starts with "aws"'],
    ['/app/x:', 'malformed selector'],
    ['/app/x:1:2', 'malformed selector'],
    ['/app/x:0', 'below 1'],
    ['/app/x:1prod', 'cannot start with a digit'],
    ['/app/x:awsprod', 'cannot start with "aws"'],
    ['/app/x:pr od', '1–100 of the characters'],
    ['/app:1/', 'takes no :version'],
    ['app/', 'must start with "/"'],
    ['/aws/reference/secretsmanager/', 'lists Secrets Manager references'],
    ['/aws/reference/secretsmanager/x:a:b', 'malformed selector'],
    ['/aws/reference/secretsmanager/has space', 'names a Secrets Manager secret'],
    ['arn:aws:secretsmanager:us-east-1:123456789012:secret:x', 'not a Parameter Store ARN'],
    ['arn:aws:ssm:us-east-1:123456789012:parameter/app/', 'ARN ending in "/"'],
  ])('rejects %s with ERR_SECRET_INVALID_NAME (%s)', (name, reason) => {
    const error = rejection(name)
    expect(error.code).toBe(ErrorCode.INVALID_NAME)
    expect(error.transient).toBe(false)
    expect(error.secretName).toBe(name)
    expect(error.message).toContain(reason)
  })
})
