import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { USERS_SEED_OPTIONS } from './users.constants.js';
import { UsersRepository } from './users.repository.js';

/** The demo users of the local identity pool, linked by their fixed subs (DESIGN.md §4). */
export const DEMO_USERS = [
  { cognitoSub: 'a0000000-0000-4000-8000-000000000001', email: 'admin@example.com', name: 'Demo Admin' },
  { cognitoSub: 'a0000000-0000-4000-8000-000000000002', email: 'manager@example.com', name: 'Demo Manager' },
  { cognitoSub: 'a0000000-0000-4000-8000-000000000003', email: 'user@example.com', name: 'Demo User' },
] as const;

export interface UsersSeedOptions {
  seedDemoData: boolean;
}

/**
 * Fills an empty database with the demo users so the README's walkthrough works at once. Never
 * touches a database that already has users; safe to run on every start.
 */
@Injectable()
export class UsersSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(UsersSeeder.name);

  constructor(
    private readonly repository: UsersRepository,
    @Inject(USERS_SEED_OPTIONS) private readonly options: UsersSeedOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.seedDemoData) return;
    if ((await this.repository.count()) > 0) return;
    for (const user of DEMO_USERS) await this.repository.insertIfAbsent(user);
    this.logger.log(`seeded ${DEMO_USERS.length} demo users`);
  }
}
