import { packageBuild } from '../../scripts/package-build.ts'

export default packageBuild({
  entry: ['src/index.ts', 'src/aws.ts', 'src/azure.ts', 'src/google.ts', 'src/vault.ts', 'src/postgres.ts'],
  shims: true,
})
