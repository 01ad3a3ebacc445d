import { latchkeyProject } from '../../vitest.shared.js'

export default latchkeyProject('pino', {
  test: { typecheck: { enabled: true, tsconfig: './tsconfig.json' } },
})
