import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quotaWindow, takeToken } from './gcra.js';
import { MemoryLimitStore } from './limit-store.js';
import { loadUsagePlans, methodThrottle, parseUsagePlans } from './plans.js';
import { UsageLimiter } from './usage-limiter.js';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

describe('takeToken (GCRA)', () => {
  it('admits a full burst at once, then one request per interval', () => {
    const throttle = { rateLimit: 10, burstLimit: 3 };
    let tat: number | undefined;
    const at = (now: number) => {
      const d = takeToken(tat, now, throttle);
      if (d.allowed) tat = d.tat;
      return d;
    };
    expect([at(T0), at(T0), at(T0)].map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
    ]);
    const refused = at(T0);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 100 });
    expect(at(T0 + 99).allowed).toBe(false);
    expect(at(T0 + 100).allowed).toBe(true);
  });

  it('never admits more than burst + rate × t in any span t', () => {
    fc.assert(
      fc.property(
        fc.record({
          rateLimit: fc.integer({ min: 1, max: 50 }),
          burstLimit: fc.integer({ min: 1, max: 20 }),
        }),
        fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 300 }),
        (throttle, gaps) => {
          let tat: number | undefined;
          let now = T0;
          const admitted: number[] = [];
          for (const gap of gaps) {
            now += gap;
            const d = takeToken(tat, now, throttle);
            if (d.allowed) {
              tat = d.tat;
              admitted.push(now);
            }
          }
          for (let i = 0; i < admitted.length; i++) {
            for (let j = i; j < admitted.length; j++) {
              const span = (admitted[j]! - admitted[i]!) / 1000;
              expect(j - i + 1).toBeLessThanOrEqual(throttle.burstLimit + throttle.rateLimit * span + 1e-9);
            }
          }
        },
      ),
    );
  });
});

describe('quotaWindow', () => {
  it('counts in UTC days, Monday-started weeks and months', () => {
    const wednesday = Date.UTC(2026, 10, 25, 23, 59, 59);
    expect(quotaWindow('DAY', wednesday)).toEqual({
      start: Date.UTC(2026, 10, 25),
      end: Date.UTC(2026, 10, 26),
    });
    expect(quotaWindow('WEEK', wednesday)).toEqual({
      start: Date.UTC(2026, 10, 23),
      end: Date.UTC(2026, 10, 30),
    });
    expect(quotaWindow('WEEK', Date.UTC(2026, 10, 29, 12))).toEqual({
      start: Date.UTC(2026, 10, 23),
      end: Date.UTC(2026, 10, 30),
    });
    expect(quotaWindow('MONTH', Date.UTC(2026, 11, 31, 23))).toEqual({
      start: Date.UTC(2026, 11, 1),
      end: Date.UTC(2027, 0, 1),
    });
  });
});

describe('MemoryLimitStore', () => {
  it('is all or nothing: a request one limit refuses counts against none', () => {
    let now = T0;
    const store = new MemoryLimitStore(() => now);
    const checks = [
      { key: 'q', kind: 'quota' as const, limit: 100, end: T0 + 86_400_000 },
      { key: 't', kind: 'throttle' as const, throttle: { rateLimit: 1, burstLimit: 1 } },
    ];
    expect(store.consumeNow(checks).every((o) => o.allowed)).toBe(true);
    const refused = store.consumeNow(checks);
    expect(refused.map((o) => o.allowed)).toEqual([true, false]);
    now += 1000;
    expect(store.consumeNow(checks).every((o) => o.allowed)).toBe(true);
    // Two admitted, one refused.
    return expect(store.used('q')).resolves.toBe(2);
  });

  it('starts a quota again in the next period', async () => {
    let now = T0;
    const store = new MemoryLimitStore(() => now);
    const check = { key: 'q', kind: 'quota' as const, limit: 1, end: T0 + 1000 };
    expect(store.consumeNow([check])[0]!.allowed).toBe(true);
    expect(store.consumeNow([check])[0]).toMatchObject({ allowed: false, retryAfterMs: 1000 });
    now = T0 + 1000;
    expect(store.consumeNow([{ ...check, end: T0 + 2000 }])[0]!.allowed).toBe(true);
  });

  it('when full, forgets the keys written longest ago, never a busy one', async () => {
    const store = new MemoryLimitStore(() => T0);
    const quota = (key: string) => ({ key, kind: 'quota' as const, limit: 1_000_000, end: T0 + 86_400_000 });
    store.consumeNow([quota('idle')]);
    store.consumeNow([quota('busy')]);
    // 150,000 other callers, one request each; the busy one asks every 1,000 of them.
    for (let i = 0; i < 150_000; i++) {
      store.consumeNow([quota(`caller-${i}`)]);
      if (i % 1_000 === 0) store.consumeNow([quota('busy')]);
    }
    expect(await store.used('busy')).toBe(151);
    expect(await store.used('idle')).toBe(0);
    expect(await store.used('caller-0')).toBe(0);
    expect(await store.used('caller-149999')).toBe(1);
  });
});

describe('usage plans file', () => {
  it('reads the checked-in plans', () => {
    const plans = loadUsagePlans();
    expect(Object.keys(plans.plans)).toEqual(expect.arrayContaining(['basic', 'premium']));
    expect(plans.keyless.perUser?.name).toBe('keyless-user');
    expect(methodThrottle(plans.plans.basic!, 'POST', '/orders')).toEqual({ rateLimit: 5, burstLimit: 10 });
    expect(methodThrottle(plans.plans.basic!, 'GET', '/orders')).toBeUndefined();
  });

  it('names every problem of an invalid file', () => {
    expect(() =>
      parseUsagePlans({
        plans: {
          Basic: {},
          ok: { throttle: { rateLimit: -1, burstLimit: 0 }, quota: { limit: 1, period: 'YEAR' } },
        },
      }),
    ).toThrowError(/plans\.Basic.*\n.*rateLimit[\s\S]*burstLimit[\s\S]*period/);
    expect(() => loadUsagePlans('/nonexistent/plans.json')).toThrowError(
      /cannot read \/nonexistent\/plans.json/,
    );
  });

  it('matches per-method throttles by route, with * for any method or any path below', () => {
    const plan = parseUsagePlans({
      plans: {
        p: {
          methodThrottles: {
            '/orders/*/DELETE': { rateLimit: 1, burstLimit: 1 },
            '/products/*/*': { rateLimit: 2, burstLimit: 2 },
            '/users/*': { rateLimit: 3, burstLimit: 3 },
          },
        },
      },
    }).plans.p!;
    expect(methodThrottle(plan, 'DELETE', '/orders/*')).toEqual({ rateLimit: 1, burstLimit: 1 });
    expect(methodThrottle(plan, 'GET', '/orders/*')).toBeUndefined();
    expect(methodThrottle(plan, 'PATCH', '/products/*')).toEqual({ rateLimit: 2, burstLimit: 2 });
    // `<resource>/*`: every method of that resource, and only it.
    expect(methodThrottle(plan, 'GET', '/users')).toEqual({ rateLimit: 3, burstLimit: 3 });
    expect(methodThrottle(plan, 'GET', '/users/*')).toBeUndefined();
  });
});

describe('UsageLimiter', () => {
  const plans = parseUsagePlans({
    plans: { small: { throttle: { rateLimit: 1, burstLimit: 2 }, quota: { limit: 5, period: 'DAY' } } },
    keyless: {
      perUser: { throttle: { rateLimit: 10, burstLimit: 10 } },
      perIp: { throttle: { rateLimit: 1, burstLimit: 1 } },
    },
  });

  it('describes every limit that applies in RateLimit-Policy, and the tightest in RateLimit', async () => {
    const limiter = new UsageLimiter(plans, new MemoryLimitStore(() => T0), () => T0);
    const first = await limiter.decide(
      { apiKey: { id: 'k1', plan: plans.plans.small! }, ip: '1.1.1.1' },
      'GET',
      '/orders',
    );
    expect(first).toEqual({
      allowed: true,
      policy: '"small-burst";q=2;w=2, "small-quota";q=5;w=86400',
      rateLimit: '"small-burst";r=1;t=1',
    });
  });

  it('puts a caller without a key under a per-user and a per-IP budget', async () => {
    const limiter = new UsageLimiter(plans, new MemoryLimitStore(() => T0), () => T0);
    const a = await limiter.decide({ user: 'alice', ip: '10.0.0.1' }, 'GET', '/orders');
    expect(a.allowed).toBe(true);
    // The same address is spent (burst 1), whoever calls from it.
    const b = await limiter.decide({ user: 'bob', ip: '10.0.0.1' }, 'GET', '/orders');
    expect(b).toMatchObject({ allowed: false, code: 'THROTTLED', retryAfterSeconds: 1 });
    expect(b.rateLimit).toBe('"keyless-ip-burst";r=0;t=1');
    expect((await limiter.decide({ user: 'bob', ip: '10.0.0.2' }, 'GET', '/orders')).allowed).toBe(true);
  });

  it("starts a caller's quota again when the period turns, however often it was asked before", async () => {
    // The limiter remembers a caller's limits between requests; they must end with the period.
    let now = Date.UTC(2026, 10, 24, 23, 59, 50);
    const limiter = new UsageLimiter(plans, new MemoryLimitStore(() => now), () => now);
    const caller = { apiKey: { id: 'k3', plan: plans.plans.small! }, ip: '1.1.1.1' };
    /** The small plan's quota (5), one request a second, then the sixth: refused. */
    const spendQuota = async () => {
      for (let i = 0; i < 5; i++) {
        now += 1000;
        expect((await limiter.decide(caller, 'GET', '/x')).allowed).toBe(true);
      }
      now += 1000;
      expect(await limiter.decide(caller, 'GET', '/x')).toMatchObject({
        allowed: false,
        code: 'QUOTA_EXCEEDED',
      });
    };
    await spendQuota();
    // The next day: a whole quota again, counted and spent as the first.
    now = Date.UTC(2026, 10, 25, 0, 0, 1);
    await spendQuota();
    // Another key on the same plan has budgets of its own.
    now += 1000;
    const other = { apiKey: { id: 'k4', plan: plans.plans.small! }, ip: '1.1.1.1' };
    expect((await limiter.decide(other, 'GET', '/x')).rateLimit).toBe('"small-burst";r=1;t=1');
  });

  it('reports a spent quota as QUOTA_EXCEEDED, with the time to the next period', async () => {
    let now = T0;
    const limiter = new UsageLimiter(plans, new MemoryLimitStore(() => now), () => now);
    const caller = { apiKey: { id: 'k2', plan: plans.plans.small! }, ip: '1.1.1.1' };
    for (let i = 0; i < 5; i++) {
      now += 1000;
      expect((await limiter.decide(caller, 'GET', '/x')).allowed).toBe(true);
    }
    now += 1000;
    const refused = await limiter.decide(caller, 'GET', '/x');
    expect(refused).toMatchObject({ allowed: false, code: 'QUOTA_EXCEEDED' });
    expect(refused.retryAfterSeconds).toBe(Math.ceil((Date.UTC(2026, 10, 25) - now) / 1000));
    await expect(limiter.quotaUsage('k2', plans.plans.small!)).resolves.toEqual({
      used: 5,
      limit: 5,
      resetsAt: '2026-11-25T00:00:00.000Z',
    });
  });
});
