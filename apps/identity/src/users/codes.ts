import { randomInt, timingSafeEqual } from 'node:crypto';
import type { Attempt, AttemptLimiter } from '../auth/attempt-limiter.js';
import type { Clock } from '../clock.js';
import { codeAttemptsExceeded, codeExpired, codeMismatch } from '../errors/cognito-error.js';
import type { PendingCode } from './user.js';

/** Cognito's lifetimes: sign-up and attribute codes 24 hours, password-reset codes 1 hour. */
export const SIGN_UP_CODE_TTL_MS = 24 * 3600 * 1000;
export const ATTRIBUTE_CODE_TTL_MS = 24 * 3600 * 1000;
export const PASSWORD_RESET_CODE_TTL_MS = 3600 * 1000;

export function newCode(clock: Clock, ttlMs: number): PendingCode {
  return { code: String(randomInt(0, 1_000_000)).padStart(6, '0'), expiresAt: clock.now() + ttlMs };
}

/**
 * Checks a code the way every code operation does: wrong codes count towards the lockout of `key` (a user, or
 * a name nobody has, whose pending code is `undefined` and so never matches); while locked out every attempt,
 * the right code included, gets LimitExceededException. Returns only when the code is right and live.
 */
export function checkCode(
  limiter: AttemptLimiter,
  key: string,
  pending: PendingCode | undefined,
  given: string,
  now: number,
): void {
  const attempt: Attempt | undefined = limiter.begin(key);
  if (!attempt) throw codeAttemptsExceeded();
  if (!pending || !sameCode(pending.code, given)) {
    attempt.failed();
    throw codeMismatch();
  }
  if (pending.expiresAt <= now) {
    attempt.abandoned();
    throw codeExpired();
  }
  attempt.succeeded();
}

function sameCode(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
