import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager'
import { canary, emulatorHooks, rejectionOf } from '@latchkey/test-support'
import { afterAll, describe, expect, it } from 'vitest'
import { type SecretsManagerEmulator, startSecretsManagerEmulator } from './index.js'

let emulator: SecretsManagerEmulator
let client: SecretsManagerClient
let counter = 0
const unique = (label: string) => `sdk/${label}-${++counter}`

emulatorHooks(startSecretsManagerEmulator, {
  started: (started) => {
    emulator = started
    client = new SecretsManagerClient({ ...emulator.clientConfig, maxAttempts: 1 })
  },
})
afterAll(() => client.destroy())

const rejection = (promise: Promise<unknown>) => rejectionOf<SecretsManagerServiceException>(promise)

describe('reading', () => {
  it('creates and reads a string secret by name and by ARN (full and partial)', async () => {
    const name = unique('read')
    const value = canary('read')
    const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: value }))
    expect(created.ARN).toMatch(
      new RegExp(`^arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-[A-Za-z0-9]{6}$`),
    )
    const byName = await client.send(new GetSecretValueCommand({ SecretId: name }))
    expect(byName.SecretString).toBe(value)
    expect(byName.VersionId).toBe(created.VersionId)
    expect(byName.VersionStages).toEqual(['AWSCURRENT'])
    expect(byName.CreatedDate).toBeInstanceOf(Date)
    expect(byName.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/)
    const byArn = await client.send(new GetSecretValueCommand({ SecretId: created.ARN }))
    expect(byArn.SecretString).toBe(value)
    const partial = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}`
    expect((await client.send(new GetSecretValueCommand({ SecretId: partial }))).Name).toBe(name)
  })

  it('returns binary secrets as Uint8Array', async () => {
    const name = unique('binary')
    const bytes = new Uint8Array([0, 255, 1, 254, 2, 253])
    await client.send(new CreateSecretCommand({ Name: name, SecretBinary: bytes }))
    const got = await client.send(new GetSecretValueCommand({ SecretId: name }))
    expect(got.SecretBinary).toBeInstanceOf(Uint8Array)
    expect([...(got.SecretBinary ?? [])]).toEqual([...bytes])
    expect(got.SecretString).toBeUndefined()
  })

  it('selects by VersionId and VersionStage, and rejects a mismatched pair', async () => {
    const name = unique('select')
    const first = emulator.createSecret(name, canary('v1'))
    const second = emulator.rotate(name, canary('v2'))
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }),
    )
    expect(previous.VersionId).toBe(first.versionId)
    const byId = await client.send(new GetSecretValueCommand({ SecretId: name, VersionId: second.versionId }))
    expect(byId.VersionStages).toEqual(['AWSCURRENT'])
    const mismatch = await rejection(
      client.send(
        new GetSecretValueCommand({
          SecretId: name,
          VersionId: second.versionId,
          VersionStage: 'AWSPREVIOUS',
        }),
      ),
    )
    expect(mismatch.name).toBe('InvalidRequestException')
    const noPending = await rejection(
      client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' })),
    )
    expect(noPending.name).toBe('ResourceNotFoundException')
  })
})

describe('staging labels', () => {
  it('PutSecretValue moves AWSCURRENT to the new version and AWSPREVIOUS to the old one', async () => {
    const name = unique('put')
    const v1 = emulator.createSecret(name, canary('v1')).versionId as string
    const put2 = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: canary('v2') }))
    expect(put2.VersionStages).toEqual(['AWSCURRENT'])
    expect(emulator.versions(name)).toEqual({
      [v1]: ['AWSPREVIOUS'],
      [put2.VersionId as string]: ['AWSCURRENT'],
    })
    const put3 = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: canary('v3') }))
    expect(emulator.versions(name)).toEqual({
      [put2.VersionId as string]: ['AWSPREVIOUS'],
      [put3.VersionId as string]: ['AWSCURRENT'],
    })
    const listed = await client.send(new ListSecretVersionIdsCommand({ SecretId: name }))
    expect(listed.Versions?.map((v) => v.VersionId)).toEqual([put2.VersionId, put3.VersionId])
    const all = await client.send(
      new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }),
    )
    expect(all.Versions?.find((v) => v.VersionId === v1)?.VersionStages).toEqual([])
  })

  it('gives the first version AWSCURRENT even when it is put with AWSPENDING', async () => {
    const name = unique('first')
    await client.send(new CreateSecretCommand({ Name: name }))
    const put = await client.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: canary('first'),
        VersionStages: ['AWSPENDING'],
      }),
    )
    expect(put.VersionStages?.sort()).toEqual(['AWSCURRENT', 'AWSPENDING'])
  })

  it('stages AWSPENDING without switching, then UpdateSecretVersionStage promotes it', async () => {
    const name = unique('pending')
    const v1 = emulator.createSecret(name, canary('v1')).versionId as string
    const pending = await client.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: canary('v2'),
        VersionStages: ['AWSPENDING'],
      }),
    )
    const v2 = pending.VersionId as string
    expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).VersionId).toBe(v1)

    const refused = await rejection(
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: v2,
        }),
      ),
    )
    expect(refused.name).toBe('InvalidParameterException')
    expect(refused.$metadata.httpStatusCode).toBe(400)

    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: v2,
        RemoveFromVersionId: v1,
      }),
    )
    expect(emulator.versions(name)).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSPENDING', 'AWSCURRENT'] })
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: v2,
      }),
    )
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }))
    expect(described.VersionIdsToStages).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] })
  })

  it('rolls back by moving AWSCURRENT to the AWSPREVIOUS version (the labels swap)', async () => {
    const name = unique('rollback')
    const v1 = emulator.createSecret(name, canary('v1')).versionId as string
    const v2 = emulator.rotate(name, canary('v2')).versionId
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: v1,
        RemoveFromVersionId: v2,
      }),
    )
    expect(emulator.versions(name)).toEqual({ [v1]: ['AWSCURRENT'], [v2]: ['AWSPREVIOUS'] })
    expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).VersionId).toBe(v1)
  })

  it('refuses to remove AWSCURRENT without moving it, and a RemoveFromVersionId that does not hold the label', async () => {
    const name = unique('refuse')
    const v1 = emulator.createSecret(name, canary('v1')).versionId as string
    const v2 = emulator.rotate(name, canary('v2')).versionId
    const remove = await rejection(
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSCURRENT',
          RemoveFromVersionId: v2,
        }),
      ),
    )
    expect(remove.name).toBe('InvalidParameterException')
    const wrong = await rejection(
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: v2,
          RemoveFromVersionId: v1,
        }),
      ),
    )
    expect(wrong.name).toBe('InvalidParameterException')
    expect(emulator.versions(name)).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] })
  })

  it('treats a repeated ClientRequestToken as idempotent, and different data under it as ResourceExists', async () => {
    const name = unique('idem')
    emulator.createSecret(name, canary('v1'))
    const token = '11111111-2222-3333-4444-555555555555'
    const value = canary('v2')
    const first = await client.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: value, ClientRequestToken: token }),
    )
    const again = await client.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: value, ClientRequestToken: token }),
    )
    expect(first.VersionId).toBe(token)
    expect(again.VersionId).toBe(token)
    expect(Object.keys(emulator.versions(name))).toHaveLength(2)
    const clash = await rejection(
      client.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: canary('other'),
          ClientRequestToken: token,
        }),
      ),
    )
    expect(clash.name).toBe('ResourceExistsException')
  })
})

describe('BatchGetSecretValue', () => {
  it('returns values and per-secret errors in one successful call', async () => {
    const good = unique('batch-good')
    const deleted = unique('batch-deleted')
    emulator.createSecret(good, canary('good'))
    emulator.createSecret(deleted, canary('deleted'))
    emulator.deleteSecret(deleted)
    const result = await client.send(
      new BatchGetSecretValueCommand({ SecretIdList: [good, 'sdk/nope', deleted] }),
    )
    expect(result.$metadata.httpStatusCode).toBe(200)
    expect(result.SecretValues?.map((v) => v.Name)).toEqual([good])
    expect(result.Errors?.map((e) => [e.SecretId, e.ErrorCode])).toEqual([
      ['sdk/nope', 'ResourceNotFoundException'],
      [deleted, 'InvalidRequestException'],
    ])
    expect(emulator.callCount('BatchGetSecretValue')).toBe(1)
  })

  it('selects by name prefix with Filters and pages with MaxResults/NextToken', async () => {
    const prefix = `filter-${Date.now()}/`
    for (const n of ['a', 'b', 'c']) emulator.createSecret(`${prefix}${n}`, canary(n))
    emulator.createSecret(`other-${prefix}x`, canary('x'))
    const first = await client.send(
      new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 2 }),
    )
    expect(first.SecretValues?.map((v) => v.Name)).toEqual([`${prefix}a`, `${prefix}b`])
    expect(first.NextToken).toBeTruthy()
    const second = await client.send(
      new BatchGetSecretValueCommand({
        Filters: [{ Key: 'name', Values: [prefix] }],
        MaxResults: 2,
        NextToken: first.NextToken,
      }),
    )
    expect(second.SecretValues?.map((v) => v.Name)).toEqual([`${prefix}c`])
    expect(second.NextToken).toBeUndefined()
  })
})

describe('deletion', () => {
  it('a scheduled deletion fails reads with InvalidRequestException, Describe shows DeletedDate, Restore undoes it', async () => {
    const name = unique('scheduled')
    emulator.createSecret(name, canary('scheduled'))
    const deleted = await client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }))
    expect(deleted.DeletionDate).toBeInstanceOf(Date)
    const read = await rejection(client.send(new GetSecretValueCommand({ SecretId: name })))
    expect(read.name).toBe('InvalidRequestException')
    expect(read.$metadata.httpStatusCode).toBe(400)
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }))
    expect(described.DeletedDate).toBeInstanceOf(Date)
    await client.send(new RestoreSecretCommand({ SecretId: name }))
    expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).Name).toBe(name)
  })

  it('ForceDeleteWithoutRecovery removes the secret at once (reads then fail with ResourceNotFound)', async () => {
    const name = unique('forced')
    emulator.createSecret(name, canary('forced'))
    await client.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }))
    const read = await rejection(client.send(new GetSecretValueCommand({ SecretId: name })))
    expect(read.name).toBe('ResourceNotFoundException')
  })

  it('refuses ForceDeleteWithoutRecovery together with RecoveryWindowInDays', async () => {
    const name = unique('both')
    emulator.createSecret(name, canary('both'))
    const both = await rejection(
      client.send(
        new DeleteSecretCommand({
          SecretId: name,
          ForceDeleteWithoutRecovery: true,
          RecoveryWindowInDays: 7,
        }),
      ),
    )
    expect(both.name).toBe('InvalidParameterException')
    expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).Name).toBe(name)
  })

  it('a secret whose recovery window has passed is gone', async () => {
    let now = Date.now()
    const timed = await startSecretsManagerEmulator({ clock: () => now })
    const timedClient = new SecretsManagerClient({ ...timed.clientConfig, maxAttempts: 1 })
    try {
      timed.createSecret('expiring', canary('expiring'))
      timed.deleteSecret('expiring', { recoveryWindowInDays: 7 })
      now += 7 * 86_400_000
      const read = await rejection(timedClient.send(new GetSecretValueCommand({ SecretId: 'expiring' })))
      expect(read.name).toBe('ResourceNotFoundException')
    } finally {
      timedClient.destroy()
      await timed.close()
    }
  })
})

describe('limits', () => {
  it('accepts 65,536 bytes and rejects 65,537 (string and binary)', async () => {
    const name = unique('limit')
    emulator.createSecret(name, canary('limit'))
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'a'.repeat(65_536) }))
    const text = await rejection(
      client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'a'.repeat(65_537) })),
    )
    expect(text.name).toBe('ValidationException')
    const blob = await rejection(
      client.send(new PutSecretValueCommand({ SecretId: name, SecretBinary: new Uint8Array(65_537) })),
    )
    expect(blob.name).toBe('ValidationException')
    expect(blob.message).toContain('secretBinary')
  })
})

describe('how the SDK sees emulator errors (docs/wire-facts.md#secrets-manager-how-sdk-v3-reports-errors)', () => {
  it('ResourceNotFoundException: 400, $fault client, modeled class, message from Message', async () => {
    const error = await rejection(client.send(new GetSecretValueCommand({ SecretId: 'sdk/missing' })))
    expect(error.name).toBe('ResourceNotFoundException')
    expect(error.constructor.name).toBe('ResourceNotFoundException')
    expect(error.$fault).toBe('client')
    expect(error.$metadata.httpStatusCode).toBe(400)
    expect(error.message).toBe("Secrets Manager can't find the specified secret.")
    expect(error.$metadata.requestId).toBeTruthy()
  })

  it('unmodeled AccessDeniedException and ThrottlingException get the base class with name = code', async () => {
    emulator.faults.fail('accessDenied')
    emulator.faults.fail('throttling')
    const denied = await rejection(client.send(new GetSecretValueCommand({ SecretId: 'x' })))
    const throttled = await rejection(client.send(new GetSecretValueCommand({ SecretId: 'x' })))
    expect(denied.name).toBe('AccessDeniedException')
    expect(denied).toBeInstanceOf(SecretsManagerServiceException)
    expect(throttled.name).toBe('ThrottlingException')
    expect(throttled.$metadata.httpStatusCode).toBe(400)
  })

  it('InternalServiceError is 500 with $fault server', async () => {
    emulator.faults.fail('internal')
    const error = await rejection(client.send(new GetSecretValueCommand({ SecretId: 'x' })))
    expect(error.name).toBe('InternalServiceError')
    expect(error.$fault).toBe('server')
    expect(error.$metadata.httpStatusCode).toBe(500)
  })

  it('an HTML 503 becomes a SyntaxError carrying the status', async () => {
    emulator.faults.fail('unavailable')
    const error = await rejection(client.send(new GetSecretValueCommand({ SecretId: 'x' })))
    expect(error.name).toBe('SyntaxError')
    expect(error.$metadata.httpStatusCode).toBe(503)
  })

  it('a dropped connection becomes a network error with a socket code', async () => {
    emulator.faults.drop()
    const error = (await rejection(client.send(new GetSecretValueCommand({ SecretId: 'x' })))) as unknown as {
      code?: string
    }
    expect(error.code).toBe('ECONNRESET')
  })

  it('with the SDK default retry policy a 500 is retried (3 attempts) and a 400 ResourceNotFound is not', async () => {
    const retrying = new SecretsManagerClient({ ...emulator.clientConfig })
    try {
      emulator.faults.fail('internal', { times: Number.POSITIVE_INFINITY })
      const error = await rejection(retrying.send(new GetSecretValueCommand({ SecretId: 'x' })))
      expect(error.$metadata.attempts).toBe(3)
      expect(emulator.calls('GetSecretValue').map((c) => c.sdkRequest)).toEqual([
        'attempt=1; max=3',
        'attempt=2; max=3',
        'attempt=3; max=3',
      ])
      emulator.faults.reset()
      emulator.resetCalls()
      await rejection(retrying.send(new GetSecretValueCommand({ SecretId: 'sdk/missing' })))
      expect(emulator.callCount('GetSecretValue')).toBe(1)
    } finally {
      retrying.destroy()
    }
  })
})
