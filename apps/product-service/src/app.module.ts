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
import type { ProductServiceConfig } from './config.js';
import { PRODUCT_ERRORS } from './products/products.errors.js';
import { ProductsModule } from './products/products.module.js';
import { RESERVATION_ERRORS } from './reservations/reservations.errors.js';
import { ReservationsModule } from './reservations/reservations.module.js';

// drizzle-kit's output sits beside src/ and dist/ alike.
const MIGRATIONS = fileURLToPath(new URL('../drizzle', import.meta.url));

export const OPEN_API: OpenApiOptions = {
  title: 'helpline product-service',
  description: 'Products, their stock, and the stock reservations that orders are made from.',
};

@Module({})
export class AppModule {
  static forRoot(
    config: ProductServiceConfig,
    options: { logDestination?: DestinationStream } = {},
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceDefaultsModule.forRoot({
          service: config.service,
          errors: { ...PRODUCT_ERRORS, ...RESERVATION_ERRORS },
          logDestination: options.logDestination,
        }),
        DatabaseModule.forRoot({
          ...config.database,
          migrationsFolder: MIGRATIONS,
          applicationName: config.service.name,
        }),
        AuthModule.forRoot(config.auth),
        ProductsModule.forRoot({ seedDemoData: config.seedDemoData }),
        ReservationsModule.forRoot(config.reservations),
      ],
      providers: signingKeysHealth(JwtVerificationService),
    };
  }
}
