import type { Clock } from '../clock.js';

/**
 * Cognito's lockout for repeated failures: five attempts are free; each failure after that locks the key
 * out for 1 s, then 2 s, 4 s… up to 15 minutes; attempts made while locked out are refused without being
 * counted; 15 minutes without a failure start the count afresh; a success clears it.
 */
export interface AttemptPolicy {
  freeAttempts: number;
  firstLockoutMs: number;
  maxLockoutMs: number;
  /** A key whose last failure is this old starts over. */
  resetAfterMs: number;
}

export const COGNITO_LOCKOUT: AttemptPolicy = {
  freeAttempts: 5,
  firstLockoutMs: 1000,
  maxLockoutMs: 15 * 60 * 1000,
  resetAfterMs: 15 * 60 * 1000,
};

/** One attempt under way: exactly one of its outcomes is reported. */
export interface Attempt {
  succeeded(): void;
  failed(): void;
  /** Neither: the secret was never checked (e.g. the user is in a state that stops earlier). */
  abandoned(): void;
}

interface Entry {
  failures: number;
  inFlight: number;
  lockedUntil: number;
  lastFailureAt: number;
}

/** How many keys are remembered; idle ones go first when there are more. */
const MAX_KEYS = 10_000;

/**
 * Counts failed attempts per key (a user, or a name nobody has: the two are counted alike, so a lockout
 * reveals nothing). An attempt is counted from the moment it starts, before its slow check: however many
 * arrive at once, no more run than the failures still allowed, so parallel guessing gains nothing.
 */
export class AttemptLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly policy: AttemptPolicy = COGNITO_LOCKOUT,
  ) {}

  /** A started attempt, or `undefined` while the key is locked out (nothing is counted then). */
  begin(key: string): Attempt | undefined {
    const now = this.clock.now();
    const entry = this.entryFor(key, now);
    if (now < entry.lockedUntil) return undefined;
    const { freeAttempts } = this.policy;
    const allowed = entry.failures < freeAttempts ? freeAttempts - entry.failures : 1;
    if (entry.inFlight >= allowed) return undefined;
    entry.inFlight++;
    let settled = false;
    const settle = (outcome: (entry: Entry) => void) => () => {
      if (settled) return;
      settled = true;
      entry.inFlight--;
      outcome(entry);
      if (entry.failures === 0 && entry.inFlight === 0) this.entries.delete(key);
    };
    return {
      succeeded: settle((e) => {
        e.failures = 0;
        e.lockedUntil = 0;
      }),
      failed: settle((e) => this.fail(e)),
      abandoned: settle(() => undefined),
    };
  }

  /** Whether an attempt on `key` would be refused now (without starting one). */
  isLockedOut(key: string): boolean {
    const entry = this.entries.get(key);
    return entry !== undefined && this.clock.now() < entry.lockedUntil;
  }

  private fail(entry: Entry): void {
    const now = this.clock.now();
    entry.failures++;
    entry.lastFailureAt = now;
    const over = entry.failures - this.policy.freeAttempts;
    if (over >= 0) {
      const lockout = Math.min(this.policy.firstLockoutMs * 2 ** over, this.policy.maxLockoutMs);
      entry.lockedUntil = now + lockout;
    }
  }

  private entryFor(key: string, now: number): Entry {
    let entry = this.entries.get(key);
    if (entry && this.isIdle(entry, now)) {
      this.entries.delete(key);
      entry = undefined;
    }
    if (!entry) {
      if (this.entries.size >= MAX_KEYS) this.evict(now);
      entry = { failures: 0, inFlight: 0, lockedUntil: 0, lastFailureAt: now };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private isIdle(entry: Entry, now: number): boolean {
    return (
      entry.inFlight === 0 &&
      now >= entry.lockedUntil &&
      now - entry.lastFailureAt >= this.policy.resetAfterMs
    );
  }

  private evict(now: number): void {
    for (const [key, entry] of this.entries) if (this.isIdle(entry, now)) this.entries.delete(key);
    // Still full (a flood of distinct names): drop the oldest that has nothing in flight.
    for (const [key, entry] of this.entries) {
      if (this.entries.size < MAX_KEYS) break;
      if (entry.inFlight === 0) this.entries.delete(key);
    }
  }
}
