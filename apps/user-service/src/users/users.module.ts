import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ActiveUserGuard } from './active-user.guard.js';
import { USERS_SEED_OPTIONS } from './users.constants.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersSeeder, type UsersSeedOptions } from './users.seed.js';
import { UsersService } from './users.service.js';

@Module({})
export class UsersModule {
  static forRoot(seed: UsersSeedOptions): DynamicModule {
    return {
      module: UsersModule,
      controllers: [UsersController],
      providers: [
        UsersRepository,
        UsersService,
        UsersSeeder,
        { provide: USERS_SEED_OPTIONS, useValue: seed },
        // After AuthModule's token guard (global guards run in registration order).
        { provide: APP_GUARD, useClass: ActiveUserGuard },
      ],
    };
  }
}
