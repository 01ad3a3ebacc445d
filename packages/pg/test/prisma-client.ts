/** Generates the Prisma client of `test/prisma/schema.prisma` with the real `prisma` CLI (a child process). */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { runNode } from '@latchkey/test-support'

const here = dirname(fileURLToPath(import.meta.url))

/** The part of the generated `PrismaClient` the test uses. */
export interface PrismaLike {
  $queryRawUnsafe<T>(query: string): Promise<T>
  $disconnect(): Promise<void>
}

/**
 * Runs `prisma generate` and imports the client it wrote. `prisma generate` compiles the client
 * with the WebAssembly schema tools shipped in the npm package; the CLI still checks for a
 * schema-engine binary first and tries to download one, which this machine cannot, so
 * `PRISMA_SCHEMA_ENGINE_BINARY` names a file that exists (generate never runs it).
 */
export async function generatePrismaClient(): Promise<new (options: { adapter: unknown }) => PrismaLike> {
  const cli = createRequire(import.meta.url).resolve('prisma/build/index.js')
  const run = await runNode([cli, 'generate', '--schema', join(here, 'prisma', 'schema.prisma')], {
    cwd: join(here, '..'),
    env: { PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
  })
  if (run.code !== 0) throw new Error(`prisma generate failed (${run.code}):\n${run.stdout}\n${run.stderr}`)
  const entry = pathToFileURL(join(here, '..', '.tmp', 'prisma-client', 'client.ts')).href
  const generated = (await import(/* @vite-ignore */ entry)) as {
    PrismaClient: new (options: { adapter: unknown }) => PrismaLike
  }
  return generated.PrismaClient
}
