import type { Clock } from '../clock.js';
import type { Pool } from '../pool/pool.js';
import type { Credentials } from './credentials.js';
import type { UserStore } from './user-store.js';
import type { UserRecord } from './user.js';

/**
 * The pool definition's demo users, created confirmed and verified on the first start with an empty store,
 * with their fixed `sub`s (user-service's seed links to them). Never again after: a store with users is
 * someone's data. Triggers do not run — user-service seeds its own side. Production never gets them
 * (their password is in the repository): `buildIdentityServer({ demoUsers: false })`.
 */
export async function seedDemoUsers(
  store: UserStore,
  pool: Pool,
  credentials: Credentials,
  clock: Clock,
): Promise<number> {
  if (store.size > 0) return 0;
  const now = clock.now();
  const users = await Promise.all(
    pool.definition.demoUsers.map(async (demo): Promise<UserRecord> => {
      const user: UserRecord = {
        username: pool.emailIsUsername ? demo.sub : demo.email,
        sub: demo.sub,
        passwordHash: '',
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
      };
      await credentials.set(user, demo.password);
      return user;
    }),
  );
  if (users.length > 0) await store.addAll(users);
  return users.length;
}
