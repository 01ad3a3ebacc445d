import type pg from 'pg'
import type { DatabaseCredentials, SecretCredentials } from './credentials.js'

/** The fields of a pg `Client` that decide where and as whom it logs in. */
interface LoginFields {
  user?: string
  password?: unknown
  host?: string
  port?: number
  database?: string
  connectionParameters: { user?: string; password?: unknown; host?: string; port?: number; database?: string }
}

type ConnectCallback = ((err: Error) => void) | ((err: null, client: pg.Client) => void)

/** Constructor of a pg `Client` (pg's own, or a subclass passed as the `Client` option). */
export type ClientClass = new (config?: pg.ClientConfig) => pg.Client

/**
 * Builds a `Client` subclass that, right before it connects, takes the pool's current credentials
 * (waiting at most `firstLoadBudget` ms for their first load):
 * user, password and any host, port or database the secret names. The password is handed to pg as
 * a function (so it is read only when the server asks for it), lives in the non-enumerable
 * properties pg uses for it, and is removed from the client once the login is over.
 */
export function rotatingClientClass(
  Base: ClientClass,
  credentials: SecretCredentials,
  firstLoadBudget: number | undefined,
): ClientClass {
  return class RotatingClient extends Base {
    override connect(): Promise<pg.Client>
    override connect(callback: ConnectCallback): void
    override connect(callback?: ConnectCallback): Promise<pg.Client> | undefined {
      const connecting = this.#login()
      if (callback === undefined) return connecting
      connecting.then(
        (client) => (callback as (err: null, client: pg.Client) => void)(null, client),
        (error: Error) => (callback as (err: Error) => void)(error),
      )
      return undefined
    }

    async #login(): Promise<pg.Client> {
      // With connectionTimeoutMillis, the first load of the secret ends a margin before pg-pool's own
      // timer, so the caller learns which secret was slow rather than a bare connection timeout.
      const current = await credentials.current(firstLoadBudget)
      // pg-pool's connectionTimeoutMillis destroys the socket; it may have fired while the first load ran.
      if (
        (this as unknown as { connection?: { stream?: { destroyed?: boolean } } }).connection?.stream
          ?.destroyed
      ) {
        throw new Error('Connection terminated: timed out while loading credentials')
      }
      applyCredentials(this as unknown as LoginFields, current)
      credentials.remember(this, current.version)
      try {
        return await super.connect()
      } finally {
        // A session never authenticates again, so the password need not outlive the login.
        forgetPassword(this as unknown as LoginFields)
      }
    }
  }
}

function applyCredentials(client: LoginFields, credentials: DatabaseCredentials): void {
  const parameters = client.connectionParameters
  client.user = parameters.user = credentials.user
  // pg asks for the password only when the server does, and keeps the answer until we forget it.
  hide(client, 'password', () => credentials.password)
  hide(parameters, 'password', null)
  if (credentials.host !== undefined) client.host = parameters.host = credentials.host
  if (credentials.port !== undefined) client.port = parameters.port = credentials.port
  if (credentials.database !== undefined) client.database = parameters.database = credentials.database
}

function forgetPassword(client: LoginFields): void {
  hide(client, 'password', null)
  hide(client.connectionParameters, 'password', null)
}

/** Sets a property the way pg stores passwords: writable, but not enumerable (so never printed). */
function hide(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: false })
}
