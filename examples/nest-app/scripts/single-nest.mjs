// Preloaded by `pnpm start` (node --import): makes every @nestjs/*, rxjs and reflect-metadata import
// resolve to this app's own copy. Without it, @latchkey/nestjs (linked from the workspace) would load
// the Nest 11 it is developed against, and two Nest copies in one process break dependency injection.
import { register } from 'node:module'

register('./single-nest-hooks.mjs', import.meta.url, {
  data: { appPackage: new URL('../package.json', import.meta.url).href },
})
