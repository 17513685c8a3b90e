import { type JwtAuthOptions, readJwtAuthOptions } from '@helpline/auth';
import {
  assembleConfig,
  booleanFlag,
  type DatabaseConfig,
  type Env,
  readDatabaseConfig,
  readEnv,
  readServiceConfig,
  type ServiceConfig,
  withLocalIdentityDefaults,
} from '@helpline/common';
import { z } from 'zod';

export const SERVICE_NAME = 'user-service';

export interface UserServiceConfig {
  service: ServiceConfig;
  database: DatabaseConfig;
  auth: JwtAuthOptions;
  seedDemoData: boolean;
}

/** Reads and checks every variable once; throws a ConfigError naming all problems. */
export function readUserServiceConfig(env: Env): UserServiceConfig {
  const withDefaults = withLocalIdentityDefaults(env);
  const { service, database, auth, seed } = assembleConfig(SERVICE_NAME, {
    service: readServiceConfig(withDefaults, { name: SERVICE_NAME, port: 3000 }),
    database: readDatabaseConfig(withDefaults),
    auth: readJwtAuthOptions(withDefaults),
    seed: readEnv(z.object({ SEED_DEMO_DATA: booleanFlag().default(false) }), withDefaults),
  });
  // Off unless asked: a real server's data is someone's to fill. `npm start` asks for the
  // embedded cluster, and seeding only ever fills an empty table.
  return { service, database, auth, seedDemoData: seed.SEED_DEMO_DATA };
}
