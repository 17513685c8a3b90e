import { createHmac } from 'node:crypto';
import type { PasswordHasher } from '../users/password-hasher.js';
import { pseudoVerifier } from './srp.js';

/**
 * Stand-ins for a user who does not exist, so that every answer and its cost are those a real user gets
 * (Cognito's "prevent user existence errors", on by default for new pools): a password hash to check
 * against, an SRP salt, verifier and USER_ID_FOR_SRP. Each is derived from the name and a key kept in the
 * data dir, so the same name gets the same stand-in every time, across restarts too.
 */
export class Decoys {
  private hashTarget: Promise<string> | undefined;

  constructor(
    private readonly key: string,
    private readonly hasher: PasswordHasher,
  ) {}

  /** A hash made like users' (same cost), which no password matches: checking it costs what a real check does. */
  passwordHash(): Promise<string> {
    this.hashTarget ??= this.hasher.hash(this.mac('password-hash', 'unused').toString('base64'));
    return this.hashTarget;
  }

  srpSalt(name: string): string {
    // Same shape as a real salt: 16 bytes, no leading zero byte, the top bit clear.
    const bytes = this.mac('srp-salt', name).subarray(0, 16);
    bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x10;
    return bytes.toString('hex');
  }

  srpVerifier(name: string): bigint {
    return pseudoVerifier(this.mac('srp-verifier', name));
  }

  /** A UUID, as a real user's Cognito username is in a pool that signs in by email. */
  userId(name: string): string {
    const hex = this.mac('user-id', name).toString('hex');
    const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  /** A fixed yes or no per name and purpose: which of two real answers a name nobody has gets. */
  choice(purpose: string, name: string): boolean {
    return ((this.mac(purpose, name)[0] ?? 0) & 1) === 1;
  }

  private mac(purpose: string, name: string): Buffer {
    return createHmac('sha256', this.key).update(`${purpose}\u0000${name.toLowerCase()}`).digest();
  }
}
