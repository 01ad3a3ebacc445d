import { randomUUID } from 'node:crypto'
import type { DatabaseEngine } from './database.js'
import { parseDuration } from './format.js'
import { badRequest, noContent, noRoute, type VaultReply, type VaultRequest } from './http.js'

/** The version the emulator reports. */
export const EMULATED_VERSION = '1.17.0'

/** Seal state and identity shared by the `sys/*` endpoints. */
export interface SysState {
  sealed: boolean
  readonly clusterId: string
  /** Every database engine (one per namespace that has one): leases are found in them. */
  readonly databases: () => Iterable<DatabaseEngine>
}

export function createSysState(databases: () => Iterable<DatabaseEngine>): SysState {
  return { sealed: false, clusterId: randomUUID(), databases }
}

/** Paths that answer without a token and also while sealed. */
export function isStatusPath(path: string): boolean {
  return path === 'sys/health' || path === 'sys/seal-status'
}

/** `sys/health` (raw JSON, not an envelope; 503 when sealed) and `sys/seal-status`. */
export function status(request: VaultRequest, state: SysState): VaultReply {
  if (request.path === 'sys/seal-status') {
    return {
      status: 200,
      body: {
        type: 'shamir',
        initialized: true,
        sealed: state.sealed,
        t: 1,
        n: 1,
        progress: 0,
        nonce: '',
        version: EMULATED_VERSION,
        build_date: '2024-06-10T10:11:34Z',
        migration: false,
        cluster_name: 'vault-emulator',
        cluster_id: state.clusterId,
        recovery_seal: false,
        storage_type: 'inmem',
      },
    }
  }
  const sealedCode = Number(request.query.get('sealedcode') ?? 503)
  return {
    status: state.sealed ? sealedCode : Number(request.query.get('activecode') ?? 200),
    body: {
      initialized: true,
      sealed: state.sealed,
      standby: false,
      performance_standby: false,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      server_time_utc: Math.floor(Date.now() / 1000),
      version: EMULATED_VERSION,
      enterprise: false,
      cluster_name: 'vault-emulator',
      cluster_id: state.clusterId,
    },
  }
}

const LEASE_PATH = /^sys\/(?:leases\/)?(renew|revoke|lookup)(?:\/(.+))?$/

export function isLeasePath(path: string): boolean {
  return LEASE_PATH.test(path)
}

/** `sys/leases/{renew,revoke,lookup}` and the legacy `sys/renew`, `sys/revoke` (docs/wire-facts.md#vault-leases-and-tokens). */
export async function leases(request: VaultRequest, state: SysState): Promise<VaultReply> {
  const match = LEASE_PATH.exec(request.path)
  if (match === null || (request.method !== 'PUT' && request.method !== 'POST')) return noRoute(request.path)
  const action = match[1]
  if (action === 'lookup' && !request.path.startsWith('sys/leases/')) return noRoute(request.path)
  const fromBody = request.body?.lease_id
  const leaseId = typeof fromBody === 'string' && fromBody !== '' ? fromBody : match[2]
  if (leaseId === undefined || leaseId === '') badRequest('lease_id must be specified')
  const database = [...state.databases()].find((engine) => engine.owns(leaseId))
  switch (action) {
    case 'renew': {
      if (leaseId.startsWith('auth/')) badRequest('tokens cannot be renewed through this endpoint')
      if (database === undefined) badRequest('lease not found')
      const increment = parseDuration(request.body?.increment)
      return database.renew(leaseId, increment === 0 ? undefined : increment)
    }
    case 'revoke': {
      await database?.revoke(leaseId)
      // `sync` defaults to true in Vault's code: 204. `sync: false` answers 202 with no body.
      return request.body?.sync === false ? { status: 202 } : noContent
    }
    default:
      if (database === undefined) badRequest('invalid lease')
      return database.lookup(leaseId)
  }
}
