import { afterEach, describe, expect, it } from 'vitest';
import { LEASE_TTL_MS, type LeaseChannel, LeaseCoordinator, LeasedLimitStore } from './leases.js';
import type { LimitCheck } from './limit-store.js';

/** Workers and their primary in one process: messages delivered a macrotask later, as over IPC. */
function cluster(workers: number) {
  const coordinator = new LeaseCoordinator();
  let messages = 0;
  const stores = Array.from({ length: workers }, () => {
    let handler: Parameters<LeaseChannel['onReply']>[0] = () => undefined;
    const channel: LeaseChannel = {
      send: (message) => {
        messages++;
        setImmediate(() => {
          const reply = coordinator.handle(JSON.parse(JSON.stringify(message)));
          if (reply) setImmediate(() => handler(JSON.parse(JSON.stringify(reply))));
        });
      },
      onReply: (h) => (handler = h),
    };
    return new LeasedLimitStore(channel, workers);
  });
  return { coordinator, stores, messages: () => messages };
}

let open: LeasedLimitStore[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

const throttle = (rateLimit: number, burstLimit: number): LimitCheck => ({
  key: `t:${Math.random()}`,
  kind: 'throttle',
  throttle: { rateLimit, burstLimit },
});

describe('leased limits across workers', () => {
  it('admit no more than burst + rate × elapsed between them, and come close to it', async () => {
    const { stores } = cluster(3);
    open = stores;
    const check = throttle(200, 50);
    const started = performance.now();
    let admitted = 0;
    await Promise.all(
      Array.from({ length: 30 }, async (_, client) => {
        const store = stores[client % stores.length]!;
        while (performance.now() - started < 400) {
          const [outcome] = await store.consume([check]);
          if (outcome!.allowed) admitted++;
          else await new Promise((resolve) => setTimeout(resolve, 2));
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    expect(admitted).toBeLessThanOrEqual(50 + Math.ceil(200 * elapsed));
    // Not a vacuous bound: the workers between them got most of what the limit allows.
    expect(admitted).toBeGreaterThan(50 + 200 * 0.4 * 0.5);
  });

  it('spend a quota exactly, whichever worker each request reaches', async () => {
    const { stores } = cluster(2);
    open = stores;
    const quota: LimitCheck = {
      key: `q:${Math.random()}`,
      kind: 'quota',
      limit: 7,
      end: Date.now() + 60_000,
    };
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % 2]!.consume([quota])));
    expect(outcomes.filter(([o]) => o!.allowed)).toHaveLength(7);
  });

  it('are all or nothing: a request one limit refuses takes nothing from the others', async () => {
    const { stores, coordinator } = cluster(1);
    open = stores;
    const quota: LimitCheck = {
      key: `q:${Math.random()}`,
      kind: 'quota',
      limit: 100,
      end: Date.now() + 60_000,
    };
    const tight = throttle(0.001, 2);
    const results = [];
    for (let i = 0; i < 5; i++)
      results.push((await stores[0]!.consume([quota, tight])).every((o) => o.allowed));
    expect(results).toEqual([true, true, false, false, false]);
    await stores[0]!.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Two spent; whatever was leased and not spent went back on close.
    expect(coordinator.store.usedNow(quota.key)).toBe(2);
  });

  it('refuse a spent limit without asking the primary again until the retry time', async () => {
    const { stores, messages } = cluster(1);
    open = stores;
    const check = throttle(0.5, 1);
    expect((await stores[0]!.consume([check]))[0]!.allowed).toBe(true);
    const refused = await stores[0]!.consume([check]);
    expect(refused[0]).toMatchObject({ allowed: false });
    expect(refused[0]!.retryAfterMs).toBeGreaterThan(1_000);
    const asked = messages();
    for (let i = 0; i < 100; i++) expect(stores[0]!.consumeNow([check])?.[0]?.allowed).toBe(false);
    expect(messages()).toBe(asked);
  });

  it('give back what a worker leased and did not spend', async () => {
    const { stores } = cluster(2);
    open = stores;
    const check = throttle(0.001, 16);
    // Worker 0 leases a share (16 / (4 × 2) = 2) and spends one.
    expect((await stores[0]!.consume([check]))[0]!.allowed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, LEASE_TTL_MS * 2));
    // Its unspent one went back: worker 1 gets all 15 that are left.
    let admitted = 0;
    for (let i = 0; i < 20; i++) if ((await stores[1]!.consume([check]))[0]!.allowed) admitted++;
    expect(admitted).toBe(15);
  });

  it("grow a busy worker's leases, and ask for the next before the last is spent", async () => {
    const { stores, messages } = cluster(1);
    open = stores;
    const check = throttle(1_000_000, 1_000_000);
    let waited = 0;
    for (let i = 0; i < 20_000; i++) {
      if (stores[0]!.consumeNow([check])?.[0]?.allowed) continue;
      waited++;
      expect((await stores[0]!.consume([check]))[0]!.allowed).toBe(true);
      // Let a lease asked for ahead of time arrive, as the event loop would between requests.
      if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // Leases of 16, 32, … 1024: a few dozen messages, where leases of at most 64 took about 310.
    expect(messages()).toBeLessThan(60);
    expect(waited).toBeLessThan(60);
  });

  it('refuse, rather than admit uncounted, when the primary does not answer', async () => {
    const store = new LeasedLimitStore({ send: () => undefined, onReply: () => undefined }, 2);
    open = [store];
    const [outcome] = await store.consume([throttle(100, 100)]);
    expect(outcome).toMatchObject({ allowed: false });
  });
});
