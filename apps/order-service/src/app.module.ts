import { fileURLToPath } from 'node:url';
import { AuthModule, JwtVerificationService, M2MTokenModule } from '@helpline/auth';
import {
  DatabaseModule,
  type OpenApiOptions,
  ServiceDefaultsModule,
  signingKeysHealth,
} from '@helpline/common';
import { HttpClientModule } from '@helpline/http';
import { type DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import type { OrderServiceConfig } from './config.js';
import { ORDER_ERRORS } from './orders/orders.errors.js';
import { OrdersModule } from './orders/orders.module.js';

// drizzle-kit's output sits beside src/ and dist/ alike.
const MIGRATIONS = fileURLToPath(new URL('../drizzle', import.meta.url));

export const OPEN_API: OpenApiOptions = {
  title: 'helpline order-service',
  description: 'Orders: placed against user-service and product-service, cancelled, listed.',
};

@Module({})
export class AppModule {
  static forRoot(
    config: OrderServiceConfig,
    options: { logDestination?: DestinationStream } = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceDefaultsModule.forRoot({
          service: config.service,
          errors: ORDER_ERRORS,
          logDestination: options.logDestination,
        }),
        DatabaseModule.forRoot({
          ...config.database,
          migrationsFolder: MIGRATIONS,
          applicationName: config.service.name,
        }),
        AuthModule.forRoot(config.auth),
        M2MTokenModule.forRoot(config.m2m),
        HttpClientModule.forRoot({ ...config.http, upstreams: config.upstreams }),
        OrdersModule.forRoot(config.worker, config.buyers),
      ],
      providers: signingKeysHealth(JwtVerificationService),
    };
  }
}
