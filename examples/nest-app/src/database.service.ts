import { SecretsService } from '@latchkey/nestjs'
import { Inject, Injectable } from '@nestjs/common'
import { ConfigService } from '@nestjs/config'
import { SECRET_NAMES } from './source.js'

/** What a database driver would be given. */
export interface ConnectionOptions {
  host: string
  user: string
  password: string
}

// Explicit @Inject() tokens: `pnpm start` runs on tsx (esbuild), which emits no decorator type metadata.
@Injectable()
export class DatabaseService {
  constructor(
    @Inject(ConfigService) private readonly config: ConfigService,
    @Inject(SecretsService) private readonly secrets: SecretsService,
  ) {}

  /** Read at call time, so the next connection after a rotation uses the new password. */
  connectionOptions(): ConnectionOptions {
    return { host: '127.0.0.1', user: 'app', password: this.config.getOrThrow<string>('database.password') }
  }

  /** What `/status` may tell about the password: whether it is there and fresh. Never the value. */
  status(): { passwordLoaded: boolean; stale: boolean } {
    const info = this.secrets.describe(SECRET_NAMES.dbPassword)
    return { passwordLoaded: this.connectionOptions().password.length > 0, stale: info?.stale ?? false }
  }
}
