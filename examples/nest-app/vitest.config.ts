import swc from 'unplugin-swc'
import { latchkeyProject } from '../../vitest.shared.js'

// `@latchkey/*` resolve to their source (vitest.shared.ts). `dedupe` makes the Nest, rxjs and
// reflect-metadata imports of that source resolve from this app, so the app's Nest 12 is the only
// copy in the process (packages/nestjs itself is developed against Nest 11). SWC emits the decorator
// metadata Nest needs.
export default latchkeyProject('example-nest-app', {
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    dedupe: [
      '@nestjs/common',
      '@nestjs/core',
      '@nestjs/config',
      '@nestjs/platform-express',
      'reflect-metadata',
      'rxjs',
    ],
  },
})
