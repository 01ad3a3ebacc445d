import { latchkeyProject } from '../../vitest.shared.js'

export default latchkeyProject('fastify', {
  test: { typecheck: { enabled: true, tsconfig: './tsconfig.json' } },
})
