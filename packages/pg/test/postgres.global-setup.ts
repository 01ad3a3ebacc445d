import { startPostgres } from '@latchkey/testing'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser connection string of the PostgreSQL every test file of this package shares. */
    databaseUrl: string
  }
}

/** Starts one PostgreSQL (scram-sha-256) for the package's tests, or wraps `DATABASE_URL`. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres()
  project.provide('databaseUrl', server.connectionString)
  return () => server.stop()
}
