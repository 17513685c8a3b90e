import { randomUUID } from 'node:crypto';
import type { HarnessResponse } from '@helpline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Buyer, type OrderSystem, startOrderSystem } from './support/order-system.js';

interface OrderBody {
  id: string;
  userId: string;
  status: string;
  items: Array<{ productId: string; name: string; unitPrice: number; quantity: number }>;
  total: number;
  currency: string;
  reason?: string;
}

const BUYER_TTL_MS = 1_000;

/** order-service with the real user-service and product-service behind it. */
describe('order-service (real HTTP across three services, real databases)', () => {
  let sys: OrderSystem;
  let alice: Buyer;
  let bob: Buyer;

  beforeAll(async () => {
    // A short buyer cache, so that its expiry can be waited for.
    sys = await startOrderSystem({ orderEnv: { BUYER_CACHE_TTL_MS: String(BUYER_TTL_MS) } });
    [alice, bob] = await Promise.all([sys.buyer(), sys.buyer()]);
  });

  afterAll(async () => {
    await sys?.close();
  });

  const expectProblem = (res: HarnessResponse, status: number, code: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.contentType).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code });
  };

  describe('POST /orders', () => {
    it('places an order: priced by product-service, stock taken, the buyer read from user-service', async () => {
      const a = await sys.product({ name: 'Tea', price: 800, stock: 5 });
      const b = await sys.product({ name: 'Cup', price: 1500, stock: 3 });
      const res = await sys.order(alice, [
        { productId: a, quantity: 2 },
        { productId: b, quantity: 1 },
      ]);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const order = res.body as unknown as OrderBody;
      expect(order).toMatchObject({
        userId: alice.userId,
        status: 'confirmed',
        total: 3100,
        currency: 'JPY',
      });
      expect(order.items).toEqual(
        expect.arrayContaining([
          { productId: a, name: 'Tea', unitPrice: 800, quantity: 2 },
          { productId: b, name: 'Cup', unitPrice: 1500, quantity: 1 },
        ]),
      );
      expect([await sys.stockOf(a), await sys.stockOf(b)]).toEqual([3, 2]);

      const read = await sys.orders.call('GET', `/orders/${order.id}`, alice.token);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(res.body);
    });

    it('refuses what there is not enough of (409 INSUFFICIENT_STOCK), taking nothing and keeping a failed order', async () => {
      const a = await sys.product({ stock: 1 });
      const res = await sys.order(alice, [{ productId: a, quantity: 2 }]);
      expectProblem(res, 409, 'INSUFFICIENT_STOCK');
      expect(res.body.shortages).toEqual([{ productId: a, requested: 2, available: 1 }]);
      expect(await sys.stockOf(a)).toBe(1);
      const mine = await sys.orders.call('GET', '/orders?status=failed', alice.token);
      expect((mine.body.items as OrderBody[]).some((o) => o.reason === 'INSUFFICIENT_STOCK')).toBe(true);
    });

    it('refuses an unknown product (422 PRODUCT_NOT_FOUND) and items in two currencies (422 MIXED_CURRENCIES), taking nothing', async () => {
      expectProblem(
        await sys.order(alice, [{ productId: randomUUID(), quantity: 1 }]),
        422,
        'PRODUCT_NOT_FOUND',
      );
      const yen = await sys.product({ stock: 4 });
      const dollars = await sys.product({ currency: 'USD', stock: 4 });
      const mixed = await sys.order(alice, [
        { productId: yen, quantity: 1 },
        { productId: dollars, quantity: 1 },
      ]);
      expectProblem(mixed, 422, 'MIXED_CURRENCIES');
      // Those were reserved before the currencies could be compared: given back by the outbox.
      await sys.settle();
      expect([await sys.stockOf(yen), await sys.stockOf(dollars)]).toEqual([4, 4]);
    });

    it('is idempotent by Idempotency-Key: same key and items, same order (200) and no second reservation', async () => {
      const a = await sys.product({ stock: 5 });
      const key = randomUUID();
      const first = await sys.order(alice, [{ productId: a, quantity: 2 }], key);
      expect(first.status).toBe(201);
      const again = await sys.order(alice, [{ productId: a, quantity: 2 }], key);
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
      expect(await sys.stockOf(a)).toBe(3);
      // The same key from another buyer is another order.
      const other = await sys.order(bob, [{ productId: a, quantity: 1 }], key);
      expect(other.status).toBe(201);
      expect(other.body.id).not.toBe(first.body.id);
    });

    it('refuses the same key with other items (422 IDEMPOTENCY_KEY_REUSED), taking nothing', async () => {
      const a = await sys.product({ stock: 5 });
      const key = randomUUID();
      expect((await sys.order(alice, [{ productId: a, quantity: 1 }], key)).status).toBe(201);
      expectProblem(
        await sys.order(alice, [{ productId: a, quantity: 2 }], key),
        422,
        'IDEMPOTENCY_KEY_REUSED',
      );
      expect(await sys.stockOf(a)).toBe(4);
    });

    it('places one order for one key however many copies of the request race', async () => {
      const a = await sys.product({ stock: 20 });
      const key = randomUUID();
      const results = await Promise.all(
        Array.from({ length: 8 }, () => sys.order(alice, [{ productId: a, quantity: 1 }], key)),
      );
      const ok = results.filter((r) => r.status === 200 || r.status === 201);
      expect(new Set(ok.map((r) => r.body.id)).size).toBe(1);
      // Copies that arrive while the first is still being placed are told to retry, never a second order.
      for (const r of results.filter((r) => r.status >= 400))
        expect(r.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
      expect(await sys.stockOf(a)).toBe(19);
    });

    it('refuses a buyer user-service does not know (409 USER_NOT_PROVISIONED), and a service token (403)', async () => {
      const stranger = await sys.issuer.accessToken({ sub: randomUUID(), groups: ['user'] });
      const a = await sys.product({ stock: 2 });
      const res = await sys.orders.call('POST', '/orders', stranger, {
        items: [{ productId: a, quantity: 1 }],
      });
      expectProblem(res, 409, 'USER_NOT_PROVISIONED');
      const service = await sys.issuer.serviceToken(['service/order.write']);
      const bySvc = await sys.orders.call('POST', '/orders', service, {
        items: [{ productId: a, quantity: 1 }],
      });
      expect(bySvc.status).toBe(403);
      expect(await sys.stockOf(a)).toBe(2);
    });

    it('refuses a disabled buyer (403 USER_DISABLED)', async () => {
      const carol = await sys.buyer();
      await sys.users.call('PATCH', `/users/${carol.userId}`, sys.tokens.admin, { status: 'disabled' });
      const a = await sys.product({ stock: 2 });
      expectProblem(await sys.order(carol, [{ productId: a, quantity: 1 }]), 403, 'USER_DISABLED');
      expect(await sys.stockOf(a)).toBe(2);
    });

    it('takes an active buyer as active for BUYER_CACHE_TTL_MS, then reads user-service again', async () => {
      const erin = await sys.buyer();
      const a = await sys.product({ stock: 5 });
      expect((await sys.order(erin, [{ productId: a, quantity: 1 }])).status).toBe(201);
      await sys.users.call('PATCH', `/users/${erin.userId}`, sys.tokens.admin, { status: 'disabled' });
      // Within the TTL the buyer is still the active one read a moment ago (the documented price
      // of not asking user-service on every order)...
      expect((await sys.order(erin, [{ productId: a, quantity: 1 }])).status).toBe(201);
      // ...and once it has passed, user-service is asked again and says disabled.
      await new Promise((resolve) => setTimeout(resolve, BUYER_TTL_MS + 100));
      expectProblem(await sys.order(erin, [{ productId: a, quantity: 1 }]), 403, 'USER_DISABLED');
      expect(await sys.stockOf(a)).toBe(3);
    });
  });

  describe('reading and cancelling', () => {
    it('lists a buyer their own orders only, newest first, with pages; staff see everyone’s', async () => {
      const a = await sys.product({ stock: 10 });
      const dave = await sys.buyer();
      const placed: string[] = [];
      for (let i = 0; i < 3; i++)
        placed.push((await sys.order(dave, [{ productId: a, quantity: 1 }])).body.id as string);
      await sys.order(bob, [{ productId: a, quantity: 1 }]);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await sys.orders.call(
          'GET',
          `/orders?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          dave.token,
        );
        expect(page.status).toBe(200);
        seen.push(...(page.body.items as OrderBody[]).map((o) => o.id));
        cursor = page.body.nextCursor as string | null;
      } while (cursor);
      expect(seen).toEqual([...placed].reverse());

      const all = await sys.orders.call('GET', '/orders?limit=100', sys.tokens.manager);
      const owners = new Set((all.body.items as OrderBody[]).map((o) => o.userId));
      expect(owners.has(dave.userId) && owners.has(bob.userId)).toBe(true);
    });

    it("answers 404 for someone else's order, to read or to cancel — as if it did not exist", async () => {
      const a = await sys.product({ stock: 3 });
      const mine = await sys.order(alice, [{ productId: a, quantity: 1 }]);
      const id = mine.body.id as string;
      expectProblem(await sys.orders.call('GET', `/orders/${id}`, bob.token), 404, 'ORDER_NOT_FOUND');
      expectProblem(await sys.orders.call('POST', `/orders/${id}/cancel`, bob.token), 404, 'ORDER_NOT_FOUND');
      expect((await sys.orders.call('GET', `/orders/${id}`, sys.tokens.admin)).status).toBe(200);
      expect(await sys.stockOf(a)).toBe(2);
    });

    it('cancels a confirmed order and puts its units back; a second cancel is 409 ORDER_NOT_CANCELLABLE', async () => {
      const a = await sys.product({ stock: 4 });
      const placed = await sys.order(alice, [{ productId: a, quantity: 3 }]);
      expect(await sys.stockOf(a)).toBe(1);
      const cancelled = await sys.orders.call(
        'POST',
        `/orders/${placed.body.id as string}/cancel`,
        alice.token,
      );
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', reason: 'CANCELLED' });
      expect(await sys.stockOf(a)).toBe(4);
      expectProblem(
        await sys.orders.call('POST', `/orders/${placed.body.id as string}/cancel`, alice.token),
        409,
        'ORDER_NOT_CANCELLABLE',
      );
      expect(await sys.stockOf(a)).toBe(4);
    });

    it('lets a manager cancel anyone’s order', async () => {
      const a = await sys.product({ stock: 2 });
      const placed = await sys.order(bob, [{ productId: a, quantity: 2 }]);
      const res = await sys.orders.call(
        'POST',
        `/orders/${placed.body.id as string}/cancel`,
        sys.tokens.manager,
      );
      expect(res.status).toBe(200);
      expect(await sys.stockOf(a)).toBe(2);
    });
  });

  describe('bad input: 400, 404 or 422 with a code, never 500, nothing taken', () => {
    it.each([
      ['quantity 0', { items: [{ productId: 'P', quantity: 0 }] }],
      ['a negative quantity', { items: [{ productId: 'P', quantity: -1 }] }],
      ['a quantity over 1000', { items: [{ productId: 'P', quantity: 1001 }] }],
      ['a quantity that is no integer', { items: [{ productId: 'P', quantity: 1.5 }] }],
      ['a quantity of 1e12', { items: [{ productId: 'P', quantity: 1e12 }] }],
      ['a quantity in a string', { items: [{ productId: 'P', quantity: '1' }] }],
      ['a malformed product id', { items: [{ productId: 'not-a-uuid', quantity: 1 }] }],
      ['no items', { items: [] }],
      [
        'the same product twice',
        {
          items: [
            { productId: 'P', quantity: 1 },
            { productId: 'P', quantity: 2 },
          ],
        },
      ],
      ['items that are not objects', { items: [null, 1, 'x'] }],
      ['an item that is an array', { items: [[]] }],
      ['an unknown member', { items: [{ productId: 'P', quantity: 1 }], coupon: 'FREE' }],
      ['items: null', { items: null }],
      [
        'more than 50 items',
        { items: Array.from({ length: 51 }, () => ({ productId: randomUUID(), quantity: 1 })) },
      ],
    ])('%s: 400 VALIDATION_FAILED', async (_what, body) => {
      const a = await sys.product({ stock: 5 });
      const text = JSON.stringify(body).replaceAll('"P"', `"${a}"`);
      const res = await sys.orders.call('POST', '/orders', alice.token, text);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(await sys.stockOf(a)).toBe(5);
    });

    it('a body that is not JSON: 400 INVALID_JSON; not a JSON object: 400 INVALID_BODY; form-encoded: 415', async () => {
      expectProblem(
        await sys.orders.call('POST', '/orders', alice.token, '{"items": ['),
        400,
        'INVALID_JSON',
      );
      expectProblem(await sys.orders.call('POST', '/orders', alice.token, '[]'), 400, 'INVALID_BODY');
      expectProblem(
        await sys.orders.call('POST', '/orders', alice.token, 'items=1', {
          'content-type': 'application/x-www-form-urlencoded',
        }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    });

    it('a malformed Idempotency-Key: 400 INVALID_IDEMPOTENCY_KEY', async () => {
      const a = await sys.product({ stock: 1 });
      const res = await sys.orders.call(
        'POST',
        '/orders',
        alice.token,
        { items: [{ productId: a, quantity: 1 }] },
        {
          'idempotency-key': 'x'.repeat(256),
        },
      );
      expectProblem(res, 400, 'INVALID_IDEMPOTENCY_KEY');
    });

    it('malformed order ids and cursors: 400; an unknown order: 404', async () => {
      expectProblem(await sys.orders.call('GET', '/orders/nope', alice.token), 400, 'INVALID_ID');
      expectProblem(await sys.orders.call('POST', '/orders/nope/cancel', alice.token), 400, 'INVALID_ID');
      expectProblem(
        await sys.orders.call('GET', '/orders?cursor=bm9wZQ', alice.token),
        400,
        'INVALID_CURSOR',
      );
      expectProblem(
        await sys.orders.call('GET', `/orders/${randomUUID()}`, alice.token),
        404,
        'ORDER_NOT_FOUND',
      );
      expectProblem(
        await sys.orders.call('GET', '/orders?status=lost', alice.token),
        400,
        'VALIDATION_FAILED',
      );
    });
  });
});
