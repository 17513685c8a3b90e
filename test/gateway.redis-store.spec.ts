import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LimitCheck, MemoryLimitStore } from '../apps/api-gateway/src/limits/limit-store.js';
import { InsuredLimitStore, RedisLimitStore } from '../apps/api-gateway/src/limits/redis-limit-store.js';
import {
  noteSkippedWithoutRedis,
  type RedisServer,
  redisServerInstalled,
  startRedisServer,
} from './support/redis-server.js';

/**
 * The Redis counters: atomic under concurrency, all or nothing; and the insurance that decides
 * in memory while Redis is frozen or gone. On a redis-server of the test's own (it is frozen).
 */
noteSkippedWithoutRedis('gateway.redis-store');

describe.skipIf(!redisServerInstalled)('RedisLimitStore', () => {
  let redis: RedisServer;
  let store: RedisLimitStore;

  beforeAll(async () => {
    redis = await startRedisServer();
    store = new RedisLimitStore({ url: redis.url });
    expect(await store.ready(5_000)).toBe(true);
  });

  afterAll(async () => {
    await store?.close();
    redis?.thaw();
    await redis?.stop();
  });

  it('admits exactly the burst of 200 concurrent requests', async () => {
    const check: LimitCheck = {
      key: `t:${randomUUID()}`,
      kind: 'throttle',
      throttle: { rateLimit: 0.01, burstLimit: 25 },
    };
    const outcomes = await Promise.all(Array.from({ length: 200 }, () => store.consume([check])));
    expect(outcomes.filter(([o]) => o!.allowed)).toHaveLength(25);
    const refused = outcomes.find(([o]) => !o!.allowed)![0]!;
    expect(refused.retryAfterMs).toBeGreaterThan(0);
  });

  it('counts a refused request against none of its limits', async () => {
    const quota: LimitCheck = {
      key: `q:${randomUUID()}`,
      kind: 'quota',
      limit: 100,
      end: Date.now() + 60_000,
    };
    const throttle: LimitCheck = {
      key: `t:${randomUUID()}`,
      kind: 'throttle',
      throttle: { rateLimit: 0.01, burstLimit: 2 },
    };
    const results = [];
    for (let i = 0; i < 5; i++)
      results.push((await store.consume([quota, throttle])).every((o) => o.allowed));
    expect(results).toEqual([true, true, false, false, false]);
    expect(await store.used(quota.key)).toBe(2);
  });

  it('decides in memory while Redis is frozen, says so once, and goes back to Redis when it answers', async () => {
    const events: string[] = [];
    const insured = new InsuredLimitStore(
      new RedisLimitStore({ url: redis.url, commandTimeoutMs: 100 }),
      new MemoryLimitStore(),
      { failed: () => events.push('failed'), recovered: () => events.push('recovered') },
      200,
    );
    await insured.start();
    const check: LimitCheck = {
      key: `t:${randomUUID()}`,
      kind: 'throttle',
      throttle: { rateLimit: 1000, burstLimit: 1000 },
    };
    await insured.consume([check]);
    redis.freeze();
    try {
      const started = performance.now();
      const outcomes = await Promise.all(Array.from({ length: 20 }, () => insured.consume([check])));
      expect(outcomes.every(([o]) => o!.allowed)).toBe(true);
      expect(insured.degraded).toBe(true);
      // Bounded by the command timeout, not by Redis.
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      redis.thaw();
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    await insured.consume([check]);
    expect(insured.degraded).toBe(false);
    expect(events).toEqual(['failed', 'recovered']);
    await insured.close();
  });
});
