import {
  Body,
  Controller,
  Get,
  Inject,
  Logger,
  Module,
  Param,
  Post,
  type DynamicModule,
} from '@nestjs/common';
import { IsEmail, IsInt, IsString, Max, Min, MinLength } from 'class-validator';
import { sql } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTestDatabase, type TestDatabase } from '@helpline/testing';
import type { DestinationStream } from 'pino';
import { createServiceApp, type ServiceAppOptions } from '../bootstrap.js';
import type { ServiceConfig } from '../config/config.js';
import { RequestContext } from '../context/request-context.js';
import { DATABASE } from '../database/database.constants.js';
import type { Database, DatabaseOptions } from '../database/database.js';
import { DatabaseModule } from '../database/database.module.js';
import { NotFoundError } from '../errors/app-error.js';
import { ServiceDefaultsModule } from '../service-defaults.module.js';

export const FIXTURE_MIGRATIONS = fileURLToPath(new URL('./migrations', import.meta.url));

class CreateNoteDto {
  @IsString()
  @MinLength(3)
  title!: string;

  @IsEmail()
  author!: string;

  @IsInt()
  @Min(1)
  @Max(5)
  priority!: number;
}

@Controller('notes')
class NotesController {
  private readonly logger = new Logger(NotesController.name);
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  @Post()
  async create(@Body() dto: CreateNoteDto) {
    this.logger.log(`creating note ${dto.title}`);
    await this.db.execute(sql`insert into notes (title) values (${dto.title})`);
    return { title: dto.title, correlationId: RequestContext.correlationId() };
  }

  /** Answers after a while: a caller can give up on it first. */
  @Get('slow')
  async slow() {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { slow: true };
  }

  @Get('boom')
  boom() {
    throw new Error('secret internal detail');
  }

  @Get(':id')
  get(@Param('id') id: string) {
    throw new NotFoundError('NOTE_NOT_FOUND', `note ${id} does not exist`);
  }
}

@Module({})
export class TestAppModule {
  static forRoot(
    service: ServiceConfig,
    database: DatabaseOptions,
    logDestination?: DestinationStream,
  ): DynamicModule {
    return {
      module: TestAppModule,
      imports: [ServiceDefaultsModule.forRoot({ service, logDestination }), DatabaseModule.forRoot(database)],
      controllers: [NotesController],
    };
  }
}

export const TEST_SERVICE: ServiceConfig = {
  name: 'test-service',
  nodeEnv: 'test',
  host: '127.0.0.1',
  port: 0,
  logLevel: 'info',
  bodyLimitBytes: 4096,
  trustProxy: true,
  shutdownTimeoutMs: 25_000,
};

/**
 * The fixture app as `createServiceApp` builds a service, on a test database of its own (dropped
 * by the caller), listening on 127.0.0.1 and logging to `logs`.
 */
export async function startTestApp(
  logs: DestinationStream,
  options: Omit<ServiceAppOptions, 'service'> = {},
): Promise<{ app: NestFastifyApplication; base: string; database: TestDatabase }> {
  const database = await createTestDatabase();
  const app = await createServiceApp(
    TestAppModule.forRoot(TEST_SERVICE, { url: database.url, migrationsFolder: FIXTURE_MIGRATIONS }, logs),
    { service: TEST_SERVICE, ...options },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: await app.getUrl(), database };
}
