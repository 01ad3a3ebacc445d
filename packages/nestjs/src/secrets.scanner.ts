/// <reference types="reflect-metadata" />
import type { DiscoveryService, ModulesContainer } from '@nestjs/core'
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
 * enhancer and middleware of every module in the app.
 *
 * Providers and controllers come from Nest's public `DiscoveryService`. Enhancers (guards,
 * interceptors, pipes and filters bound with `@UseGuards()` and the like) and middleware classes
 * do not: `DiscoveryService` (Nest 11 and 12) has only `getProviders()` and `getControllers()`,
 * and keeps its module list (`getModules()`) protected. Nest keeps enhancers and middleware in each
 * module's `injectables` and `middlewares`, so for those two kinds alone the modules are read from
 * `ModulesContainer` (exported by @nestjs/core and injectable, like `DiscoveryService`).
 */
export function findInjectedSecretNames(discovery: DiscoveryService, modules: ModulesContainer): Set<string> {
  const wrappers: Wrapper[] = [...discovery.getProviders(), ...discovery.getControllers()]
  for (const moduleRef of modules.values()) {
    wrappers.push(...moduleRef.injectables.values(), ...moduleRef.middlewares.values())
  }
  const names = new Set<string>()
  for (const wrapper of wrappers) {
    for (const token of dependencyTokens(wrapper)) {
      if (typeof token === 'string' && token.startsWith(SECRET_TOKEN_PREFIX)) {
        names.add(token.slice(SECRET_TOKEN_PREFIX.length))
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
