/** Helpers for this package's tests: a superuser connection and throwaway login roles. */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { canary } from '@latchkey/test-support'
import pg from 'pg'
import { afterAll, beforeAll, inject } from 'vitest'

/** Runs SQL as the superuser of the shared test database. */
export interface Admin {
  query(sql: string, params?: unknown[]): Promise<pg.QueryResult>
  /** Creates a login role with a canary password; returns its name and password. */
  createRole(prefix: string): Promise<{ name: string; password: string }>
  /** Sets a new canary password for `role` and returns it. */
  rotatePassword(role: string): Promise<string>
  close(): Promise<void>
}

/** A quoted SQL identifier (pg's own helper arrived in pg 8.9; the tests also run on pg 8.8). */
function escapeIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** A quoted SQL string literal, as pg's `escapeLiteral` writes it (E'' when there is a backslash). */
function escapeLiteral(text: string): string {
  const quoted = `'${text.replaceAll("'", "''").replaceAll('\\', '\\\\')}'`
  return text.includes('\\') ? `E${quoted}` : quoted
}

/** Superuser connection string of the shared test database. */
export function databaseUrl(): string {
  return inject('databaseUrl')
}

/** Where the shared database listens, as the superuser URL's parts. */
export function server(): { host: string; port: number; database: string } {
  const url = new URL(inject('databaseUrl'))
  return { host: url.hostname, port: Number(url.port || 5432), database: url.pathname.slice(1) || 'postgres' }
}

/**
 * The file's superuser connection: opened before its tests (`beforeAll`), closed after them
 * (`afterAll`). Read `.db` inside a test or hook.
 */
export function adminForFile(): { readonly db: Admin } {
  const file = {} as { db: Admin }
  beforeAll(() => {
    file.db = admin()
  })
  afterAll(async () => {
    await file.db?.close()
  })
  return file
}

export function admin(): Admin {
  const pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 2 })
  pool.on('error', () => undefined)
  const roles: string[] = []
  return {
    query: (sql, params) => pool.query(sql, params),
    async createRole(prefix) {
      const name = `${prefix}_${randomBytes(4).toString('hex')}`
      const password = canary(prefix)
      await pool.query(`CREATE ROLE ${escapeIdentifier(name)} LOGIN PASSWORD ${escapeLiteral(password)}`)
      roles.push(name)
      return { name, password }
    },
    async rotatePassword(role) {
      const password = canary(role)
      await pool.query(`ALTER ROLE ${escapeIdentifier(role)} PASSWORD ${escapeLiteral(password)}`)
      return password
    },
    async close() {
      // PostgreSQL drops a role even while sessions of it are open (see "What happens on a rotation" in the README).
      for (const role of roles) await pool.query(`DROP ROLE IF EXISTS ${escapeIdentifier(role)}`)
      await pool.end()
    },
  }
}

/** The JSON a rotation writes: `{ username, password, host, port, dbname }`. */
export function credentialsJson(
  username: string,
  password: string,
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({ username, password, ...extra })
}

/** Resolves once `emitter` emits `event` (or rejects after `ms`). */
export function once<T = unknown>(
  emitter: { once(event: string, listener: (value: T) => void): unknown },
  event: string,
  ms = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' event within ${ms} ms`)), ms)
    emitter.once(event, (value: T) => {
      clearTimeout(timer)
      resolve(value)
    })
  })
}

/**
 * Every string reachable from `value` through own properties, non-enumerable and symbol-keyed ones
 * included (what a thorough error serializer could print), as one text to search for canaries.
 */
export function deepText(value: unknown, depth = 8): string {
  const seen = new Set<unknown>()
  const out: string[] = []
  const visit = (current: unknown, level: number): void => {
    if (typeof current === 'string') {
      out.push(current)
      return
    }
    if (typeof current !== 'object' || current === null || seen.has(current) || level > depth) return
    seen.add(current)
    for (const key of Reflect.ownKeys(current)) {
      const descriptor = Object.getOwnPropertyDescriptor(current, key)
      if (descriptor !== undefined && 'value' in descriptor) visit(descriptor.value, level + 1)
    }
  }
  visit(value, 0)
  return out.join('\n')
}

/** The version of the pg-pool that this package's pg uses, read from disk independently of the code under test. */
export function pgPoolVersionOnDisk(): string {
  const requireFromPg = createRequire(createRequire(import.meta.url).resolve('pg'))
  let dir = dirname(requireFromPg.resolve('pg-pool'))
  while (!dir.endsWith('pg-pool')) dir = dirname(dir)
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version
}

/** The version of pg this package's tests run, read from disk. */
export function pgVersionOnDisk(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('pg'))
  while (!existsSync(join(dir, 'package.json')) || !dir.endsWith('pg')) dir = dirname(dir)
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version
}
