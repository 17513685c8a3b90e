import { fileURLToPath } from 'node:url';
import { AuthModule, JwtVerificationService } from '@helpline/auth';
import {
  DatabaseModule,
  type OpenApiOptions,
  ServiceDefaultsModule,
  signingKeysHealth,
} from '@helpline/common';
import { type DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import type { UserServiceConfig } from './config.js';
import { USER_ERRORS } from './users/users.errors.js';
import { UsersModule } from './users/users.module.js';

// drizzle-kit's output sits beside src/ and dist/ alike.
const MIGRATIONS = fileURLToPath(new URL('../drizzle', import.meta.url));

export const OPEN_API: OpenApiOptions = {
  title: 'helpline user-service',
  description: 'Users of helpline, each linked to its Cognito identity by `sub`.',
};

@Module({})
export class AppModule {
  static forRoot(
    config: UserServiceConfig,
    options: { logDestination?: DestinationStream } = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceDefaultsModule.forRoot({
          service: config.service,
          errors: USER_ERRORS,
          logDestination: options.logDestination,
        }),
        DatabaseModule.forRoot({
          ...config.database,
          migrationsFolder: MIGRATIONS,
          applicationName: config.service.name,
        }),
        AuthModule.forRoot(config.auth),
        UsersModule.forRoot({ seedDemoData: config.seedDemoData }),
      ],
      providers: signingKeysHealth(JwtVerificationService),
    };
  }
}
