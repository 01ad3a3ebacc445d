import { packageBuild } from '../../scripts/package-build.ts'

export default packageBuild({ entry: ['src/index.ts', 'src/internal.ts'] })
