import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  paginateGetParametersByPath,
  SSMClient,
  type SSMServiceException,
} from '@aws-sdk/client-ssm'
import { canary, emulatorHooks, rejectionOf } from '@latchkey/test-support'
import { afterAll, describe, expect, it } from 'vitest'
import { type ParameterStoreEmulator, startParameterStoreEmulator } from './index.js'

let emulator: ParameterStoreEmulator
let client: SSMClient
let counter = 0
const unique = (label: string) => `/sdk/${label}-${++counter}`

emulatorHooks(startParameterStoreEmulator, {
  started: (started) => {
    emulator = started
    client = new SSMClient({ ...emulator.clientConfig, maxAttempts: 1 })
  },
})
afterAll(() => client.destroy())

const rejection = (promise: Promise<unknown>) => rejectionOf<SSMServiceException>(promise)

describe('the real @aws-sdk/client-ssm against the emulator', () => {
  it('puts and reads a String parameter with its version, ARN and date', async () => {
    const name = unique('string')
    const value = canary('string')
    const put = await client.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String' }))
    expect(put).toMatchObject({ Version: 1, Tier: 'Standard' })
    const { Parameter } = await client.send(new GetParameterCommand({ Name: name }))
    expect(Parameter).toMatchObject({
      Name: name,
      Type: 'String',
      Value: value,
      Version: 1,
      ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`,
      DataType: 'text',
    })
    expect(Parameter?.LastModifiedDate).toBeInstanceOf(Date)
    expect(emulator.calls('GetParameter')[0]).toMatchObject({
      names: [name],
      status: 200,
      sdkRequest: 'attempt=1; max=1',
    })
  })

  it('refuses to overwrite without Overwrite, and keeps the type of an overwritten parameter', async () => {
    const name = unique('overwrite')
    await client.send(new PutParameterCommand({ Name: name, Value: canary('v1'), Type: 'SecureString' }))
    const exists = await rejection(client.send(new PutParameterCommand({ Name: name, Value: canary('v2') })))
    expect(exists.name).toBe('ParameterAlreadyExists')
    const second = await client.send(
      new PutParameterCommand({ Name: name, Value: canary('v2'), Overwrite: true }),
    )
    expect(second.Version).toBe(2)
    const mismatch = await rejection(
      client.send(new PutParameterCommand({ Name: name, Value: 'x', Type: 'String', Overwrite: true })),
    )
    expect(mismatch.name).toBe('HierarchyTypeMismatchException')
    expect(emulator.versions(name).map((v) => [v.version, v.type])).toEqual([
      [1, 'SecureString'],
      [2, 'SecureString'],
    ])
  })

  it('returns a SecureString decrypted only WithDecryption, and an opaque stand-in otherwise', async () => {
    const name = unique('secure')
    const value = canary('secure')
    emulator.putParameter(name, value, { type: 'SecureString' })
    const plain = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }))
    expect(plain.Parameter?.Value).toBe(value)
    const sealed = await client.send(new GetParameterCommand({ Name: name }))
    expect(sealed.Parameter?.Type).toBe('SecureString')
    expect(sealed.Parameter?.Value).toMatch(/^[A-Za-z0-9+/]+=*$/)
    expect(sealed.Parameter?.Value).not.toContain(value)
    const again = await client.send(new GetParameterCommand({ Name: name, WithDecryption: false }))
    expect(again.Parameter?.Value).toBe(sealed.Parameter?.Value)
  })

  it('selects versions and labels with name:version and name:label', async () => {
    const name = unique('select')
    const first = canary('first')
    emulator.putParameter(name, first)
    emulator.rotate(name, canary('second'))
    const labelled = await client.send(
      new LabelParameterVersionCommand({ Name: name, ParameterVersion: 1, Labels: ['prod', '1bad', 'awsx'] }),
    )
    expect(labelled).toMatchObject({ ParameterVersion: 1, InvalidLabels: ['1bad', 'awsx'] })
    const byVersion = await client.send(new GetParameterCommand({ Name: `${name}:1` }))
    expect(byVersion.Parameter).toMatchObject({ Name: name, Value: first, Version: 1, Selector: ':1' })
    const byLabel = await client.send(new GetParameterCommand({ Name: `${name}:prod` }))
    expect(byLabel.Parameter).toMatchObject({ Version: 1, Selector: ':prod' })
    expect((await rejection(client.send(new GetParameterCommand({ Name: `${name}:9` })))).name).toBe(
      'ParameterVersionNotFound',
    )
    expect((await rejection(client.send(new GetParameterCommand({ Name: `${name}:a:b` })))).name).toBe(
      'ValidationException',
    )
    // moving the label
    await client.send(new LabelParameterVersionCommand({ Name: name, Labels: ['prod'] }))
    expect(emulator.versions(name).map((v) => v.labels)).toEqual([[], ['prod']])
  })

  it('GetParameters answers up to 10 names, listing unknown ones in InvalidParameters', async () => {
    const names = [unique('many-a'), unique('many-b')]
    for (const name of names) emulator.putParameter(name, canary('many'))
    const missing = unique('missing')
    const reply = await client.send(
      new GetParametersCommand({ Names: [names[1] as string, missing, names[0] as string] }),
    )
    expect(reply.Parameters?.map((p) => p.Name)).toEqual([...names].sort())
    expect(reply.InvalidParameters).toEqual([missing])
    const eleven = Array.from({ length: 11 }, (_, i) => `/sdk/eleven-${i}`)
    const tooMany = await rejection(client.send(new GetParametersCommand({ Names: eleven })))
    expect(tooMany.name).toBe('ValidationException')
    expect(tooMany.message).toContain('less than or equal to 10')
  })

  it('GetParametersByPath pages 10 at a time with NextToken, one level or recursively', async () => {
    const root = unique('tree')
    for (let i = 0; i < 12; i++)
      emulator.putParameter(`${root}/leaf${String(i).padStart(2, '0')}`, canary('leaf'))
    emulator.putParameter(`${root}/deep/down/value`, canary('deep'))
    const pages: string[][] = []
    for await (const page of paginateGetParametersByPath({ client }, { Path: root, Recursive: true })) {
      pages.push((page.Parameters ?? []).map((p) => p.Name as string))
    }
    expect(pages.map((p) => p.length)).toEqual([10, 3])
    expect(pages.flat()[0]).toBe(`${root}/deep/down/value`)
    const flat: string[] = []
    for await (const page of paginateGetParametersByPath({ client }, { Path: `${root}/` })) {
      flat.push(...(page.Parameters ?? []).map((p) => p.Name as string))
    }
    expect(flat).toHaveLength(12)
    const tooBig = await rejection(
      client.send(
        new (await import('@aws-sdk/client-ssm')).GetParametersByPathCommand({ Path: root, MaxResults: 11 }),
      ),
    )
    expect(tooBig.name).toBe('ValidationException')
  })

  it('reads a referenced Secrets Manager secret only WithDecryption, by stage or version id', async () => {
    const id = `ref-${++counter}`
    const first = emulator.putReferencedSecret(id, canary('ref1'))
    const current = canary('ref2')
    emulator.putReferencedSecret(id, current)
    const name = `/aws/reference/secretsmanager/${id}`
    const read = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }))
    expect(read.Parameter).toMatchObject({ Name: name, Type: 'SecureString', Value: current })
    expect(read.Parameter?.Version).toBeUndefined()
    expect(JSON.parse(read.Parameter?.SourceResult ?? '{}')).toMatchObject({ VersionStages: ['AWSCURRENT'] })
    const previous = await client.send(
      new GetParameterCommand({ Name: `${name}:AWSPREVIOUS`, WithDecryption: true }),
    )
    expect(JSON.parse(previous.Parameter?.SourceResult ?? '{}').VersionId).toBe(first.versionId)
    const sealed = await rejection(client.send(new GetParameterCommand({ Name: name })))
    expect(sealed.name).toBe('ValidationException')
    expect(sealed.message).toBe('WithDecryption flag must be True for retrieving a Secret Manager secret.')
    const batch = await client.send(
      new GetParametersCommand({ Names: [name, `${name}:AWSPREVIOUS`, `${name}:NOPE`] }),
    )
    expect(batch.Parameters).toEqual([])
    expect(batch.InvalidParameters).toHaveLength(3)
    const decrypted = await client.send(
      new GetParametersCommand({
        Names: [name, `${name}:AWSPREVIOUS`, `${name}:NOPE`],
        WithDecryption: true,
      }),
    )
    expect(decrypted.Parameters?.map((p) => p.Selector)).toEqual([undefined, ':AWSPREVIOUS'])
    expect(decrypted.InvalidParameters).toEqual([`${name}:NOPE`])
  })

  it('deletes, and a missing parameter is ParameterNotFound', async () => {
    const name = unique('delete')
    emulator.putParameter(name, canary('delete'))
    await client.send(new DeleteParameterCommand({ Name: name }))
    const gone = await rejection(client.send(new GetParameterCommand({ Name: name })))
    expect(gone.name).toBe('ParameterNotFound')
    expect(gone.$metadata.httpStatusCode).toBe(400)
    expect((await rejection(client.send(new DeleteParameterCommand({ Name: name })))).name).toBe(
      'ParameterNotFound',
    )
  })

  it('refuses names the service refuses', async () => {
    const put = (Name: string) =>
      rejection(client.send(new PutParameterCommand({ Name, Value: 'x', Type: 'String' })))
    expect((await put('ssm-thing')).name).toBe('ValidationException')
    expect((await put('AWSconfig')).name).toBe('ValidationException')
    expect((await put('/aws/mine/x')).name).toBe('AccessDeniedException')
    expect((await put('has space')).name).toBe('ValidationException')
    expect((await put('no/leading/slash')).name).toBe('ValidationException')
    expect((await put(`/${Array.from({ length: 16 }, (_, i) => `l${i}`).join('/')}`)).name).toBe(
      'HierarchyLevelLimitExceededException',
    )
    expect((await put(`/${'n'.repeat(1000)}`)).name).toBe('ValidationException')
  })
})

describe('Regions and faults', () => {
  it('keeps each Region apart, by the Region the client signs for', async () => {
    const name = unique('region')
    emulator.putParameter(name, canary('west'), { region: 'eu-west-1' })
    const west = new SSMClient({ ...emulator.clientConfig, region: 'eu-west-1', maxAttempts: 1 })
    try {
      expect((await west.send(new GetParameterCommand({ Name: name }))).Parameter?.ARN).toContain(
        ':eu-west-1:',
      )
      expect((await rejection(client.send(new GetParameterCommand({ Name: name })))).name).toBe(
        'ParameterNotFound',
      )
      expect(emulator.calls().map((c) => c.region)).toEqual(['eu-west-1', 'us-east-1'])
    } finally {
      west.destroy()
    }
  })

  it('answers injected faults with the service error names and statuses', async () => {
    const name = unique('faults')
    emulator.putParameter(name, canary('faults'))
    const get = () => rejection(client.send(new GetParameterCommand({ Name: name })))
    emulator.faults.fail('throttling')
    expect(await get()).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })
    emulator.faults.fail('tooManyUpdates')
    expect((await get()).name).toBe('TooManyUpdates')
    emulator.faults.fail('internal')
    expect(await get()).toMatchObject({ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } })
    emulator.faults.fail('kmsAccessDenied')
    const kms = await get()
    expect(kms.name).toBe('AccessDeniedException')
    expect(kms.message).toContain('AWSKMS')
    emulator.faults.fail('unavailable')
    expect((await get()).$metadata.httpStatusCode).toBe(503)
    emulator.faults.drop({ operation: 'GetParameter' })
    expect((await get()).name).not.toBe('ParameterNotFound')
    expect(emulator.calls().map((c) => c.fault)).toEqual([
      'throttling',
      'tooManyUpdates',
      'internal',
      'kmsAccessDenied',
      'unavailable',
      'drop',
    ])
    expect(emulator.faults.pending).toBe(0)
    expect((await client.send(new GetParameterCommand({ Name: name }))).Parameter?.Name).toBe(name)
  })

  it('checks fault arguments (InvalidOptionsError)', () => {
    expect(() => emulator.faults.fail('nope' as 'internal')).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_INVALID_OPTIONS' }),
    )
    expect(() => emulator.faults.drop({ operation: 'GetSecretValue' as 'GetParameter' })).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_INVALID_OPTIONS' }),
    )
    expect(() => emulator.faults.setLatency(-1)).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_INVALID_OPTIONS' }),
    )
  })
})
