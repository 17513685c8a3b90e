import type { QuotaPeriod, Throttle } from './plans.js';

/**
 * A token bucket as GCRA (the generic cell rate algorithm): the whole state of a bucket is one
 * number, the theoretical arrival time (TAT) of the next request, so that a store can keep it in
 * one key and update it atomically. Over any time t it admits at most burstLimit + rateLimit × t
 * requests — API Gateway's throttle.
 */
export interface BucketDecision {
  allowed: boolean;
  /** The state to store (unchanged when refused). */
  tat: number;
  /** Requests that could be made now, after this one. */
  remaining: number;
  /** Refused: ms until a request would be admitted. */
  retryAfterMs: number;
  /** ms until the bucket is full again. */
  resetMs: number;
}

export function takeToken(tat: number | undefined, now: number, throttle: Throttle): BucketDecision {
  const interval = 1000 / throttle.rateLimit;
  const capacity = interval * throttle.burstLimit;
  const next = Math.max(tat ?? now, now) + interval;
  const used = next - now;
  if (used > capacity) {
    const current = Math.max(tat ?? now, now);
    return {
      allowed: false,
      tat: current,
      remaining: 0,
      retryAfterMs: used - capacity,
      resetMs: current - now,
    };
  }
  return {
    allowed: true,
    tat: next,
    remaining: Math.floor((capacity - used) / interval),
    retryAfterMs: 0,
    resetMs: used,
  };
}

/** The calendar period a quota counts in (UTC, as API Gateway's quotas without offset): [start, end). */
export function quotaWindow(period: QuotaPeriod, now: number): { start: number; end: number } {
  const d = new Date(now);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  if (period === 'DAY') return { start: Date.UTC(y, m, day), end: Date.UTC(y, m, day + 1) };
  if (period === 'MONTH') return { start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
  // Weeks start on Monday.
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  return { start: Date.UTC(y, m, day - sinceMonday), end: Date.UTC(y, m, day - sinceMonday + 7) };
}
