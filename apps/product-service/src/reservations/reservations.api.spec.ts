import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProduct,
  openConnections,
  type ProductServiceHarness,
  type Response,
  sqlRows,
  startProductService,
  storedStock,
  tokensFor,
} from '../test-support/product-service.harness.js';
import { ReservationsSweeper } from './reservations.sweeper.js';

interface ReservationBody {
  id: string;
  key: string;
  status: string;
  items: Array<{ productId: string; quantity: number; unitPrice: number; currency: string; name: string }>;
  expiresAt: string;
  createdAt: string;
}

const TTL_MS = 15 * 60 * 1000;

describe('product-service stock reservations (real HTTP, real tokens, real database)', () => {
  let svc: ProductServiceHarness;
  let tokens: Awaited<ReturnType<typeof tokensFor>>;

  beforeAll(async () => {
    svc = await startProductService({
      // The sweep is called by the tests; its timer must not beat them to it.
      env: { RESERVATION_TTL_MS: String(TTL_MS), RESERVATION_SWEEP_INTERVAL_MS: '3600000' },
    });
    tokens = await tokensFor(svc);
  });

  afterAll(async () => {
    await svc?.close();
  });

  const expectProblem = (res: Response, status: number, code: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.contentType).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code });
    expect(res.body.correlationId).toEqual(expect.any(String));
  };

  const reserve = (items: Array<{ productId: string; quantity: number }>, key: string = randomUUID()) =>
    svc.call('POST', '/products/reservations', tokens.orderService, { key, items });
  const release = (id: string, token = tokens.orderService) =>
    svc.call('POST', `/products/reservations/${id}/release`, token);
  const commit = (id: string, token = tokens.orderService) =>
    svc.call('POST', `/products/reservations/${id}/commit`, token);
  const stock = async (id: string) => {
    const res = await svc.call('GET', `/products/${id}`, tokens.user);
    return res.body.stock as number;
  };
  /** Moves a reservation past its expiry, as if its TTL had run out: no sleeping. */
  const makeDue = (id: string) =>
    sqlRows(svc, sql`update reservations set expires_at = now() - interval '1 second' where id = ${id}`);
  const sweep = () => svc.app.get(ReservationsSweeper).sweep();

  describe('POST /products/reservations', () => {
    it('takes the units out at once and records the price and name as they were', async () => {
      const a = await createProduct(svc, tokens.manager, { name: 'Alpha', price: 1200, stock: 5 });
      const b = await createProduct(svc, tokens.manager, {
        name: 'Beta',
        price: 300,
        currency: 'USD',
        stock: 7,
      });
      const res = await reserve([
        { productId: b, quantity: 3 },
        { productId: a, quantity: 2 },
      ]);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      const body = res.body as unknown as ReservationBody;
      expect(body.status).toBe('reserved');
      expect(body.items).toEqual(
        [
          { productId: a, quantity: 2, unitPrice: 1200, currency: 'JPY', name: 'Alpha' },
          { productId: b, quantity: 3, unitPrice: 300, currency: 'USD', name: 'Beta' },
        ].sort((x, y) => x.productId.localeCompare(y.productId)),
      );
      expect(Date.parse(body.expiresAt) - Date.parse(body.createdAt)).toBeCloseTo(TTL_MS, -3);
      expect([await stock(a), await stock(b)]).toEqual([3, 4]);

      // A later price change does not reprice what was reserved.
      await svc.call('PATCH', `/products/${a}`, tokens.manager, { price: 9999, name: 'Alpha 2' });
      const again = await svc.call('GET', `/products/reservations/${body.id}`, tokens.orderService);
      expect(again.body).toMatchObject({
        items: expect.arrayContaining([
          expect.objectContaining({ productId: a, unitPrice: 1200, name: 'Alpha' }),
        ]),
      });
    });

    it('reserves all items or none: one short product leaves every stock as it was (409 naming it)', async () => {
      const plenty = await createProduct(svc, tokens.manager, { stock: 5 });
      const short = await createProduct(svc, tokens.manager, { stock: 1 });
      const shorter = await createProduct(svc, tokens.manager, { stock: 0 });
      const res = await reserve([
        { productId: plenty, quantity: 2 },
        { productId: short, quantity: 2 },
        { productId: shorter, quantity: 1 },
      ]);
      expectProblem(res, 409, 'INSUFFICIENT_STOCK');
      expect(res.body.shortages).toEqual(
        expect.arrayContaining([
          { productId: short, requested: 2, available: 1 },
          { productId: shorter, requested: 1, available: 0 },
        ]),
      );
      expect((res.body.shortages as unknown[]).length).toBe(2);
      expect([await stock(plenty), await stock(short), await stock(shorter)]).toEqual([5, 1, 0]);
    });

    it('answers 404 PRODUCT_NOT_FOUND naming every unknown product, taking nothing', async () => {
      const known = await createProduct(svc, tokens.manager, { stock: 5 });
      const unknown = randomUUID();
      const res = await reserve([
        { productId: known, quantity: 1 },
        { productId: unknown, quantity: 1 },
      ]);
      expectProblem(res, 404, 'PRODUCT_NOT_FOUND');
      expect(res.body.productIds).toEqual([unknown]);
      expect(await stock(known)).toBe(5);
    });

    it('accepts a product id in upper case as the same product', async () => {
      const id = await createProduct(svc, tokens.manager, { stock: 5 });
      const res = await reserve([{ productId: id.toUpperCase(), quantity: 1 }]);
      expect(res.status).toBe(201);
      expect((res.body as unknown as ReservationBody).items[0]?.productId).toBe(id);
    });
  });

  describe('idempotency by key', () => {
    it('returns the same reservation for the same key and items (200), taking the stock once', async () => {
      const a = await createProduct(svc, tokens.manager, { stock: 10 });
      const b = await createProduct(svc, tokens.manager, { stock: 10 });
      const key = `order:${randomUUID()}`;
      const first = await reserve(
        [
          { productId: a, quantity: 2 },
          { productId: b, quantity: 1 },
        ],
        key,
      );
      expect(first.status).toBe(201);
      // The same items in another order are the same request.
      const second = await reserve(
        [
          { productId: b, quantity: 1 },
          { productId: a, quantity: 2 },
        ],
        key,
      );
      expect(second.status).toBe(200);
      expect(second.body).toEqual(first.body);
      expect([await stock(a), await stock(b)]).toEqual([8, 9]);
    });

    it('refuses the same key with other items (422 IDEMPOTENCY_KEY_REUSED), taking nothing', async () => {
      const a = await createProduct(svc, tokens.manager, { stock: 10 });
      const b = await createProduct(svc, tokens.manager, { stock: 10 });
      const key = `order:${randomUUID()}`;
      const first = await reserve([{ productId: a, quantity: 2 }], key);
      for (const items of [
        [{ productId: a, quantity: 3 }],
        [{ productId: b, quantity: 2 }],
        [
          { productId: a, quantity: 2 },
          { productId: b, quantity: 1 },
        ],
      ]) {
        const res = await reserve(items, key);
        expectProblem(res, 422, 'IDEMPOTENCY_KEY_REUSED');
        expect(res.body.reservationId).toBe(first.body.id);
      }
      expect([await stock(a), await stock(b)]).toEqual([8, 10]);
    });

    it('returns the reservation as it is now, even when released, and does not take stock again', async () => {
      const a = await createProduct(svc, tokens.manager, { stock: 4 });
      const key = `order:${randomUUID()}`;
      const first = await reserve([{ productId: a, quantity: 4 }], key);
      expect((await release(first.body.id as string)).status).toBe(200);
      const again = await reserve([{ productId: a, quantity: 4 }], key);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: first.body.id, status: 'released' });
      expect(await stock(a)).toBe(4);
    });

    it('creates one reservation when the same key arrives many times at once, even for the last units', async () => {
      const a = await createProduct(svc, tokens.manager, { stock: 3 });
      const key = `order:${randomUUID()}`;
      await openConnections(svc, 30);
      const results = await Promise.all(
        Array.from({ length: 30 }, () => reserve([{ productId: a, quantity: 3 }], key)),
      );
      expect(results.map((r) => r.status).sort()).toEqual([...Array<number>(29).fill(200), 201]);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      expect(await storedStock(svc, a)).toBe(0);
    });
  });

  describe('release and commit, exactly once', () => {
    it('release puts the units back once; again is a no-op; commit after it is 409 RESERVATION_RELEASED', async () => {
      const a = await createProduct(svc, tokens.manager, { stock: 6 });
      const { body } = await reserve([{ productId: a, quantity: 4 }]);
      expect(await stock(a)).toBe(2);
      const first = await release(body.id as string);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ id: body.id, status: 'released' });
      expect(await stock(a)).toBe(6);
      const second = await release(body.id as string);
      expect(second.status).toBe(200);
      expect(second.body.status).toBe('released');
      expect(await stock(a)).toBe(6);
      expectProblem(await commit(body.id as string), 409, 'RESERVATION_RELEASED');
      expect(await stock(a)).toBe(6);
    });

    it('commit keeps the units taken; again is a no-op; release after it is 409 RESERVATION_COMMITTED', async () => {
      const a = await createProduct(svc, tokens.manager, { stock: 6 });
      const { body } = await reserve([{ productId: a, quantity: 4 }]);
      const first = await commit(body.id as string);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ id: body.id, status: 'committed' });
      expect((await commit(body.id as string)).body.status).toBe('committed');
      expectProblem(await release(body.id as string), 409, 'RESERVATION_COMMITTED');
      expect(await stock(a)).toBe(2);
      // Committed is final: the sweep leaves it alone even once it is past its expiry.
      await makeDue(body.id as string);
      await sweep();
      expect(await stock(a)).toBe(2);
    });

    it('return puts the units of a committed reservation back once (a cancelled order); never of an open one', async () => {
      const a = await createProduct(svc, tokens.manager, { stock: 5 });
      const { body } = await reserve([{ productId: a, quantity: 3 }]);
      const id = body.id as string;
      const returnUnits = () => svc.call('POST', `/products/reservations/${id}/return`, tokens.orderService);
      expectProblem(await returnUnits(), 409, 'RESERVATION_NOT_COMMITTED');
      expect(await stock(a)).toBe(2);
      await commit(id);
      const first = await returnUnits();
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ id, status: 'returned' });
      expect(await stock(a)).toBe(5);
      expect((await returnUnits()).body.status).toBe('returned');
      expect(await stock(a)).toBe(5);
      // Sold and given back: neither a release nor a commit makes it anything else.
      expectProblem(await release(id), 409, 'RESERVATION_COMMITTED');
      expectProblem(await commit(id), 409, 'RESERVATION_COMMITTED');
      expect(await stock(a)).toBe(5);
    });

    it('finds a reservation by the key it was made with, and says 404 when none was', async () => {
      const a = await createProduct(svc, tokens.manager, { stock: 3 });
      const key = `order:${randomUUID()}`;
      const { body } = await reserve([{ productId: a, quantity: 1 }], key);
      const found = await svc.call(
        'GET',
        `/products/reservations?key=${encodeURIComponent(key)}`,
        tokens.orderService,
      );
      expect(found.status).toBe(200);
      expect(found.body).toMatchObject({ id: body.id, key, status: 'reserved' });
      expectProblem(
        await svc.call('GET', `/products/reservations?key=${randomUUID()}`, tokens.orderService),
        404,
        'RESERVATION_NOT_FOUND',
      );
      expectProblem(
        await svc.call('GET', '/products/reservations?key=a%20b', tokens.orderService),
        400,
        'VALIDATION_FAILED',
      );
      expect((await svc.call('GET', `/products/reservations?key=${key}`, tokens.user)).status).toBe(403);
    });

    it('void releases what a key holds, or bars the key so that a late request with it takes nothing', async () => {
      const a = await createProduct(svc, tokens.manager, { stock: 5 });
      const voidKey = (key: string) =>
        svc.call('POST', '/products/reservations/void', tokens.orderService, { key });
      // Made, then voided: released, units back, and again is a no-op.
      const made = randomUUID();
      await reserve([{ productId: a, quantity: 2 }], made);
      expect((await voidKey(made)).body).toMatchObject({ key: made, status: 'released' });
      expect((await voidKey(made)).body.status).toBe('released');
      expect(await stock(a)).toBe(5);
      // Voided before it was made (the request is still on its way): it then takes nothing.
      const late = randomUUID();
      expect((await voidKey(late)).body).toMatchObject({ key: late, status: 'released', items: [] });
      expectProblem(await reserve([{ productId: a, quantity: 2 }], late), 422, 'IDEMPOTENCY_KEY_REUSED');
      expect(await stock(a)).toBe(5);
      // Committed: refused, the units stay sold.
      const sold = randomUUID();
      const { body } = await reserve([{ productId: a, quantity: 1 }], sold);
      await commit(body.id as string);
      expectProblem(await voidKey(sold), 409, 'RESERVATION_COMMITTED');
      expect(await stock(a)).toBe(4);
      expectProblem(await voidKey('not a key'), 400, 'VALIDATION_FAILED');
    });

    it('lets an admin release and commit too', async () => {
      const a = await createProduct(svc, tokens.manager, { stock: 2 });
      const { body } = await reserve([{ productId: a, quantity: 1 }]);
      expect((await release(body.id as string, tokens.admin)).status).toBe(200);
      expect(
        (await svc.call('GET', `/products/reservations/${body.id as string}`, tokens.admin)).status,
      ).toBe(200);
    });

    it('answers 404 RESERVATION_NOT_FOUND for an unknown reservation and 400 INVALID_ID for a malformed id', async () => {
      for (const action of ['release', 'commit', 'return']) {
        expectProblem(
          await svc.call('POST', `/products/reservations/${randomUUID()}/${action}`, tokens.orderService),
          404,
          'RESERVATION_NOT_FOUND',
        );
        expectProblem(
          await svc.call('POST', `/products/reservations/nope/${action}`, tokens.orderService),
          400,
          'INVALID_ID',
        );
      }
      expectProblem(
        await svc.call('GET', `/products/reservations/${randomUUID()}`, tokens.orderService),
        404,
        'RESERVATION_NOT_FOUND',
      );
    });
  });

  describe('expiry', () => {
    it('the sweep expires a reservation past its expiry and puts its units back, once', async () => {
      const a = await createProduct(svc, tokens.manager, { stock: 5 });
      const b = await createProduct(svc, tokens.manager, { stock: 5 });
      const { body } = await reserve([
        { productId: a, quantity: 2 },
        { productId: b, quantity: 5 },
      ]);
      const untouched = await reserve([{ productId: a, quantity: 1 }]);
      await makeDue(body.id as string);
      expect(await sweep()).toBeGreaterThanOrEqual(1);
      expect([await stock(a), await stock(b)]).toEqual([4, 5]);
      const after = await svc.call('GET', `/products/reservations/${body.id as string}`, tokens.orderService);
      expect(after.body.status).toBe('expired');
      expect(
        (await svc.call('GET', `/products/reservations/${untouched.body.id as string}`, tokens.orderService))
          .body.status,
      ).toBe('reserved');
      // Swept again, nothing more comes back.
      await sweep();
      expect([await stock(a), await stock(b)]).toEqual([4, 5]);
      // Commit after expiry is refused; release is a no-op.
      expectProblem(await commit(body.id as string), 409, 'RESERVATION_EXPIRED');
      expect((await release(body.id as string)).body.status).toBe('expired');
      expect([await stock(a), await stock(b)]).toEqual([4, 5]);
    });

    it('a commit that finds the reservation past due, before the sweep, expires it: 409 and units back once', async () => {
      const a = await createProduct(svc, tokens.manager, { stock: 5 });
      const { body } = await reserve([{ productId: a, quantity: 3 }]);
      await makeDue(body.id as string);
      expectProblem(await commit(body.id as string), 409, 'RESERVATION_EXPIRED');
      expect(await stock(a)).toBe(5);
      await sweep();
      expect(await stock(a)).toBe(5);
      const state = await svc.call('GET', `/products/reservations/${body.id as string}`, tokens.orderService);
      expect(state.body.status).toBe('expired');
    });

    it('a release that finds it past due puts the units back once and says it expired', async () => {
      const a = await createProduct(svc, tokens.manager, { stock: 5 });
      const { body } = await reserve([{ productId: a, quantity: 3 }]);
      await makeDue(body.id as string);
      const res = await release(body.id as string);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('expired');
      await sweep();
      expect(await stock(a)).toBe(5);
    });

    it('runs by itself on its interval with a tiny TTL, and stops with the service', async () => {
      const quick = await startProductService({
        env: { RESERVATION_TTL_MS: '1', RESERVATION_SWEEP_INTERVAL_MS: '20' },
      });
      try {
        const t = await tokensFor(quick);
        const a = await createProduct(quick, t.manager, { stock: 3 });
        const res = await quick.call('POST', '/products/reservations', t.orderService, {
          key: 'quick-1',
          items: [{ productId: a, quantity: 2 }],
        });
        expect(res.status).toBe(201);
        const deadline = Date.now() + 5_000;
        while ((await storedStock(quick, a)) !== 3) {
          if (Date.now() > deadline) throw new Error('the sweep never put the units back');
          await delay(20);
        }
        const state = await quick.call(
          'GET',
          `/products/reservations/${res.body.id as string}`,
          t.orderService,
        );
        expect(state.body.status).toBe('expired');
        expectProblem(
          await quick.call('POST', `/products/reservations/${res.body.id as string}/commit`, t.orderService),
          409,
          'RESERVATION_EXPIRED',
        );
      } finally {
        await quick.close();
      }
    });
  });

  describe('who may work reservations', () => {
    it('order-service (scope service/product.write) and admins; not users, managers or read-only services', async () => {
      const a = await createProduct(svc, tokens.manager, { stock: 5 });
      const body = { key: randomUUID(), items: [{ productId: a, quantity: 1 }] };
      expectProblem(
        await svc.call('POST', '/products/reservations', tokens.user, body),
        403,
        'INSUFFICIENT_ROLE',
      );
      expectProblem(
        await svc.call('POST', '/products/reservations', tokens.manager, body),
        403,
        'INSUFFICIENT_ROLE',
      );
      expectProblem(
        await svc.call('POST', '/products/reservations', tokens.readOnlyService, body),
        403,
        'INSUFFICIENT_SCOPE',
      );
      expectProblem(await svc.call('POST', '/products/reservations', undefined, body), 401, 'TOKEN_MISSING');
      expect(await stock(a)).toBe(5);
      const made = await svc.call('POST', '/products/reservations', tokens.admin, body);
      expect(made.status).toBe(201);
      const id = made.body.id as string;
      for (const [method, path] of [
        ['GET', `/products/reservations/${id}`],
        ['POST', `/products/reservations/${id}/release`],
        ['POST', `/products/reservations/${id}/commit`],
      ] as const) {
        expect((await svc.call(method, path, tokens.user)).status, `${method} ${path}`).toBe(403);
      }
      expect(await stock(a)).toBe(4);
    });
  });
});
