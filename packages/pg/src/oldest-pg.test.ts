/**
 * The pg tests again, on the oldest pg the peer range allows (`pg-oldest`, an alias of pg 8.8.0,
 * whose pg-pool is pinned to 3.5.2 — the release it shipped with — by the workspace overrides).
 * `vi.mock` swaps the module for every import of 'pg' in this file's graph: RotatingPool, the
 * test helpers and the suites imported below. A focused subset keeps CI time modest: the pool's
 * basics and rotation handling, which touch every pg-pool member RotatingPool relies on.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import pg from 'pg'
import { describe, expect, it, vi } from 'vitest'
import { poolInternalsProblems } from './pool-internals.js'

vi.mock('pg', async () => await import('pg-oldest'))

const require = createRequire(import.meta.url)

function manifest(path: string): { version: string; peerDependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(path, 'utf8'))
}

describe('on the oldest pg', () => {
  it('runs pg at the lower bound of the peer range, with the pg-pool that release shipped with', () => {
    const ours = manifest(join(dirname(require.resolve('../package.json')), 'package.json'))
    const lowest = (ours.peerDependencies?.pg ?? '').replace(/^\^/, '')
    const oldestDir = dirname(require.resolve('pg-oldest/package.json'))
    expect(manifest(join(oldestDir, 'package.json')).version).toBe(lowest)
    const pgPool = manifest(createRequire(join(oldestDir, 'package.json')).resolve('pg-pool/package.json'))
    const wanted = (manifest(join(oldestDir, 'package.json')) as { dependencies?: Record<string, string> })
      .dependencies?.['pg-pool']
    expect(`^${pgPool.version}`).toBe(wanted)
    // The mock is in effect: 'pg' here is pg-oldest.
    expect(pg.Pool).toBe(require('pg-oldest').Pool)
  })

  it('has every pg-pool member RotatingPool relies on', () => {
    expect(poolInternalsProblems(pg.Pool.prototype, new pg.Pool({ max: 1 }))).toEqual([])
  })
})

await import('./rotating-pool.test.js')
await import('./rotate.test.js')
await import('./first-connect-budget.test.js')
