import { existsSync, readFileSync } from 'node:fs'
import { dirname, extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ConfigError } from '../errors.js'
import { jsonFieldLines, lineOf } from './json-lines.js'
import type { LatchkeyConfig } from './schema.js'
import { validateConfig } from './validate.js'

/** The file names looked for in the working directory, in this order. */
export const CONFIG_FILES = ['latchkey.config.json', 'latchkey.config.mjs', 'latchkey.config.ts'] as const

/** Largest config file read. */
const MAX_CONFIG_BYTES = 1024 * 1024

function findConfig(cwd: string): string {
  for (const name of CONFIG_FILES) if (existsSync(resolve(cwd, name))) return name
  throw new ConfigError(
    { file: CONFIG_FILES[0], field: '' },
    `no config file in ${cwd} (looked for ${CONFIG_FILES.join(', ')}); pass --config`,
  )
}

/** The line and column `JSON.parse` failed at, from its message's position. */
function syntaxLine(text: string, error: unknown): number | undefined {
  const position = /position (\d+)/.exec(String((error as Error).message))?.[1]
  if (position === undefined) return undefined
  return text.slice(0, Number(position)).split('\n').length
}

async function importModule(path: string, file: string): Promise<unknown> {
  try {
    const module = (await import(pathToFileURL(path).href)) as { default?: unknown }
    return module.default
  } catch (error) {
    const code = (error as { code?: unknown }).code
    const hint =
      code === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? 'this Node.js cannot import TypeScript; use latchkey.config.mjs or Node.js ≥ 22.18'
        : `it failed to load (${typeof code === 'string' ? code : (error as Error).name})`
    throw new ConfigError({ file, field: '' }, hint)
  }
}

/**
 * Reads and validates the config: `file` (relative to `cwd`) or the first of {@link CONFIG_FILES}
 * found in `cwd`. Throws {@link ConfigError} naming the field, and for JSON files its line.
 */
export async function loadConfig(options: { cwd: string; file?: string }): Promise<LatchkeyConfig> {
  const file = options.file ?? findConfig(options.cwd)
  const path = resolve(options.cwd, file)
  if (!existsSync(path)) throw new ConfigError({ file, field: '' }, 'the file does not exist')
  const where = { file, dir: dirname(path) }
  if (extname(path) === '.json') {
    const bytes = readFileSync(path)
    if (bytes.length > MAX_CONFIG_BYTES)
      throw new ConfigError({ file, field: '' }, `larger than ${MAX_CONFIG_BYTES} bytes`)
    const text = bytes.toString('utf8')
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch (error) {
      const line = syntaxLine(text, error)
      throw new ConfigError({ file, field: '', ...(line === undefined ? {} : { line }) }, 'not valid JSON')
    }
    const lines = jsonFieldLines(text)
    return validateConfig(raw, where, (field, problem) => {
      const line = lineOf(lines, field)
      throw new ConfigError({ file, field, ...(line === undefined ? {} : { line }) }, problem)
    })
  }
  const raw = await importModule(path, file)
  return validateConfig(raw, where, (field, problem) => {
    throw new ConfigError({ file, field }, problem)
  })
}
