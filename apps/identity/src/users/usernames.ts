import { randomUUID } from 'node:crypto';
import type { Pool } from '../pool/pool.js';
import { isEmail } from './attributes.js';
import type { UserStore } from './user-store.js';

/** Why a new user cannot have the name asked for; each adapter words it its own way (as Cognito does). */
export type UsernameRefusal = 'not-an-email' | 'taken';

/** A new user's names, held until `release` (call it once the user is stored, or the creation failed). */
export interface UsernameReservation {
  /** Cognito's username: the new `sub` when the pool signs in by email. */
  username: string;
  sub: string;
  /** The attributes asked for, with `email` set to the sign-in name when the pool signs in by email. */
  attributes: Record<string, string>;
  release(): void;
}

export type UsernameReservationResult =
  { ok: true; reservation: UsernameReservation } | { ok: false; reason: UsernameRefusal };

/**
 * The one rule for a new user's names, for sign-up and AdminCreateUser alike. In a pool that signs in by
 * email, the name asked for must be an email, becomes the `email` attribute when none is given, and neither
 * it nor that attribute may belong to anyone (emails are unique there); the username is a new `sub`.
 * Otherwise the name is the username and must be free. Checked and claimed in one synchronous step, so
 * that racing requests cannot both get the name.
 */
export function reserveUsername(
  users: UserStore,
  pool: Pool,
  requested: string,
  attributes: Record<string, string>,
): UsernameReservationResult {
  const sub = randomUUID();
  if (pool.emailIsUsername) {
    if (!isEmail(requested)) return { ok: false, reason: 'not-an-email' };
    const email = attributes.email ?? requested;
    const emails = [requested, email];
    if (emails.some((address) => users.isEmailTaken(address) || users.isUsernameTaken(address))) {
      return { ok: false, reason: 'taken' };
    }
    const release = users.claim({ emails });
    return { ok: true, reservation: { username: sub, sub, attributes: { ...attributes, email }, release } };
  }
  if (users.isUsernameTaken(requested)) return { ok: false, reason: 'taken' };
  const release = users.claim({ usernames: [requested] });
  return { ok: true, reservation: { username: requested, sub, attributes: { ...attributes }, release } };
}
