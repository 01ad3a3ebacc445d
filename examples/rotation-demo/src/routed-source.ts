import type { LoadContext, LoadedSecret, SecretSource } from '@latchkey/core'

/**
 * One `SecretSource` over several: a name listed in `routes` loads from its source, every other
 * name from `fallback`. The demo's app keeps one provider (and one `fastify.secrets`) while its
 * database credentials come from IAM tokens and its API key from Secrets Manager.
 */
export function routedSource(routes: Record<string, SecretSource>, fallback: SecretSource): SecretSource {
  const sources = [...Object.values(routes), fallback]
  return {
    name: `routed(${sources.map((source) => source.name).join(', ')})`,
    load(name: string, ctx: LoadContext): Promise<LoadedSecret> {
      const source = Object.hasOwn(routes, name) ? (routes[name] as SecretSource) : fallback
      return source.load(name, ctx)
    },
    async close() {
      await Promise.all(sources.map((source) => source.close?.()))
    },
  }
}
