import { beforeAll, describe, expect, it } from 'vitest'
import { expectRotationRun, figures, ormRotationScenario } from '../test/orm-scenario.js'
import { prismaAdapter } from '../test/orm-snippets/prisma.js'
import { generatePrismaClient, type PrismaLike } from '../test/prisma-client.js'
import { adminForFile, server } from '../test/support.js'

const file = adminForFile()
let PrismaClient: new (options: { adapter: unknown }) => PrismaLike
beforeAll(async () => {
  PrismaClient = await generatePrismaClient()
}, 120_000)

describe('RotatingPool under Prisma (@prisma/adapter-pg, query compiler; real PostgreSQL, rotation + alternating users + token expiries)', () => {
  it('new PrismaPg(rotatingPool): 0 failed queries', async () => {
    const run = await ormRotationScenario(file.db, 'prs', (provider) => {
      const adapter = prismaAdapter(provider, 'db', { ...server(), max: 5, maxLifetimeMillis: 200 })
      const prisma = new PrismaClient({ adapter })
      return {
        query: async () =>
          String((await prisma.$queryRawUnsafe<{ u: string }[]>('SELECT current_user AS u'))[0]?.u),
        close: () => prisma.$disconnect(),
      }
    })
    console.info(figures('prisma', run))
    // $disconnect() ended the RotatingPool too (disposeExternalPool): no session of either user is left.
    const sessions = await file.db.query(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = ANY($1)',
      [run.users.map((user) => user.name)],
    )
    expect(sessions.rows[0]?.n).toBe(0)
    expectRotationRun(run)
  }, 90_000)
})
