import { quotaWindow } from './gcra.js';
import type { LimitCheck, LimitOutcome, LimitStore } from './limit-store.js';
import { methodThrottle, type Plan, type UsagePlans } from './plans.js';

/** Who a request counts against. */
export interface Caller {
  /** The API key it carried (already found valid), and its plan. */
  apiKey?: { id: string; plan: Plan };
  /** The verified token's `sub` (a service token's is its client id). */
  user?: string;
  /** The client's address. */
  ip: string;
}

export interface LimitDecision {
  allowed: boolean;
  /** Refused because of a throttle (429 THROTTLED) or a quota (429 QUOTA_EXCEEDED). */
  code?: 'THROTTLED' | 'QUOTA_EXCEEDED';
  retryAfterSeconds?: number;
  /** IETF draft-11 `RateLimit-Policy` and `RateLimit` header values. */
  policy: string;
  rateLimit: string;
}

const ALLOW_ALL: LimitDecision = { allowed: true, policy: '', rateLimit: '' };

/** The limits of one caller's requests to one route: the checks, and the policy header's text. */
interface Limits {
  applied: Applied[];
  checks: LimitCheck[];
  policy: string;
  /** Until when they hold (epoch ms): the end of the current quota period, or a short while. */
  validUntil: number;
}

/** How long a caller's limits are kept without a quota period to end them. */
const CACHE_TTL_MS = 60_000;
/** The most callers' limits kept at once; the oldest entry makes room. */
const CACHE_MAX_ENTRIES = 10_000;

interface Applied {
  check: LimitCheck;
  /** The policy's name in the headers. */
  name: string;
  /** The policy's quota (q) and window in seconds (w). */
  q: number;
  w: number;
}

/**
 * Decides whether a request fits its usage plan, as API Gateway does: an API key's plan (throttle,
 * per-method throttle, quota); without a key, a per-user and a per-address budget. Every limit
 * that applies is checked at once, and a refused request counts against none of them.
 */
export class UsageLimiter {
  private readonly cache = new Map<string, Limits>();

  constructor(
    private readonly plans: UsagePlans,
    private readonly store: LimitStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** The decision: at once when the store decides in this process, as a promise otherwise. */
  decide(caller: Caller, method: string, routePath: string): LimitDecision | Promise<LimitDecision> {
    const limits = this.limitsOf(caller, method, routePath);
    if (limits.applied.length === 0) return ALLOW_ALL;
    const decided = this.store.consumeNow?.(limits.checks);
    if (decided) return describe(limits, decided);
    return this.store.consume(limits.checks).then((outcomes) => describe(limits, outcomes));
  }

  /** Requests counted so far in the current quota period of an API key's plan. */
  async quotaUsage(
    apiKeyId: string,
    plan: Plan,
  ): Promise<{ used: number; limit: number; resetsAt: string } | undefined> {
    if (!plan.quota) return undefined;
    const window = quotaWindow(plan.quota.period, this.now());
    return {
      used: await this.store.used(`k:${apiKeyId}:q:${window.start}`),
      limit: plan.quota.limit,
      resetsAt: new Date(window.end).toISOString(),
    };
  }

  /**
   * The limits of a request, remembered per caller, method and route until the current quota
   * period ends: a busy caller's keys, policy names and header text are built once, not per request.
   */
  private limitsOf(caller: Caller, method: string, routePath: string): Limits {
    const cacheKey = caller.apiKey
      ? `k\n${caller.apiKey.id}\n${caller.apiKey.plan.name}\n${method}\n${routePath}`
      : `u\n${caller.user ?? ''}\n${caller.ip}\n${method}\n${routePath}`;
    const now = this.now();
    const known = this.cache.get(cacheKey);
    if (known && known.validUntil > now) return known;
    const applied = this.limitsFor(caller, method, routePath, now);
    const limits: Limits = {
      applied,
      checks: applied.map((a) => a.check),
      policy: applied.map((a) => `"${a.name}";q=${a.q};w=${a.w}`).join(', '),
      validUntil: Math.min(
        now + CACHE_TTL_MS,
        ...applied.map((a) => (a.check.kind === 'quota' ? a.check.end : Infinity)),
      ),
    };
    if (known) this.cache.delete(cacheKey);
    else if (this.cache.size >= CACHE_MAX_ENTRIES)
      this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(cacheKey, limits);
    return limits;
  }

  private limitsFor(caller: Caller, method: string, routePath: string, now: number): Applied[] {
    const applied: Applied[] = [];
    const add = (plan: Plan, prefix: string) => {
      if (plan.throttle) {
        applied.push({
          check: { key: `${prefix}:t`, kind: 'throttle', throttle: plan.throttle },
          name: `${plan.name}-burst`,
          q: plan.throttle.burstLimit,
          w: Math.max(1, Math.ceil(plan.throttle.burstLimit / plan.throttle.rateLimit)),
        });
      }
      const perMethod = methodThrottle(plan, method, routePath);
      if (perMethod) {
        applied.push({
          check: { key: `${prefix}:m:${method}:${routePath}`, kind: 'throttle', throttle: perMethod },
          name: `${plan.name}-${method.toLowerCase()}-burst`,
          q: perMethod.burstLimit,
          w: Math.max(1, Math.ceil(perMethod.burstLimit / perMethod.rateLimit)),
        });
      }
      if (plan.quota) {
        const window = quotaWindow(plan.quota.period, now);
        applied.push({
          check: {
            key: `${prefix}:q:${window.start}`,
            kind: 'quota',
            limit: plan.quota.limit,
            end: window.end,
          },
          name: `${plan.name}-quota`,
          q: plan.quota.limit,
          w: Math.round((window.end - window.start) / 1000),
        });
      }
    };
    if (caller.apiKey) {
      add(caller.apiKey.plan, `k:${caller.apiKey.id}`);
    } else {
      if (caller.user && this.plans.keyless.perUser) add(this.plans.keyless.perUser, `u:${caller.user}`);
      if (this.plans.keyless.perIp) add(this.plans.keyless.perIp, `ip:${caller.ip}`);
    }
    return applied;
  }
}

function describe(limits: Limits, outcomes: LimitOutcome[]): LimitDecision {
  const { applied, policy } = limits;
  // The limit to report: the one that refused, or the one with the fewest requests left.
  let worst = 0;
  for (let i = 1; i < outcomes.length; i++) {
    const current = outcomes[i]!;
    const best = outcomes[worst]!;
    if (
      (!current.allowed && best.allowed) ||
      (current.allowed === best.allowed && current.remaining < best.remaining)
    ) {
      worst = i;
    }
  }
  const outcome = outcomes[worst]!;
  const reported = applied[worst]!;
  const rateLimit = `"${reported.name}";r=${outcome.remaining};t=${Math.max(0, Math.ceil(outcome.resetMs / 1000))}`;
  if (outcome.allowed) return { allowed: true, policy, rateLimit };
  return {
    allowed: false,
    code: reported.check.kind === 'quota' ? 'QUOTA_EXCEEDED' : 'THROTTLED',
    retryAfterSeconds: Math.max(1, Math.ceil(outcome.retryAfterMs / 1000)),
    policy,
    rateLimit,
  };
}
