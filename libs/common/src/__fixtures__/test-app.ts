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
import type { DestinationStream } from 'pino';
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
