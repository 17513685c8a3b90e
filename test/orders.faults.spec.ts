import type { FaultRule } from '@helpline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Buyer, ORDER_CLIENT, type OrderSystem, startOrderSystem } from './support/order-system.js';
import { startServiceProcess } from './support/service-process.js';
import { ledger } from './support/stock-ledger.js';

const TIMEOUT_MS = 300;
const BUDGET_MS = 800;
const RESERVE = /^\/products\/reservations$/;
const COMMIT = /^\/products\/reservations\/[^/]+\/commit$/;

/** A step of order creation failing in one way, while the rest of product-service works. */
const at =
  (step: RegExp, fault: ReturnType<FaultRule>): FaultRule =>
  ({ method, path }) =>
    method === 'POST' && step.test(path) ? fault : undefined;

/**
 * product-service failing at each step of order creation (down, slow past the timeout, a 500, an
 * answer lost after it acted), and order-service killed between reserving and committing: the
 * caller gets a 503 with a code, and once things recover no reservation is left open and every
 * product's stock adds up (initial = available + units in confirmed orders).
 */
describe('orders when product-service fails, and when order-service dies mid-order', () => {
  let sys: OrderSystem;
  let buyer: Buyer;

  beforeAll(async () => {
    sys = await startOrderSystem({
      orderEnv: {
        UPSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
        UPSTREAM_CALL_BUDGET_MS: String(BUDGET_MS),
        // This file tests each step's failure; the breaker has its own tests in @helpline/http.
        UPSTREAM_BREAKER_FAILURES: '1000',
        ORDER_ABANDON_AFTER_MS: '1000',
      },
    });
    buyer = await sys.buyer();
  });

  afterAll(async () => {
    await sys?.close();
  });

  /** Waits until every request the proxy passed on late has reached product-service. */
  const delayedRequestsDone = async () => {
    const deadline = Date.now() + 10_000;
    const inFlight = () =>
      sys.productsProxy.requests.some(
        (r) => r.status === undefined && (r.fault === undefined || r.fault === 'delayed'),
      );
    while (inFlight()) {
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it.each<[string, FaultRule, { confirmed: boolean }]>([
    ['reserve: product-service down', at(RESERVE, 'refuse'), { confirmed: false }],
    ['reserve: product-service answers 500', at(RESERVE, { status: 500 }), { confirmed: false }],
    ['reserve: product-service frozen (no answer)', at(RESERVE, 'hang'), { confirmed: false }],
    [
      'reserve: slower than the time limit, then done anyway',
      at(RESERVE, { delayMs: 1_500 }),
      { confirmed: false },
    ],
    ['reserve: done, but the answer is lost', at(RESERVE, { after: () => undefined }), { confirmed: false }],
    ['commit: product-service down', at(COMMIT, 'refuse'), { confirmed: false }],
    ['commit: product-service answers 500', at(COMMIT, { status: 500 }), { confirmed: false }],
    ['commit: product-service frozen (no answer)', at(COMMIT, 'hang'), { confirmed: false }],
    // The commit went through: the units are sold, and the order stands after all.
    ['commit: done, but the answer is lost', at(COMMIT, { after: () => undefined }), { confirmed: true }],
  ])('%s: a 503 with a code, then nothing stranded', async (_what, rule, outcome) => {
    const product = await sys.product({ stock: 5 });
    sys.productsProxy.fail(rule);
    const started = performance.now();
    const res = await sys.order(buyer, [{ productId: product, quantity: 2 }]);
    const elapsed = performance.now() - started;

    expect(res.status, JSON.stringify(res.body)).toBe(503);
    expect(res.contentType).toMatch(/^application\/problem\+json/);
    expect(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT']).toContain(res.body.code);
    expect(res.body.upstream).toBe('product-service');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    // Each call to product-service is bounded by the call budget (reserve, then commit).
    expect(elapsed).toBeLessThan(2 * BUDGET_MS + 1_000);

    sys.productsProxy.fail();
    await delayedRequestsDone();
    await sys.settleAll();
    expect(await ledger(sys, product, 5)).toEqual({
      initial: 5,
      available: outcome.confirmed ? 3 : 5,
      sold: outcome.confirmed ? 2 : 0,
      open: 0,
      committedWithoutOrder: [],
    });
  });

  it('a retry with the same Idempotency-Key after an outage places the order', async () => {
    const product = await sys.product({ stock: 5 });
    const key = crypto.randomUUID();
    sys.productsProxy.fail(at(RESERVE, 'refuse'));
    expect((await sys.order(buyer, [{ productId: product, quantity: 1 }], key)).status).toBe(503);
    sys.productsProxy.fail();
    const retry = await sys.order(buyer, [{ productId: product, quantity: 1 }], key);
    expect(retry.status).toBe(201);
    await sys.settleAll();
    expect(await ledger(sys, product, 5)).toMatchObject({ available: 4, sold: 1, open: 0 });
  });

  it('order-service killed between reserving and committing: the next instance releases the stock', async () => {
    const product = await sys.product({ stock: 5 });
    // A second instance on the same database, as its own process, so that it can be killed.
    const doomed = await startServiceProcess('apps/order-service/src/main.ts', {
      ...sys.issuer.env({ JWT_AUDIENCE: sys.issuer.clientId }),
      ...sys.issuer.m2mEnv(ORDER_CLIENT.id, ORDER_CLIENT.scopes),
      LOG_LEVEL: 'warn',
      DATABASE_URL: sys.orders.database.url,
      USER_SERVICE_URL: sys.users.base,
      PRODUCT_SERVICE_URL: sys.productsProxy.url,
      RESERVATION_WORKER: 'off',
    });
    try {
      // The reservation is made; the instance dies before it hears back, so it never commits.
      sys.productsProxy.fail(at(RESERVE, { after: () => void doomed.child.kill('SIGKILL') }));
      const res = await fetch(`${doomed.base}/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${buyer.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ productId: product, quantity: 3 }] }),
      }).catch((error: Error) => error);
      expect(res).toBeInstanceOf(Error);
      expect((await doomed.exited).signal).toBe('SIGKILL');
      sys.productsProxy.fail();
      expect(await ledger(sys, product, 5)).toMatchObject({ available: 2, sold: 0, open: 1 });

      // Another instance on the same database sees the order pending past the abandon age.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await sys.settleAll();
      expect(await ledger(sys, product, 5)).toEqual({
        initial: 5,
        available: 5,
        sold: 0,
        open: 0,
        committedWithoutOrder: [],
      });
    } finally {
      await doomed.stop();
    }
  });
});
