import swc from 'unplugin-swc'
import { latchkeyProject } from '../../vitest.shared.js'

// Nest resolves constructor parameters from decorator metadata, which only SWC (not Vite's own
// transform) emits; unplugin-swc reads `experimentalDecorators`/`emitDecoratorMetadata` from tsconfig.json.
export default latchkeyProject('nestjs', { plugins: [swc.vite({ module: { type: 'es6' } })] })
