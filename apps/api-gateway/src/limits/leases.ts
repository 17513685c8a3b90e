import type { LimitCheck, LimitOutcome, LimitStore } from './limit-store.js';
import { MemoryLimitStore } from './limit-store.js';

/**
 * Exact in-memory limits across the gateway's worker processes (GATEWAY_WORKERS > 1, no Redis).
 *
 * The primary process keeps the counters (a MemoryLimitStore, the LeaseCoordinator). A worker
 * does not ask it about every request: it leases a few requests' worth of a limit at a time and
 * spends them on its own, without waiting for anything, asking again when they are gone. What is
 * leased is taken from the limit at once, so however the leases are spent, the limit's bound holds
 * (a bucket's content plus what is out on lease never exceeds its burst). What a worker does not
 * spend within LEASE_TTL_MS goes back. A refusal is remembered until the retry time the primary
 * gave, so a client hammering a spent limit costs no messages either.
 *
 * A lease's size follows the worker's pace, as a TCP window does: it doubles while leases are
 * spent within a quarter of their time to live and halves when they last more than half of it,
 * so that a busy worker asks a few times a second, and a quiet one holds little. The next lease is
 * asked for when a quarter of the current one is left, so that requests seldom wait for it.
 *
 * The price: a worker may refuse while another still holds some leased requests (leases are at
 * most a quarter of a limit split among the workers), and `RateLimit`'s remaining count is an
 * estimate. Redis (REDIS_URL) shares counters exactly between instances instead.
 */
export const LEASE_TTL_MS = 500;
/** The most a lease holds, however large the limit: about LEASE_TTL_MS / 4 of a busy worker. */
const MAX_LEASE = 1024;
/** A new lease's size, before the worker's pace is known. */
const FIRST_LEASE = 16;
const ASK_TIMEOUT_MS = 1_000;

export const LEASE_MESSAGE = 'helpline:gateway:lease';
export const REFUND_MESSAGE = 'helpline:gateway:refund';
export const USED_MESSAGE = 'helpline:gateway:used';

export interface LeaseRequest {
  type: typeof LEASE_MESSAGE;
  id: number;
  items: Array<{ check: LimitCheck; want: number }>;
}
export interface LeaseReply {
  type: typeof LEASE_MESSAGE;
  id: number;
  grants: Array<LimitOutcome & { granted: number }>;
}
export interface RefundMessage {
  type: typeof REFUND_MESSAGE;
  items: Array<{ check: LimitCheck; count: number }>;
}
export interface UsedRequest {
  type: typeof USED_MESSAGE;
  id: number;
  key: string;
}
export interface UsedReply {
  type: typeof USED_MESSAGE;
  id: number;
  used: number;
}

/** The primary's side: the counters, granting and taking back leases. */
export class LeaseCoordinator {
  readonly store: MemoryLimitStore;

  constructor(now: () => number = Date.now) {
    this.store = new MemoryLimitStore(now);
  }

  /** Answers one worker message; undefined for messages that are not ours or need no answer. */
  handle(message: unknown): LeaseReply | UsedReply | undefined {
    const m = message as { type?: unknown };
    if (m?.type === LEASE_MESSAGE) {
      const request = message as LeaseRequest;
      return {
        type: LEASE_MESSAGE,
        id: request.id,
        grants: request.items.map((i) => this.store.lease(i.check, i.want)),
      };
    }
    if (m?.type === REFUND_MESSAGE) {
      for (const item of (message as RefundMessage).items) this.store.refund(item.check, item.count);
      return undefined;
    }
    if (m?.type === USED_MESSAGE) {
      const request = message as UsedRequest;
      return { type: USED_MESSAGE, id: request.id, used: this.store.usedNow(request.key) };
    }
    return undefined;
  }
}

/** How a worker talks to the coordinator: process.send in a cluster worker, a direct call in tests. */
export interface LeaseChannel {
  send(message: LeaseRequest | RefundMessage | UsedRequest): void;
  /** Registers the handler of the coordinator's replies. */
  onReply(handler: (reply: LeaseReply | UsedReply) => void): void;
}

interface Lease {
  check: LimitCheck;
  tokens: number;
  /** Until when the tokens may be spent; then what is left goes back. */
  expiresAt: number;
  /** Refused by the coordinator: refuse locally until then. */
  deniedUntil: number;
  /** What the coordinator said was left, and when the limit is whole again (epoch ms). */
  sharedRemaining: number;
  resetAt: number;
  /** Requests waiting for this lease to be refilled: the next lease asks for at least as many. */
  waiting: number;
  refill?: Promise<void>;
  /** What the next lease asks for, and when the last one was granted (to pace the next). */
  size: number;
  grantedAt: number;
}

/** The worker's side: spends leases, refills them from the coordinator. */
export class LeasedLimitStore implements LimitStore {
  readonly kind = 'memory' as const;
  private readonly leases = new Map<string, Lease>();
  private readonly pending = new Map<number, (reply: LeaseReply | UsedReply | undefined) => void>();
  private nextId = 1;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly channel: LeaseChannel,
    private readonly workers: number,
    private readonly now: () => number = Date.now,
  ) {
    channel.onReply((reply) => {
      const resolve = this.pending.get(reply.id);
      if (resolve) {
        this.pending.delete(reply.id);
        resolve(reply);
      }
    });
    this.sweeper = setInterval(() => this.returnExpired(), LEASE_TTL_MS / 2);
    this.sweeper.unref();
  }

  consumeNow(checks: readonly LimitCheck[]): LimitOutcome[] | undefined {
    const now = this.now();
    let refused = false;
    for (const check of checks) {
      const lease = this.leases.get(check.key);
      if (lease && lease.tokens > 0 && lease.expiresAt > now) continue;
      if (lease && lease.deniedUntil > now) {
        refused = true;
        continue;
      }
      return undefined;
    }
    const outcomes: LimitOutcome[] = [];
    for (const check of checks) {
      const lease = this.leases.get(check.key)!;
      if (refused) {
        outcomes.push(
          lease.deniedUntil > now && lease.tokens === 0
            ? {
                allowed: false,
                remaining: 0,
                retryAfterMs: lease.deniedUntil - now,
                resetMs: Math.max(0, lease.resetAt - now),
              }
            : this.outcome(lease, now),
        );
      } else {
        lease.tokens--;
        outcomes.push(this.outcome(lease, now));
        // A quarter left: ask for the next lease now, so that no request has to wait for it.
        if (lease.tokens <= lease.size >> 2 && !lease.refill) void this.refill(lease.check, false);
      }
    }
    return outcomes;
  }

  async consume(checks: readonly LimitCheck[]): Promise<LimitOutcome[]> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const decided = this.consumeNow(checks);
      if (decided) return decided;
      const now = this.now();
      const empty = checks.filter((c) => {
        const lease = this.leases.get(c.key);
        return !(lease && lease.tokens > 0 && lease.expiresAt > now) && !(lease && lease.deniedUntil > now);
      });
      await Promise.all(empty.map((check) => this.refill(check)));
    }
    // Leases kept being spent by others as fast as they came: the limit is as good as spent.
    return checks.map(() => ({ allowed: false, remaining: 0, retryAfterMs: 1000, resetMs: 1000 }));
  }

  used(key: string): Promise<number> {
    const id = this.nextId++;
    return this.ask<UsedReply>({ type: USED_MESSAGE, id, key }).then((reply) => reply?.used ?? 0);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.returnExpired(true);
  }

  private outcome(lease: Lease, now: number): LimitOutcome {
    return {
      allowed: true,
      remaining: lease.tokens + lease.sharedRemaining,
      retryAfterMs: 0,
      resetMs: Math.max(0, lease.resetAt - now),
    };
  }

  private refill(check: LimitCheck, waiting = true): Promise<void> {
    let lease = this.leases.get(check.key);
    if (!lease) {
      lease = {
        check,
        tokens: 0,
        expiresAt: 0,
        deniedUntil: 0,
        sharedRemaining: 0,
        resetAt: 0,
        waiting: 0,
        size: Math.min(FIRST_LEASE, this.leaseCap(check)),
        grantedAt: 0,
      };
      this.leases.set(check.key, lease);
    }
    if (waiting) lease.waiting++;
    if (lease.refill) return lease.refill;
    const target = lease;
    target.refill = (async () => {
      // Let the requests arriving in this tick join the same lease.
      await Promise.resolve();
      const want = Math.max(target.size, target.waiting);
      target.waiting = 0;
      const id = this.nextId++;
      const reply = await this.ask<LeaseReply>({ type: LEASE_MESSAGE, id, items: [{ check, want }] });
      const now = this.now();
      const grant = reply?.grants[0];
      if (!grant) {
        // The primary did not answer: refuse for a moment rather than admit without a count.
        target.deniedUntil = now + 1_000;
      } else if (grant.granted > 0) {
        const lasted = now - target.grantedAt;
        if (lasted < LEASE_TTL_MS / 4) target.size = Math.min(target.size * 2, this.leaseCap(check));
        else if (lasted > LEASE_TTL_MS / 2) target.size = Math.max(1, target.size >> 1);
        target.grantedAt = now;
        target.tokens += grant.granted;
        target.expiresAt = now + LEASE_TTL_MS;
        target.deniedUntil = 0;
        target.sharedRemaining = grant.remaining;
        target.resetAt = now + grant.resetMs;
      } else {
        target.deniedUntil = now + Math.max(1, grant.retryAfterMs);
        target.resetAt = now + grant.resetMs;
      }
    })().finally(() => {
      target.refill = undefined;
    });
    return target.refill;
  }

  /** At most a quarter of the limit shared among the workers, so that no worker hoards it. */
  private leaseCap(check: LimitCheck): number {
    const size = check.kind === 'throttle' ? check.throttle.burstLimit : check.limit;
    return Math.max(1, Math.min(MAX_LEASE, Math.floor(size / (4 * this.workers))));
  }

  private returnExpired(all = false): void {
    const now = this.now();
    const items: RefundMessage['items'] = [];
    for (const [key, lease] of this.leases) {
      if (lease.refill) continue;
      if (all || (lease.expiresAt <= now && lease.deniedUntil <= now)) {
        if (lease.tokens > 0) items.push({ check: lease.check, count: lease.tokens });
        this.leases.delete(key);
      }
    }
    if (items.length > 0) this.channel.send({ type: REFUND_MESSAGE, items });
  }

  private ask<R extends LeaseReply | UsedReply>(message: LeaseRequest | UsedRequest): Promise<R | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(message.id);
        resolve(undefined);
      }, ASK_TIMEOUT_MS);
      this.pending.set(message.id, (reply) => {
        clearTimeout(timer);
        resolve(reply as R | undefined);
      });
      try {
        this.channel.send(message);
      } catch {
        clearTimeout(timer);
        this.pending.delete(message.id);
        resolve(undefined);
      }
    });
  }
}

/** The channel of a cluster worker: messages to and from the primary process. */
export function processChannel(): LeaseChannel {
  return {
    send: (message) => process.send?.(message),
    onReply: (handler) =>
      process.on('message', (message: { type?: unknown }) => {
        if (message?.type === LEASE_MESSAGE || message?.type === USED_MESSAGE)
          handler(message as LeaseReply | UsedReply);
      }),
  };
}
