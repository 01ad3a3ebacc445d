import { randomBytes, randomUUID } from 'node:crypto'
import {
  invalidParameter,
  invalidRequest,
  limitExceeded,
  markedForDeletion,
  resourceExists,
  secretNotFound,
  stageNotFound,
  validation,
  versionNotFound,
} from './errors.js'
import { payloadSize, type SecretPayload, samePayload } from './wire.js'

export const CURRENT = 'AWSCURRENT'
export const PREVIOUS = 'AWSPREVIOUS'
/** Largest `SecretString` (UTF-8 bytes) or `SecretBinary` the service accepts. */
export const MAX_SECRET_SIZE = 65_536
const MAX_STAGES_PER_VERSION = 20
const KEPT_VERSIONS = 100
const DAY = 86_400_000
const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/
const SUFFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

export interface StoredVersion {
  readonly id: string
  readonly payload: SecretPayload
  readonly stages: Set<string>
  readonly createdAt: number
  lastAccessedAt?: number
}

export interface StoredSecret {
  readonly name: string
  readonly arn: string
  readonly description?: string
  readonly tags: ReadonlyArray<{ Key: string; Value: string }>
  readonly createdAt: number
  /** Versions in creation order. */
  readonly versions: Map<string, StoredVersion>
  lastChangedAt: number
  lastAccessedAt?: number
  /** When a scheduled deletion takes effect. */
  deletionDate?: number
}

export interface CreateInput {
  name: string
  payload?: SecretPayload
  token?: string
  description?: string
  tags?: ReadonlyArray<{ Key: string; Value: string }>
}

/** The emulated service's state and its rules: lookup by name or ARN, staging labels, deletion. */
export class SecretStore {
  readonly #secrets = new Map<string, StoredSecret>()

  constructor(
    readonly region: string,
    readonly accountId: string,
    readonly clock: () => number,
  ) {}

  create(input: CreateInput): { secret: StoredSecret; version?: StoredVersion } {
    if (!NAME.test(input.name)) {
      throw invalidParameter(
        'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
      )
    }
    const existing = this.#secrets.get(input.name)
    if (existing?.deletionDate !== undefined && !this.#purgeIfDue(existing)) {
      throw invalidRequest(
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      )
    }
    if (this.#secrets.has(input.name)) {
      throw resourceExists(`The operation failed because the secret ${input.name} already exists.`)
    }
    if (input.payload !== undefined) checkSize(input.payload)
    const now = this.clock()
    const suffix = Array.from(randomBytes(6), (b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('')
    const secret: StoredSecret = {
      name: input.name,
      arn: `${this.#arnPrefix()}${input.name}-${suffix}`,
      ...(input.description === undefined ? {} : { description: input.description }),
      tags: input.tags ?? [],
      createdAt: now,
      versions: new Map(),
      lastChangedAt: now,
    }
    this.#secrets.set(secret.name, secret)
    if (input.payload === undefined) return { secret }
    return { secret, version: this.putValue(secret, input.payload, input.token) }
  }

  /** A secret by name, full ARN or partial ARN (without the random suffix), deleted ones included. */
  find(secretId: string): StoredSecret {
    let secret = this.#secrets.get(secretId)
    if (secret === undefined && secretId.startsWith('arn:')) {
      const prefix = this.#arnPrefix()
      for (const candidate of this.#secrets.values()) {
        if (candidate.arn === secretId || `${prefix}${candidate.name}` === secretId) secret = candidate
      }
    }
    if (secret === undefined || this.#purgeIfDue(secret)) throw secretNotFound()
    return secret
  }

  /** Like {@link find}, but a secret scheduled for deletion fails with InvalidRequestException. */
  readable(secretId: string): StoredSecret {
    const secret = this.find(secretId)
    if (secret.deletionDate !== undefined) throw markedForDeletion()
    return secret
  }

  /** Secrets not scheduled for deletion, in name order. */
  live(): StoredSecret[] {
    return [...this.#secrets.values()]
      .filter((s) => !this.#purgeIfDue(s) && s.deletionDate === undefined)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** The version GetSecretValue returns for these selectors (AWSCURRENT when neither is given). */
  select(secret: StoredSecret, versionId?: string, stage?: string): StoredVersion {
    if (versionId !== undefined) {
      const version = secret.versions.get(versionId)
      if (version === undefined) throw versionNotFound(versionId)
      if (stage !== undefined && !version.stages.has(stage)) {
        throw invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.')
      }
      return version
    }
    const label = stage ?? CURRENT
    const version = holder(secret, label)
    if (version === undefined) throw stageNotFound(label)
    return version
  }

  /** Records a read for `LastAccessedDate`, which AWS keeps to the day. */
  touch(secret: StoredSecret, version: StoredVersion): void {
    const today = Math.floor(this.clock() / DAY) * DAY
    secret.lastAccessedAt = today
    version.lastAccessedAt = today
  }

  /**
   * Adds a version (PutSecretValue). Without `stages` it becomes AWSCURRENT and the version that
   * lost AWSCURRENT becomes AWSPREVIOUS; the first version always gets AWSCURRENT. A token that
   * already names a version is idempotent with the same data and an error with different data.
   */
  putValue(
    secret: StoredSecret,
    payload: SecretPayload,
    token: string = randomUUID(),
    stages?: readonly string[],
  ): StoredVersion {
    checkSize(payload)
    const existing = secret.versions.get(token)
    if (existing !== undefined) {
      if (samePayload(existing.payload, payload)) return existing
      throw resourceExists(`A version with VersionId ${token} already exists with different secret data.`)
    }
    const labels = [...(stages ?? [CURRENT])]
    if (labels.length < 1 || labels.length > MAX_STAGES_PER_VERSION) {
      throw validation('versionStages', 'Member must have length between 1 and 20')
    }
    if (holder(secret, CURRENT) === undefined && !labels.includes(CURRENT)) labels.push(CURRENT)
    const version: StoredVersion = { id: token, payload, stages: new Set(), createdAt: this.clock() }
    secret.versions.set(token, version)
    for (const label of labels) attach(secret, label, version)
    secret.lastChangedAt = version.createdAt
    this.#prune(secret)
    return version
  }

  /**
   * UpdateSecretVersionStage. A label attached elsewhere can only move when `removeFrom` names the
   * version that holds it; moving AWSCURRENT moves AWSPREVIOUS to the version that lost it.
   */
  moveStage(secret: StoredSecret, stage: string, moveTo?: string, removeFrom?: string): void {
    const target = moveTo === undefined ? undefined : secret.versions.get(moveTo)
    if (moveTo !== undefined && target === undefined) throw versionNotFound(moveTo)
    if (removeFrom !== undefined && !secret.versions.has(removeFrom)) throw versionNotFound(removeFrom)
    const from = holder(secret, stage)
    if (removeFrom !== undefined && from?.id !== removeFrom) {
      throw invalidParameter(`The staging label ${stage} isn't attached to the version ${removeFrom}.`)
    }
    if (target !== undefined) {
      if (from !== undefined && from !== target && removeFrom !== from.id) {
        throw invalidParameter(
          `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${from.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
        )
      }
      attach(secret, stage, target)
    } else if (from !== undefined) {
      if (stage === CURRENT) {
        throw invalidParameter(
          `You can't remove the staging label ${CURRENT} without moving it to another version.`,
        )
      }
      from.stages.delete(stage)
    } else {
      throw invalidParameter('You must specify MoveToVersionId or RemoveFromVersionId.')
    }
    secret.lastChangedAt = this.clock()
  }

  /** DeleteSecret: schedules the deletion, or removes the secret at once when `force` is set. */
  delete(secret: StoredSecret, force: boolean, recoveryWindowInDays?: number): number {
    if (force && recoveryWindowInDays !== undefined) {
      throw invalidParameter(
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      )
    }
    const now = this.clock()
    if (force) {
      this.#secrets.delete(secret.name)
      return now
    }
    const days = recoveryWindowInDays ?? 30
    if (!Number.isInteger(days) || days < 7 || days > 30) {
      throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).')
    }
    if (secret.deletionDate !== undefined) throw markedForDeletion()
    secret.deletionDate = now + days * DAY
    return secret.deletionDate
  }

  /** RestoreSecret: cancels a scheduled deletion. */
  restore(secret: StoredSecret): void {
    delete secret.deletionDate
  }

  #arnPrefix(): string {
    return `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:`
  }

  /** Removes a secret whose recovery window has passed; true when it did. */
  #purgeIfDue(secret: StoredSecret): boolean {
    if (secret.deletionDate === undefined || this.clock() < secret.deletionDate) return false
    this.#secrets.delete(secret.name)
    return true
  }

  /** AWS keeps the 100 newest versions plus any created in the last 24 h; older unlabelled ones go. */
  #prune(secret: StoredSecret): void {
    const cutoff = this.clock() - DAY
    for (const version of secret.versions.values()) {
      if (secret.versions.size <= KEPT_VERSIONS) return
      if (version.stages.size === 0 && version.createdAt < cutoff) secret.versions.delete(version.id)
    }
  }
}

function holder(secret: StoredSecret, stage: string): StoredVersion | undefined {
  for (const version of secret.versions.values()) if (version.stages.has(stage)) return version
  return undefined
}

function attach(secret: StoredSecret, stage: string, target: StoredVersion): void {
  const from = holder(secret, stage)
  if (from === target) return
  if (target.stages.size >= MAX_STAGES_PER_VERSION) {
    throw limitExceeded(`A version can have at most ${MAX_STAGES_PER_VERSION} staging labels.`)
  }
  from?.stages.delete(stage)
  target.stages.add(stage)
  if (stage !== CURRENT || from === undefined) return
  holder(secret, PREVIOUS)?.stages.delete(PREVIOUS)
  from.stages.add(PREVIOUS)
}

function checkSize(payload: SecretPayload): void {
  if (payloadSize(payload) > MAX_SECRET_SIZE) {
    const member = payload.kind === 'string' ? 'secretString' : 'secretBinary'
    throw validation(member, `Member must have length less than or equal to ${MAX_SECRET_SIZE}`)
  }
}
