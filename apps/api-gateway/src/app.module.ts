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
import { GATEWAY_ERRORS } from './api-keys/api-keys.errors.js';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import type { GatewayConfig } from './config.js';
import { ApiDocs } from './docs/api-docs.js';
import { EdgeModule } from './edge/edge.module.js';
import { LimitsModule } from './limits/limits.module.js';

// drizzle-kit's output sits beside src/ and dist/ alike.
const MIGRATIONS = fileURLToPath(new URL('../drizzle', import.meta.url));

export const OPEN_API: OpenApiOptions = {
  title: 'helpline API',
  description:
    "The whole API, through the gateway: users, orders and products (each from its service's own " +
    "document), and the gateway's API-key administration. Every route needs a bearer token from the " +
    'user pool unless the gateway is configured to make it public; an `x-api-key` puts the caller under ' +
    "that key's usage plan.",
  patch: (document, app) => app.get(ApiDocs).merged(document),
};

/**
 * The gateway runs without the request context (`createServiceApp`'s `requestContext`): it makes
 * no outgoing call that needs the caller's token, and its lines name the correlation id
 * themselves (the access line, an error's line). With it, Node's async hooks ran on every promise
 * of every proxied request too: about 2% of the CPU a proxied request costs (measured with perf).
 */
export const REQUEST_CONTEXT = false;

@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, options: { logDestination?: DestinationStream } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceDefaultsModule.forRoot({
          service: config.service,
          errors: GATEWAY_ERRORS,
          logDestination: options.logDestination,
        }),
        DatabaseModule.forRoot({
          ...config.database,
          migrationsFolder: MIGRATIONS,
          applicationName: config.service.name,
        }),
        AuthModule.forRoot(config.auth),
        LimitsModule.forRoot(config.edge, config.workers),
        EdgeModule.forRoot(config.upstreams),
        ApiKeysModule,
      ],
      providers: signingKeysHealth(JwtVerificationService),
    };
  }
}
