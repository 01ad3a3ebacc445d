import { latchkeyProject } from '../../vitest.shared.js'

export default latchkeyProject('core', {
  test: { typecheck: { enabled: true, tsconfig: './tsconfig.json' } },
})
