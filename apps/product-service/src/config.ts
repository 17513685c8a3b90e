import { type JwtAuthOptions, readJwtAuthOptions } from '@helpline/auth';
import {
  assembleConfig,
  type DatabaseConfig,
  type Env,
  readDatabaseConfig,
  readServiceConfig,
  readWithSchema,
  type ServiceConfig,
  withLocalIdentityDefaults,
} from '@helpline/common';
import { z } from 'zod';

export const SERVICE_NAME = 'product-service';

export interface ReservationsConfig {
  /** How long a reservation holds its units before it expires, unless committed. */
  ttlMs: number;
  /** How often the sweep releases expired reservations. */
  sweepIntervalMs: number;
}

export interface ProductServiceConfig {
  service: ServiceConfig;
  database: DatabaseConfig;
  auth: JwtAuthOptions;
  reservations: ReservationsConfig;
  seedDemoData: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Reads and checks every variable once; throws a ConfigError naming all problems. */
export function readProductServiceConfig(env: Env): ProductServiceConfig {
  const withDefaults = withLocalIdentityDefaults(env);
  const { service, database, auth, own } = assembleConfig(SERVICE_NAME, {
    service: readServiceConfig(withDefaults, { name: SERVICE_NAME, port: 3002 }),
    database: readDatabaseConfig(withDefaults),
    auth: readJwtAuthOptions(withDefaults),
    own: readWithSchema(
      z.object({
        SEED_DEMO_DATA: z.enum(['true', 'false']).default('false'),
        RESERVATION_TTL_MS: z.coerce
          .number()
          .int()
          .min(1)
          .max(7 * DAY_MS)
          .default(15 * 60 * 1000),
        RESERVATION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(10).max(DAY_MS).default(30_000),
      }),
      withDefaults,
    ),
  });
  return {
    service,
    database,
    auth,
    reservations: { ttlMs: own.RESERVATION_TTL_MS, sweepIntervalMs: own.RESERVATION_SWEEP_INTERVAL_MS },
    // Off unless asked: a real server's data is someone's to fill. `npm start` asks for the
    // embedded cluster, and seeding only ever fills an empty table.
    seedDemoData: own.SEED_DEMO_DATA === 'true',
  };
}
