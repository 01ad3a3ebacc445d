import { latchkeyProject } from '../../vitest.shared.js'

export default latchkeyProject('lambda', {
  test: { typecheck: { enabled: true, tsconfig: './tsconfig.json' } },
})
