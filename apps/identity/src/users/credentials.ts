import { createVerifier } from '../auth/srp.js';
import type { Pool } from '../pool/pool.js';
import type { PasswordHasher } from './password-hasher.js';
import type { UserRecord } from './user.js';

/**
 * Setting a password, wherever it happens (sign-up, invitation, new password, change, reset, admin): its
 * scrypt hash for password sign-ins and its SRP salt and verifier for USER_SRP_AUTH. The password itself
 * is never kept.
 */
export class Credentials {
  constructor(
    private readonly hasher: PasswordHasher,
    private readonly pool: Pool,
  ) {}

  async set(user: Pick<UserRecord, 'username' | 'passwordHash' | 'srp'>, password: string): Promise<void> {
    const passwordHash = await this.hasher.hash(password);
    user.passwordHash = passwordHash;
    user.srp = createVerifier(this.pool.srpPoolName, user.username, password);
  }

  /** A verifier for a record written before SRP, from a password just proven right. */
  addVerifierIfMissing(user: UserRecord, password: string): boolean {
    if (user.srp) return false;
    user.srp = createVerifier(this.pool.srpPoolName, user.username, password);
    return true;
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.hasher.verify(password, hash);
  }
}
