import { randomUUID } from 'node:crypto';
import { createTestDatabase, createTestIssuer, type TestDatabase, type TestIssuer } from '@helpline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePlans } from './support/gateway.js';
import {
  noteSkippedWithoutRedis,
  type RedisServer,
  redisServerInstalled,
  startRedisServer,
} from './support/redis-server.js';
import { type ServiceProcess, startServiceProcess } from './support/service-process.js';
import { startStubUpstream, type StubUpstream } from './support/stub-upstream.js';

const RATE = 20;
const BURST = 10;
const QUOTA = 5;
const PLANS = {
  plans: {
    'five-a-day': { throttle: { rateLimit: 1000, burstLimit: 1000 }, quota: { limit: QUOTA, period: 'DAY' } },
  },
  keyless: {
    perUser: { throttle: { rateLimit: RATE, burstLimit: BURST } },
    perIp: { throttle: { rateLimit: 100_000, burstLimit: 100_000 } },
  },
};

/**
 * Two gateway processes sharing one Redis (a redis-server of this test's own, which it stops):
 * however the traffic is spread over them, they admit no more than one budget allows; with Redis
 * gone they keep serving, each on its own in-memory budget.
 */
noteSkippedWithoutRedis('gateway.shared-limits');

describe.skipIf(!redisServerInstalled)('two gateways sharing Redis', () => {
  let redis: RedisServer;
  let issuer: TestIssuer;
  let database: TestDatabase;
  let upstream: StubUpstream;
  let plans: Awaited<ReturnType<typeof writePlans>>;
  let gateways: ServiceProcess[] = [];

  beforeAll(async () => {
    [redis, issuer, database, upstream, plans] = await Promise.all([
      startRedisServer(),
      createTestIssuer(),
      createTestDatabase(),
      startStubUpstream('any-service'),
      writePlans(PLANS),
    ]);
    const env = {
      ...issuer.env(),
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      USER_SERVICE_URL: upstream.url,
      ORDER_SERVICE_URL: upstream.url,
      PRODUCT_SERVICE_URL: upstream.url,
      GATEWAY_USAGE_PLANS_FILE: plans.file,
    };
    // Started together: both run the migrations against one empty database.
    gateways = await Promise.all([
      startServiceProcess('apps/api-gateway/src/main.ts', env),
      startServiceProcess('apps/api-gateway/src/main.ts', env),
    ]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await Promise.all([redis?.stop(), issuer?.close(), database?.drop(), upstream?.close(), plans?.remove()]);
  });

  /**
   * `clients` concurrent callers, each sending to the two gateways in turn for `durationMs`; the
   * statuses, and the time from the first request sent to the last answer received.
   */
  async function flood(token: string, clients: number, durationMs: number) {
    const statuses: number[] = [];
    const started = performance.now();
    const until = started + durationMs;
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        for (let i = client; performance.now() < until; i++) {
          const gateway = gateways[i % gateways.length]!;
          const res = await fetch(`${gateway.base}/users/me`, {
            headers: { authorization: `Bearer ${token}` },
          });
          await res.arrayBuffer();
          statuses.push(res.status);
        }
      }),
    );
    const elapsedSeconds = (performance.now() - started) / 1000;
    return {
      admitted: statuses.filter((s) => s === 200).length,
      refused: statuses.filter((s) => s === 429).length,
      other: statuses.filter((s) => s !== 200 && s !== 429),
      /** What one shared token bucket can admit in that time. */
      bound: BURST + Math.ceil(RATE * elapsedSeconds),
    };
  }

  it('admit, between them, no more than burst + rate × elapsed of one caller', async () => {
    const token = await issuer.accessToken({ sub: randomUUID() });
    const result = await flood(token, 16, 1_500);
    expect(result.other).toEqual([]);
    expect(result.refused).toBeGreaterThan(0);
    expect(result.admitted).toBeGreaterThanOrEqual(BURST);
    expect(result.admitted, JSON.stringify(result)).toBeLessThanOrEqual(result.bound);
  });

  it('spend one API-key quota exactly, whichever gateway each call goes to', async () => {
    const admin = await issuer.accessToken({ groups: ['admin'] });
    const created = await fetch(`${gateways[0]!.base}/admin/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'shared quota', plan: 'five-a-day' }),
    });
    const { key, id } = (await created.json()) as { key: string; id: string };
    const token = await issuer.accessToken({ sub: randomUUID() });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${gateways[i % 2]!.base}/orders`, {
          headers: { authorization: `Bearer ${token}`, 'x-api-key': key },
        }).then(async (res) => {
          await res.arrayBuffer();
          return res.status;
        }),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(QUOTA);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20 - QUOTA);
    // The other gateway reports the same usage.
    const shown = await fetch(`${gateways[1]!.base}/admin/api-keys/${id}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(((await shown.json()) as { usage: unknown }).usage).toMatchObject({ used: QUOTA, limit: QUOTA });
  });

  it('keep serving with Redis stopped, each on its own budget, and say so', async () => {
    await redis.stop();
    const token = await issuer.accessToken({ sub: randomUUID() });
    const result = await flood(token, 16, 1_500);
    expect(result.other).toEqual([]);
    expect(result.refused).toBeGreaterThan(0);
    // Two budgets now, one per gateway: more than one shared budget could have admitted.
    expect(result.admitted, JSON.stringify(result)).toBeGreaterThan(result.bound);
    for (const gateway of gateways) {
      const ready = await fetch(`${gateway.base}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({
        details: { rateLimits: { status: 'up', store: 'redis', degraded: true } },
      });
      await gateway.waitForLog((line) => String(line.msg).startsWith('Redis is failing'));
    }
  });

  it('never logged a token or a key', async () => {
    const output = gateways.map((g) => g.output()).join('\n');
    expect(output).toContain('"msg":"access"');
    expect(output).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
    expect(output).not.toMatch(/hl_[A-Za-z0-9_-]{43}/);
  });
});
