import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createTestDatabase, createTestIssuer, type TestDatabase, type TestIssuer } from '@helpline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePlans } from './support/gateway.js';
import { type ServiceProcess, startServiceProcess } from './support/service-process.js';
import { startStubUpstream, type StubUpstream } from './support/stub-upstream.js';

const RATE = 20;
const BURST = 10;

/**
 * The gateway as several worker processes (GATEWAY_WORKERS=2) with its counters in memory: the
 * primary keeps them and the workers lease from it, so one caller's budget is one budget whichever
 * worker serves each request; `/metrics` sums the workers; a worker that dies is replaced.
 */
describe('the gateway with two workers', () => {
  let issuer: TestIssuer;
  let database: TestDatabase;
  let upstream: StubUpstream;
  let plans: Awaited<ReturnType<typeof writePlans>>;
  let gateway: ServiceProcess;

  /** The primary's children that run the gateway (vite-node also starts an esbuild service). */
  const workerPids = () =>
    execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(gateway.child.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes('api-gateway/src/main.ts'))
      .map((line) => Number(line.trim().split(/\s+/)[0]));

  beforeAll(async () => {
    [issuer, database, upstream, plans] = await Promise.all([
      createTestIssuer(),
      createTestDatabase(),
      startStubUpstream('any-service'),
      writePlans({
        plans: {},
        keyless: {
          perUser: { throttle: { rateLimit: RATE, burstLimit: BURST } },
          perIp: { throttle: { rateLimit: 100_000, burstLimit: 100_000 } },
        },
      }),
    ]);
    gateway = await startServiceProcess('apps/api-gateway/src/main.ts', {
      ...issuer.env(),
      LOG_LEVEL: 'info',
      GATEWAY_WORKERS: '2',
      DATABASE_URL: database.url,
      USER_SERVICE_URL: upstream.url,
      ORDER_SERVICE_URL: upstream.url,
      PRODUCT_SERVICE_URL: upstream.url,
      GATEWAY_USAGE_PLANS_FILE: plans.file,
    });
    // The port answers once the first worker listens; wait for both.
    const deadline = Date.now() + 60_000;
    while (gateway.logs().filter((l) => String(l.msg).includes('listening on')).length < 2) {
      if (Date.now() > deadline) throw new Error(`workers did not start: ${gateway.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 90_000);

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([issuer?.close(), database?.drop(), upstream?.close(), plans?.remove()]);
  });

  it('serves from two worker processes', () => {
    expect(workerPids()).toHaveLength(2);
  });

  it('keeps one budget per caller across the workers', async () => {
    const token = await issuer.accessToken({ sub: randomUUID() });
    const statuses: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (performance.now() - started < 1_500) {
          // A new connection each time, so that both workers serve this caller.
          const res = await fetch(`${gateway.base}/users/me`, {
            headers: { authorization: `Bearer ${token}`, connection: 'close' },
          });
          await res.arrayBuffer();
          statuses.push(res.status);
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const admitted = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(admitted, `${admitted} in ${elapsed} s`).toBeLessThanOrEqual(BURST + Math.ceil(RATE * elapsed));
    expect(admitted).toBeGreaterThanOrEqual(BURST);
  });

  it('answers /metrics with the sum of both workers', async () => {
    const token = await issuer.accessToken({ sub: randomUUID() });
    const count = async () => {
      const text = await (
        await fetch(`${gateway.base}/metrics`, { headers: { connection: 'close' } })
      ).text();
      return Number(
        /http_requests_total\{method="GET",route="\/orders",status_code="200"\} (\d+)/.exec(text)?.[1] ?? 0,
      );
    };
    const before = await count();
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${gateway.base}/orders`, {
        headers: { authorization: `Bearer ${token}`, connection: 'close' },
      });
      await res.arrayBuffer();
    }
    expect((await count()) - before).toBe(8);
  });

  it('replaces a worker that dies, and serves meanwhile', async () => {
    const [victim] = workerPids();
    process.kill(victim!, 'SIGKILL');
    // Once the primary knows (a connection it hands out in the instant before is lost with the
    // worker: node:cluster's race, which a client's retry covers), the other worker serves alone.
    const died = () => gateway.logs().some((l) => l.msg === 'a worker died; starting another');
    for (const deadline = Date.now() + 10_000; !died() && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const token = await issuer.accessToken({ sub: randomUUID() });
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${gateway.base}/products`, {
        headers: { authorization: `Bearer ${token}`, connection: 'close' },
        signal: AbortSignal.timeout(5_000),
      });
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    }
    const deadline = Date.now() + 60_000;
    while (!(workerPids().length === 2 && !workerPids().includes(victim!))) {
      if (Date.now() > deadline) throw new Error('the worker was not replaced');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 90_000);

  it('stops every worker on SIGTERM, and exits 0', async () => {
    const pids = workerPids();
    await gateway.stop();
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});
