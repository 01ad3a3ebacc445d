import { latchkeyProject, sourceAliases } from '../../vitest.shared.js'
import { newestMiddyForThisNode } from './test/middy-majors.js'

// A bare `@middy/core` (the README's middy example) is the newest major this Node.js admits:
// middy 7 on the Node.js 22 and 24 lines, middy 6 on Node.js 20.
export default latchkeyProject('lambda', {
  resolve: {
    alias: [
      ...Object.entries(sourceAliases).map(([find, replacement]) => ({ find, replacement })),
      { find: /^@middy\/core$/, replacement: newestMiddyForThisNode().alias },
    ],
  },
  test: { typecheck: { enabled: true, tsconfig: './tsconfig.json' } },
})
