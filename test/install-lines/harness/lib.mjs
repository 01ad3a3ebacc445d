/**
 * Helpers the per-package harnesses share. The harness runs in the install directory, so
 * `@latchkey/testing` and the example's dependencies resolve from the installed tarballs. The
 * seeded values come in `ILK_SEED` (JSON) and are never printed; the example runs in a child
 * process with the environment the README tells users to set, without `ILK_SEED`.
 */
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'

/** The values scripts/install-lines.mjs generated for this run (never print them). */
export const seed = JSON.parse(process.env.ILK_SEED ?? '{}')

/** The compiled first example. */
export const example = process.env.ILK_EXAMPLE ?? 'out-nodenext/example.js'

/** Fails the harness with a message that names what was expected (never a value). */
export function check(ok, what) {
  if (!ok) throw new Error(`harness check failed: ${what}`)
  console.log(`harness: ${what}`)
}

function childEnv(extra) {
  const env = { ...process.env, ...extra }
  delete env.ILK_SEED
  delete env.ILK_EXAMPLE
  return env
}

/** Runs the example to its end; resolves with its exit code and output (also echoed). */
export function runExample(env, timeoutMs = 45_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [example], {
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the example did not exit within ${timeoutMs} ms\n${out}`))
    }, timeoutMs)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      process.stdout.write(out)
      resolve({ code, signal, out })
    })
  })
}

/**
 * Starts an example that serves HTTP and never exits, waits until `path` answers on `port`,
 * then stops it with SIGTERM. Resolves with the answer and the child's output.
 */
export async function serveExample(env, port, path, timeoutMs = 45_000) {
  const child = spawn(process.execPath, [example], { env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let exited = false
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const exit = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = true
      resolve({ code, signal })
    }),
  )
  const deadline = Date.now() + timeoutMs
  let answer
  try {
    while (answer === undefined) {
      if (exited) throw new Error(`the example exited before answering\n${out}`)
      if (Date.now() > deadline) throw new Error(`no answer on port ${port} within ${timeoutMs} ms\n${out}`)
      try {
        const res = await fetch(`http://127.0.0.1:${port}${path}`)
        answer = { status: res.status, body: await res.text() }
      } catch {
        await new Promise((r) => setTimeout(r, 100))
      }
    }
  } finally {
    if (!exited) child.kill('SIGTERM')
    await exit
    process.stdout.write(out)
  }
  return { ...answer, out }
}

/** A port nothing listens on right now. */
/**
 * The Express and Fastify README apps: started on a free PORT with the seeded secrets, asked
 * GET /orders once (200, `{"ok":true}`), then stopped. Resolves with the answer.
 */
export async function serveOrdersExample() {
  const port = await freePort()
  const answer = await serveExample(
    { PORT: String(port), DB_PASSWORD: seed.password, API_KEY: seed.key },
    port,
    '/orders',
  )
  check(answer.status === 200, `GET /orders answered 200 (${answer.status})`)
  check(answer.body === '{"ok":true}', 'with {"ok":true}')
  return answer
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** The dummy AWS settings the README's emulator sections use, with an endpoint per service. */
export function awsEnv(emulator, variable) {
  return {
    [variable]: emulator.endpoint,
    AWS_REGION: emulator.region,
    AWS_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: emulator.credentials.secretAccessKey,
  }
}
