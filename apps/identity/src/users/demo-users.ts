import type { Clock } from '../clock.js';
import type { Pool } from '../pool/pool.js';
import type { PasswordHasher } from './password-hasher.js';
import type { UserStore } from './user-store.js';
import type { UserRecord } from './user.js';

/**
 * The pool definition's demo users, created confirmed and verified on the first start with an empty store,
 * with their fixed `sub`s (user-service's seed links to them). Never again after: a store with users is
 * someone's data. Triggers do not run — user-service seeds its own side.
 */
export async function seedDemoUsers(
  store: UserStore,
  pool: Pool,
  hasher: PasswordHasher,
  clock: Clock,
): Promise<number> {
  if (store.size > 0) return 0;
  const now = clock.now();
  const users = await Promise.all(
    pool.definition.demoUsers.map(async (demo): Promise<UserRecord> => ({
      username: pool.emailIsUsername ? demo.sub : demo.email,
      sub: demo.sub,
      passwordHash: await hasher.hash(demo.password),
      status: 'CONFIRMED',
      enabled: true,
      attributes: {
        sub: demo.sub,
        email: demo.email,
        email_verified: 'true',
        ...(demo.name ? { name: demo.name } : {}),
      },
      groups: [...demo.groups],
      createdAt: now,
      updatedAt: now,
    })),
  );
  if (users.length > 0) await store.addAll(users);
  return users.length;
}
