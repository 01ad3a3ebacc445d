import { CachedSecretProvider } from '@latchkey/core'
import { SecretsModule } from '@latchkey/nestjs'
import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common'
import { ConfigModule } from '@nestjs/config'
import { databaseConfig } from './database.config.js'
import { DatabaseService } from './database.service.js'
import { StatusController } from './status.controller.js'

/**
 * The app. One provider feeds both `SecretsModule` (handles for `@Secret`) and `ConfigService`
 * (`database.password`), so each secret is loaded and cached once. The app built the provider, so
 * the app closes it: SecretsModule never closes a provider it was given.
 */
@Module({})
export class AppModule implements OnApplicationShutdown {
  constructor(@Inject(CachedSecretProvider) private readonly provider: CachedSecretProvider) {}

  static register(options: { provider: CachedSecretProvider }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SecretsModule.forRoot({ provider: options.provider, isGlobal: true }),
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [databaseConfig(options.provider)],
        }),
      ],
      providers: [DatabaseService],
      controllers: [StatusController],
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.provider.close()
  }
}
