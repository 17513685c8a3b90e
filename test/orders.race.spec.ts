import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Buyer, type OrderSystem, startOrderSystem } from './support/order-system.js';
import { ledger } from './support/stock-ledger.js';

/** The last units of a product, ordered by many at once, on real PostgreSQL. */
describe('orders racing for the last units', () => {
  let sys: OrderSystem;
  let buyers: Buyer[];

  beforeAll(async () => {
    sys = await startOrderSystem();
    buyers = await Promise.all(Array.from({ length: 10 }, () => sys.buyer()));
  });

  afterAll(async () => {
    await sys?.close();
  });

  it('50 concurrent orders for the last 10 units: exactly 10 sold, stock 0 and never below, 40 told 409', async () => {
    const product = await sys.product({ stock: 10 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        sys.order(buyers[i % buyers.length]!, [{ productId: product, quantity: 1 }]),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    const losers = results.filter((r) => r.status !== 201);
    expect(losers).toHaveLength(40);
    for (const loser of losers)
      expect(loser.body, JSON.stringify(loser.body)).toMatchObject({
        status: 409,
        code: 'INSUFFICIENT_STOCK',
      });

    await sys.settle();
    expect(await ledger(sys, product, 10)).toEqual({
      initial: 10,
      available: 0,
      sold: 10,
      open: 0,
      committedWithoutOrder: [],
    });
  });

  it('orders and cancels racing over one product leave the stock adding up', async () => {
    const product = await sys.product({ stock: 20 });
    const placed = await Promise.all(
      Array.from({ length: 10 }, (_, i) => sys.order(buyers[i]!, [{ productId: product, quantity: 2 }])),
    );
    const ids = placed.filter((r) => r.status === 201).map((r) => r.body.id as string);
    expect(ids).toHaveLength(10);
    // Half cancelled while ten more orders try for what is left.
    await Promise.all([
      ...ids.slice(0, 5).map((id, i) => sys.orders.call('POST', `/orders/${id}/cancel`, buyers[i]!.token)),
      ...Array.from({ length: 10 }, (_, i) => sys.order(buyers[i]!, [{ productId: product, quantity: 1 }])),
    ]);
    await sys.settle();
    const after = await ledger(sys, product, 20);
    expect(after.available + after.sold).toBe(20);
    expect(after.available).toBeGreaterThanOrEqual(0);
    expect(after.open).toBe(0);
    expect(after.committedWithoutOrder).toEqual([]);
  });
});
