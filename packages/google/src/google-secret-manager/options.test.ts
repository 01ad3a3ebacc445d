import { SecretManagerServiceClient } from '@google-cloud/secret-manager'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { GoogleSecretManagerSource } from '../index.js'
import { resolveProject } from './options.js'

const INVALID = { code: 'ERR_SECRET_INVALID_OPTIONS' }

afterEach(() => {
  vi.unstubAllEnvs()
})

describe('project', () => {
  it('comes from the option, else GOOGLE_CLOUD_PROJECT, else GCLOUD_PROJECT', () => {
    expect(resolveProject('my-project', {})).toBe('my-project')
    expect(
      resolveProject(undefined, { GOOGLE_CLOUD_PROJECT: 'from-google', GCLOUD_PROJECT: 'from-gcloud' }),
    ).toBe('from-google')
    expect(resolveProject(undefined, { GCLOUD_PROJECT: 'from-gcloud' })).toBe('from-gcloud')
    expect(resolveProject('123456789012', {})).toBe('123456789012')
    expect(resolveProject('example.com:legacy-project', {})).toBe('example.com:legacy-project')
  })

  it('is required: neither option nor environment throws InvalidOptionsError naming both variables', () => {
    vi.stubEnv('GOOGLE_CLOUD_PROJECT', '')
    vi.stubEnv('GCLOUD_PROJECT', '')
    const build = () => new GoogleSecretManagerSource({ clientOptions: { fallback: 'rest' } })
    expect(build).toThrow(expect.objectContaining(INVALID))
    expect(build).toThrow(/\{ project \}.*GOOGLE_CLOUD_PROJECT.*GCLOUD_PROJECT/)
  })

  it('reads the environment when the source is built', () => {
    vi.stubEnv('GOOGLE_CLOUD_PROJECT', 'env-project')
    const source = new GoogleSecretManagerSource({ clientOptions: { fallback: 'rest' } })
    expect(source.project).toBe('env-project')
    return source.close()
  })

  it.each([
    ['short', 'string "short"'],
    ['Upper-Case-1', 'string "Upper-Case-1"'],
    ['ends-with-', 'string "ends-with-"'],
    [42, 'number 42'],
    ['', 'string ""'],
  ])('rejects %j, naming the option and the value type', (project, got) => {
    expect(() => new GoogleSecretManagerSource({ project: project as string })).toThrow(
      expect.objectContaining({ ...INVALID, message: expect.stringContaining(`{ project } must be`) }),
    )
    expect(() => new GoogleSecretManagerSource({ project: project as string })).toThrow(
      new RegExp(`got ${got}`),
    )
  })
})

describe('version, client and retries', () => {
  it('version is latest or a number from 1', () => {
    const a = new GoogleSecretManagerSource({ project: 'my-project', clientOptions: { fallback: 'rest' } })
    const b = new GoogleSecretManagerSource({
      project: 'my-project',
      version: '7',
      clientOptions: { fallback: 'rest' },
    })
    expect([a.version, b.version]).toEqual(['latest', '7'])
    for (const version of ['0', 'v1', '', 'LATEST', 1.5, null]) {
      expect(
        () => new GoogleSecretManagerSource({ project: 'my-project', version: version as string }),
      ).toThrow(expect.objectContaining({ ...INVALID, message: expect.stringContaining('{ version }') }))
    }
    return Promise.all([a.close(), b.close()])
  })

  it('client must be a SecretManagerServiceClient and excludes clientOptions', async () => {
    expect(() => new GoogleSecretManagerSource({ project: 'my-project', client: {} as never })).toThrow(
      expect.objectContaining({ ...INVALID, message: expect.stringContaining('{ client }') }),
    )
    const client = new SecretManagerServiceClient({ fallback: 'rest' })
    expect(
      () =>
        new GoogleSecretManagerSource({ project: 'my-project', client, clientOptions: { fallback: 'rest' } }),
    ).toThrow(expect.objectContaining({ ...INVALID, message: expect.stringContaining('{ clientOptions }') }))
    const source = new GoogleSecretManagerSource({ project: 'my-project', client })
    expect(source.client).toBe(client)
    await source.close()
    await client.close()
  })

  it('options must be an object', () => {
    expect(() => new GoogleSecretManagerSource(null as never)).toThrow(
      expect.objectContaining({ ...INVALID, message: expect.stringContaining('got null') }),
    )
  })

  it('clientOptions.apiEndpoint, port and protocol are checked when the source is built', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ apiEndpoint: 'https://secretmanager.googleapis.com' }, 'clientOptions.apiEndpoint'],
      [{ apiEndpoint: 'localhost/path' }, 'clientOptions.apiEndpoint'],
      [{ apiEndpoint: 42 }, 'clientOptions.apiEndpoint'],
      [{ apiEndpoint: '' }, 'clientOptions.apiEndpoint'],
      [{ port: 0 }, 'clientOptions.port'],
      [{ port: '443' }, 'clientOptions.port'],
      [{ protocol: 'ftp' }, 'clientOptions.protocol'],
    ]
    for (const [clientOptions, option] of cases) {
      expect(
        () => new GoogleSecretManagerSource({ project: 'my-project', clientOptions: clientOptions as never }),
      ).toThrow(expect.objectContaining({ ...INVALID, message: expect.stringContaining(`{ ${option} }`) }))
    }
    for (const apiEndpoint of ['secretmanager.us-east1.rep.googleapis.com', '127.0.0.1', 'localhost:8080']) {
      expect(
        () => new GoogleSecretManagerSource({ project: 'my-project', clientOptions: { apiEndpoint } }),
      ).not.toThrow()
    }
  })

  it('clientRetries is a boolean; clientOptions an object', () => {
    expect(
      () => new GoogleSecretManagerSource({ project: 'my-project', clientRetries: 'yes' as never }),
    ).toThrow(
      expect.objectContaining({
        ...INVALID,
        message: expect.stringMatching(/\{ clientRetries \}.*got string "yes"/),
      }),
    )
    expect(
      () => new GoogleSecretManagerSource({ project: 'my-project', clientOptions: 'x' as never }),
    ).toThrow(expect.objectContaining({ ...INVALID, message: expect.stringContaining('{ clientOptions }') }))
  })

  it('resourceName shows what a name reads', async () => {
    const source = new GoogleSecretManagerSource({
      project: 'my-project',
      clientOptions: { fallback: 'rest' },
    })
    expect(source.resourceName('db/password')).toBe(
      'projects/my-project/secrets/db__password/versions/latest',
    )
    expect(source.resourceName('db/password@3')).toBe('projects/my-project/secrets/db__password/versions/3')
    await source.close()
  })

  it('inspect and JSON show settings only', async () => {
    const source = new GoogleSecretManagerSource({
      project: 'my-project',
      clientOptions: { fallback: 'rest' },
    })
    const { inspect } = await import('node:util')
    expect(inspect(source)).toBe(
      'GoogleSecretManagerSource { project: "my-project", version: "latest", closed: false }',
    )
    expect(JSON.parse(JSON.stringify(source))).toEqual({
      name: 'google-secret-manager',
      project: 'my-project',
      version: 'latest',
      closed: false,
    })
    await source.close()
  })
})
