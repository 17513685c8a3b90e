import { type DynamicModule, Module } from '@nestjs/common';
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
      ],
    };
  }
}
