// Module resolution hooks (see single-nest.mjs): resolve shared framework packages from the app.
const SHARED = /^(?:@nestjs\/[^/]+|rxjs|reflect-metadata)(?:\/|$)/

let appPackage

export function initialize(data) {
  appPackage = data.appPackage
}

export function resolve(specifier, context, nextResolve) {
  if (SHARED.test(specifier)) return nextResolve(specifier, { ...context, parentURL: appPackage })
  return nextResolve(specifier, context)
}
