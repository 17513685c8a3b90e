/**
 * A whole service process, as a service's main.ts runs it, for tests of what only a process can
 * show: start-up failures and shutdown. GET /hang never answers; GET /ping answers at once. With
 * DATABASE_URL it opens a database too. Run with vite-node (SWC, so Nest's decorator metadata is
 * there).
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { runService } from '../bootstrap.js';
import { assembleConfig, readServiceConfig } from '../config/config.js';
import { readDatabaseConfig } from '../database/database.config.js';
import { DatabaseModule } from '../database/database.module.js';
import { ServiceDefaultsModule } from '../service-defaults.module.js';
import { FIXTURE_MIGRATIONS } from './test-app.js';

@Controller()
class HangController {
  @Get('hang')
  hang(): Promise<never> {
    return new Promise<never>(() => undefined);
  }

  @Get('ping')
  ping(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [HangController] })
class FixtureModule {}

const NAME = 'fixture-service';

await runService({
  readConfig: (env) =>
    env.DATABASE_URL
      ? assembleConfig(NAME, {
          service: readServiceConfig(env, { name: NAME, port: 0 }),
          database: readDatabaseConfig(env),
        })
      : {
          ...assembleConfig(NAME, { service: readServiceConfig(env, { name: NAME, port: 0 }) }),
          database: undefined,
        },
  module: (config) => ({
    module: FixtureModule,
    imports: [
      ServiceDefaultsModule.forRoot({ service: config.service }),
      ...(config.database
        ? [DatabaseModule.forRoot({ ...config.database, migrationsFolder: FIXTURE_MIGRATIONS })]
        : []),
    ],
  }),
});
