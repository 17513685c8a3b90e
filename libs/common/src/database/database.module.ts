import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { ReadinessRegistry } from '../health/readiness.js';
import { DATABASE, DATABASE_HANDLE } from './database.constants.js';
import { type DatabaseHandle, type DatabaseOptions, openDatabase } from './database.js';

@Global()
@Module({})
export class DatabaseModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(DATABASE_HANDLE) private readonly handle: DatabaseHandle,
    private readonly readiness: ReadinessRegistry,
  ) {}

  /** Opens (and migrates) the database before the app starts serving; `@Inject(DATABASE)` gets it. */
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATABASE_HANDLE, useFactory: () => openDatabase(options) },
        { provide: DATABASE, useFactory: (handle: DatabaseHandle) => handle.db, inject: [DATABASE_HANDLE] },
      ],
      exports: [DATABASE, DATABASE_HANDLE],
    };
  }

  onModuleInit(): void {
    this.readiness.register('database', () => this.handle.ping());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.handle.close();
  }
}
