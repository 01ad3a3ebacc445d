import { invalidNextToken, invalidParameter, SecretsManagerEmulatorError } from './errors.js'
import { matchesFilters, parseFilters } from './filters.js'
import {
  type Input,
  optionalBoolean,
  optionalList,
  optionalNumber,
  optionalString,
  payload,
  requiredString,
  stringList,
  tags,
} from './input.js'
import type { SecretStore, StoredSecret, StoredVersion } from './store.js'
import { epochSeconds, payloadFields } from './wire.js'

/** The operations the emulator implements (the `X-Amz-Target` suffix). */
export type SecretsManagerOperation =
  | 'CreateSecret'
  | 'GetSecretValue'
  | 'BatchGetSecretValue'
  | 'PutSecretValue'
  | 'UpdateSecretVersionStage'
  | 'DescribeSecret'
  | 'ListSecretVersionIds'
  | 'DeleteSecret'
  | 'RestoreSecret'

type Operation = (store: SecretStore, input: Input) => object

const SECRET_ID = { min: 1, max: 2048 }
const VERSION_ID = { min: 32, max: 64 }
const STAGE = { min: 1, max: 256 }

function secretValue(secret: StoredSecret, version: StoredVersion): object {
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.id,
    ...payloadFields(version.payload),
    VersionStages: [...version.stages],
    CreatedDate: epochSeconds(version.createdAt),
  }
}

function page<T>(items: T[], input: Input, maxResults: number): { items: T[]; NextToken?: string } {
  const token = optionalString(input, 'NextToken', { min: 1, max: 4096 })
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString())
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw invalidNextToken()
  const end = start + maxResults
  const next = end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined
  return { items: items.slice(start, end), ...(next === undefined ? {} : { NextToken: next }) }
}

function batchGet(store: SecretStore, input: Input): object {
  const ids = stringList(input, 'SecretIdList', { min: 1, max: 20 })
  const rawFilters = optionalList(input, 'Filters')
  const maxResults = optionalNumber(input, 'MaxResults', { min: 1, max: 20 })
  if ((ids === undefined) === (rawFilters === undefined)) {
    throw invalidParameter('Either SecretIdList or Filters must be provided, but not both.')
  }
  if (ids !== undefined && maxResults !== undefined) {
    throw invalidParameter('MaxResults can be used only with Filters.')
  }
  const values: object[] = []
  const errors: object[] = []
  const read = (secretId: string, resolve: () => StoredSecret) => {
    try {
      const secret = resolve()
      const version = store.select(secret)
      store.touch(secret, version)
      values.push(secretValue(secret, version))
    } catch (error) {
      if (!(error instanceof SecretsManagerEmulatorError)) throw error
      errors.push({ SecretId: secretId, ErrorCode: error.type, Message: error.message })
    }
  }
  if (ids !== undefined) {
    for (const id of ids) read(id, () => store.readable(id))
    return { SecretValues: values, Errors: errors }
  }
  const filters = parseFilters(rawFilters ?? [])
  const matched = store.live().filter((secret) => matchesFilters(secret, filters))
  const { items, NextToken } = page(matched, input, maxResults ?? 20)
  for (const secret of items) read(secret.name, () => secret)
  return { SecretValues: values, Errors: errors, ...(NextToken === undefined ? {} : { NextToken }) }
}

/** Request handlers by operation name; each returns the JSON reply or throws a wire error. */
export const operations: Record<SecretsManagerOperation, Operation> = {
  CreateSecret(store, input) {
    const { secret, version } = store.create({
      name: requiredString(input, 'Name', { min: 1, max: 512 }),
      payload: payload(input),
      token: optionalString(input, 'ClientRequestToken', VERSION_ID),
      description: optionalString(input, 'Description', { max: 2048 }),
      tags: tags(input),
    })
    return { ARN: secret.arn, Name: secret.name, ...(version === undefined ? {} : { VersionId: version.id }) }
  },

  GetSecretValue(store, input) {
    const secret = store.readable(requiredString(input, 'SecretId', SECRET_ID))
    const version = store.select(
      secret,
      optionalString(input, 'VersionId', VERSION_ID),
      optionalString(input, 'VersionStage', STAGE),
    )
    store.touch(secret, version)
    return secretValue(secret, version)
  },

  BatchGetSecretValue: batchGet,

  PutSecretValue(store, input) {
    const secret = store.readable(requiredString(input, 'SecretId', SECRET_ID))
    const value = payload(input)
    if (value === undefined) throw invalidParameter('You must provide either SecretString or SecretBinary.')
    const version = store.putValue(
      secret,
      value,
      optionalString(input, 'ClientRequestToken', VERSION_ID),
      stringList(input, 'VersionStages', { min: 1, max: 20 }),
    )
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] }
  },

  UpdateSecretVersionStage(store, input) {
    const secret = store.readable(requiredString(input, 'SecretId', SECRET_ID))
    store.moveStage(
      secret,
      requiredString(input, 'VersionStage', STAGE),
      optionalString(input, 'MoveToVersionId', VERSION_ID),
      optionalString(input, 'RemoveFromVersionId', VERSION_ID),
    )
    return { ARN: secret.arn, Name: secret.name }
  },

  DescribeSecret(store, input) {
    const secret = store.find(requiredString(input, 'SecretId', SECRET_ID))
    const stages: Record<string, string[]> = {}
    for (const version of secret.versions.values()) {
      if (version.stages.size > 0) stages[version.id] = [...version.stages]
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description === undefined ? {} : { Description: secret.description }),
      LastChangedDate: epochSeconds(secret.lastChangedAt),
      ...(secret.lastAccessedAt === undefined
        ? {}
        : { LastAccessedDate: epochSeconds(secret.lastAccessedAt) }),
      ...(secret.deletionDate === undefined ? {} : { DeletedDate: epochSeconds(secret.deletionDate) }),
      ...(secret.tags.length === 0 ? {} : { Tags: secret.tags }),
      VersionIdsToStages: stages,
      CreatedDate: epochSeconds(secret.createdAt),
    }
  },

  ListSecretVersionIds(store, input) {
    const secret = store.find(requiredString(input, 'SecretId', SECRET_ID))
    const includeDeprecated = optionalBoolean(input, 'IncludeDeprecated') ?? false
    const versions = [...secret.versions.values()].filter((v) => includeDeprecated || v.stages.size > 0)
    const { items, NextToken } = page(
      versions,
      input,
      optionalNumber(input, 'MaxResults', { min: 1, max: 100 }) ?? 100,
    )
    return {
      Versions: items.map((v) => ({
        VersionId: v.id,
        VersionStages: [...v.stages],
        ...(v.lastAccessedAt === undefined ? {} : { LastAccessedDate: epochSeconds(v.lastAccessedAt) }),
        CreatedDate: epochSeconds(v.createdAt),
      })),
      ...(NextToken === undefined ? {} : { NextToken }),
      ARN: secret.arn,
      Name: secret.name,
    }
  },

  DeleteSecret(store, input) {
    const secret = store.find(requiredString(input, 'SecretId', SECRET_ID))
    const deletionDate = store.delete(
      secret,
      optionalBoolean(input, 'ForceDeleteWithoutRecovery') ?? false,
      optionalNumber(input, 'RecoveryWindowInDays', {
        min: Number.MIN_SAFE_INTEGER,
        max: Number.MAX_SAFE_INTEGER,
      }),
    )
    return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(deletionDate) }
  },

  RestoreSecret(store, input) {
    const secret = store.find(requiredString(input, 'SecretId', SECRET_ID))
    store.restore(secret)
    return { ARN: secret.arn, Name: secret.name }
  },
}

export function isOperation(name: string): name is SecretsManagerOperation {
  return Object.hasOwn(operations, name)
}
