import { takeToken } from './gcra.js';
import type { Throttle } from './plans.js';

/** One limit a request is counted against: a token bucket, or a quota until `end` (epoch ms). */
export type LimitCheck =
  | { key: string; kind: 'throttle'; throttle: Throttle }
  | { key: string; kind: 'quota'; limit: number; end: number };

export interface LimitOutcome {
  allowed: boolean;
  /** Requests left after this one. */
  remaining: number;
  /** Refused: ms until one would be admitted. */
  retryAfterMs: number;
  /** ms until the limit is whole again (bucket full, quota period over). */
  resetMs: number;
}

/**
 * Where counters live. `consume` is all or nothing: when any check refuses the request, none of
 * them counts it (a refused request spends neither tokens nor quota), and it is atomic however
 * many gateways share the store.
 */
export interface LimitStore {
  readonly kind: 'memory' | 'redis';
  consume(checks: readonly LimitCheck[]): Promise<LimitOutcome[]>;
  /**
   * Decides at once, without a promise, when the store can (counters in this process);
   * undefined when only `consume` can tell.
   */
  consumeNow?(checks: readonly LimitCheck[]): LimitOutcome[] | undefined;
  /** The count of a quota key so far (0 when none). */
  used(key: string): Promise<number>;
  close(): Promise<void>;
}

const MAX_ENTRIES = 100_000;

/** Counters in this process: the default, and the insurance when Redis fails. */
export class MemoryLimitStore implements LimitStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  /** Counts the entries put at the back of `entries`: their age, in the map's own order. */
  private placed = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async consume(checks: readonly LimitCheck[]): Promise<LimitOutcome[]> {
    return this.consumeNow(checks);
  }

  /** Synchronous, so that the request path pays no promise for it. */
  consumeNow(checks: readonly LimitCheck[]): LimitOutcome[] {
    const now = this.now();
    const outcomes: LimitOutcome[] = [];
    const writes: Array<[string, number, number]> = [];
    let allowed = true;
    for (const check of checks) {
      const entry = this.read(check.key, now);
      if (check.kind === 'throttle') {
        const decision = takeToken(entry, now, check.throttle);
        outcomes.push(decision);
        if (decision.allowed) writes.push([check.key, decision.tat, decision.tat + 1_000]);
        else allowed = false;
      } else {
        const count = entry ?? 0;
        const ok = count + 1 <= check.limit;
        outcomes.push({
          allowed: ok,
          remaining: ok ? check.limit - count - 1 : 0,
          retryAfterMs: ok ? 0 : check.end - now,
          resetMs: check.end - now,
        });
        if (ok) writes.push([check.key, count + 1, check.end]);
        else allowed = false;
      }
    }
    if (allowed) for (const [key, value, expiresAt] of writes) this.write(key, value, expiresAt);
    return outcomes;
  }

  async used(key: string): Promise<number> {
    return this.usedNow(key);
  }

  usedNow(key: string): number {
    return this.read(key, this.now()) ?? 0;
  }

  /**
   * Takes up to `want` requests' worth of a limit at once, for a worker to spend on its own (see
   * leases.ts): as many as the limit allows now, possibly none. What is granted is spent here, so
   * the bound of the limit holds however the grants are spent later.
   */
  lease(check: LimitCheck, want: number): LimitOutcome & { granted: number } {
    const now = this.now();
    const entry = this.read(check.key, now);
    if (check.kind === 'throttle') {
      const interval = 1000 / check.throttle.rateLimit;
      const capacity = interval * check.throttle.burstLimit;
      const current = Math.max(entry ?? now, now);
      const free = Math.floor((capacity - (current - now)) / interval + 1e-9);
      const granted = Math.max(0, Math.min(want, free));
      if (granted === 0) {
        return {
          granted,
          allowed: false,
          remaining: 0,
          retryAfterMs: current - now + interval - capacity,
          resetMs: current - now,
        };
      }
      const tat = current + granted * interval;
      this.write(check.key, tat, tat + 1_000);
      return { granted, allowed: true, remaining: free - granted, retryAfterMs: 0, resetMs: tat - now };
    }
    const count = entry ?? 0;
    const granted = Math.max(0, Math.min(want, check.limit - count));
    if (granted > 0) this.write(check.key, count + granted, check.end);
    return {
      granted,
      allowed: granted > 0,
      remaining: check.limit - count - granted,
      retryAfterMs: granted > 0 ? 0 : check.end - now,
      resetMs: check.end - now,
    };
  }

  /** Gives back what a lease did not spend. */
  refund(check: LimitCheck, count: number): void {
    const now = this.now();
    const entry = this.read(check.key, now);
    if (entry === undefined || count <= 0) return;
    if (check.kind === 'throttle') {
      const tat = Math.max(now, entry - count * (1000 / check.throttle.rateLimit));
      this.write(check.key, tat, tat + 1_000);
    } else {
      this.write(check.key, Math.max(0, entry - count), check.end);
    }
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  private read(key: string, now: number): number | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  private write(key: string, value: number, expiresAt: number): void {
    const entry = this.entries.get(key);
    if (entry) {
      // Updated in place: a busy key is written on every request, and taking it out of the map
      // and putting it back each time costs the map a rehash every few writes. It moves to the
      // back (away from eviction) only once it is older than half the map.
      entry.value = value;
      entry.expiresAt = expiresAt;
      if (this.placed - entry.placed > MAX_ENTRIES / 2) {
        this.entries.delete(key);
        this.place(key, entry);
      }
      return;
    }
    this.place(key, { value, expiresAt, placed: 0 });
    if (this.entries.size > MAX_ENTRIES) {
      // Insertion order doubles as age: the oldest keys go first when the map is full.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  private place(key: string, entry: Entry): void {
    entry.placed = ++this.placed;
    this.entries.set(key, entry);
  }
}

interface Entry {
  value: number;
  expiresAt: number;
  /** When it was put at the back of the map (see `placed`). */
  placed: number;
}
