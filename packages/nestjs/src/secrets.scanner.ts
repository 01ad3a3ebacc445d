/// <reference types="reflect-metadata" />
import type { ModulesContainer } from '@nestjs/core'
import {
  PROPERTY_DEPS_METADATA,
  SECRET_TOKEN_PREFIX,
  SELF_DECLARED_DEPS_METADATA,
} from './secrets.constants.js'

interface Wrapper {
  metatype?: unknown
  inject?: readonly unknown[] | null
}

/**
 * The secret names this app injects by token (`@Secret`, `@Inject(getSecretToken(...))`, a factory's
 * `inject`): found in the constructor and property metadata of every provider, controller,
 * enhancer and middleware of every module in the container.
 */
export function findInjectedSecretNames(modules: ModulesContainer): Set<string> {
  const names = new Set<string>()
  for (const moduleRef of modules.values()) {
    const collections = [
      moduleRef.providers,
      moduleRef.controllers,
      moduleRef.injectables,
      moduleRef.middlewares,
    ]
    for (const collection of collections) {
      for (const wrapper of collection.values()) {
        for (const token of dependencyTokens(wrapper)) {
          if (typeof token === 'string' && token.startsWith(SECRET_TOKEN_PREFIX)) {
            names.add(token.slice(SECRET_TOKEN_PREFIX.length))
          }
        }
      }
    }
  }
  return names
}

function dependencyTokens(wrapper: Wrapper): unknown[] {
  if (Array.isArray(wrapper.inject)) {
    return wrapper.inject.map((dependency: unknown) =>
      typeof dependency === 'object' && dependency !== null && 'token' in dependency
        ? dependency.token
        : dependency,
    )
  }
  const type = wrapper.metatype
  if (typeof type !== 'function') return []
  const parameters: Array<{ param: unknown }> = Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, type) ?? []
  const properties: Array<{ type: unknown }> = Reflect.getMetadata(PROPERTY_DEPS_METADATA, type) ?? []
  return [...parameters.map((p) => p.param), ...properties.map((p) => p.type)]
}
