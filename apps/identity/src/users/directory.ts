import type { Pool } from '../pool/pool.js';
import type { UserStore } from './user-store.js';
import type { UserRecord } from './user.js';

/** Finding a user by the name they sign in with, and the key their failed attempts are counted under. */
export class Directory {
  constructor(
    private readonly users: UserStore,
    private readonly pool: Pool,
  ) {}

  /** A user by the name they sign in with: the username, or the email when the pool signs in by email. */
  find(name: string): UserRecord | undefined {
    return this.users.byName(name) ?? (this.pool.emailIsUsername ? this.users.byEmail(name) : undefined);
  }

  /**
   * The lockout key of a sign-in name: the user's when they exist (whichever name they used), else the name
   * itself — so a name nobody has is locked out exactly like a user is.
   */
  attemptKey(name: string, user: UserRecord | undefined): string {
    return user ? `user:${user.sub}` : `name:${name.toLowerCase()}`;
  }
}
