import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProduct,
  openConnections,
  type ProductServiceHarness,
  sqlRows,
  startProductService,
  storedStock,
  tokensFor,
} from '../test-support/product-service.harness.js';
import { ReservationsSweeper } from './reservations.sweeper.js';

/**
 * Races on a real PostgreSQL, over real HTTP: many requests at once for the same rows. Two
 * instances of the service share the database, as several ECS tasks share one RDS database.
 */
describe('product-service under concurrent requests (real PostgreSQL)', () => {
  let svc: ProductServiceHarness;
  let other: ProductServiceHarness;
  let tokens: Awaited<ReturnType<typeof tokensFor>>;
  let otherToken: string;

  beforeAll(async () => {
    const env = { RESERVATION_SWEEP_INTERVAL_MS: '3600000' };
    svc = await startProductService({ env });
    other = await startProductService({ env, databaseUrl: svc.database.url });
    tokens = await tokensFor(svc);
    otherToken = await other.issuer.serviceToken(['service/product.write'], 'order-service');
  });

  afterAll(async () => {
    await other?.close();
    await svc?.close();
  });

  /** Connections to both instances ready before a burst, so that its requests really overlap. */
  const warm = (count: number) => Promise.all([openConnections(svc, count), openConnections(other, count)]);

  /** Alternates between the two instances, so that the race is also between processes' pools. */
  const reserveOn = (
    i: number,
    items: Array<{ productId: string; quantity: number }>,
    key: string = randomUUID(),
  ) =>
    i % 2 === 0
      ? svc.call('POST', '/products/reservations', tokens.orderService, { key, items })
      : other.call('POST', '/products/reservations', otherToken, { key, items });

  const makeDue = (ids: string[]) =>
    sqlRows(
      svc,
      sql`update reservations set expires_at = now() - interval '1 second' where id in (${sql.join(
        ids.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})`,
    );

  it('50 concurrent reservations of 1 unit for 10 units: exactly 10 succeed, 40 are 409, stock ends at 0', async () => {
    const product = await createProduct(svc, tokens.manager, { stock: 10 });
    await warm(25);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => reserveOn(i, [{ productId: product, quantity: 1 }])),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    for (const refused of results.filter((r) => r.status === 409)) {
      expect(refused.body.code).toBe('INSUFFICIENT_STOCK');
      expect(refused.body.shortages).toEqual([{ productId: product, requested: 1, available: 0 }]);
    }
    // As stored, not as the API says: 0, and exactly the 10 successful reservations hold the units.
    expect(await storedStock(svc, product)).toBe(0);
    const [held] = await sqlRows<{ reservations: number; units: number }>(
      svc,
      sql`select count(*)::int as reservations, coalesce(sum(quantity), 0)::int as units
          from reservation_items where product_id = ${product}`,
    );
    expect(held).toEqual({ reservations: 10, units: 10 });
  });

  it('keeps stock from going below zero even for a writer that skips the service (CHECK constraint)', async () => {
    const product = await createProduct(svc, tokens.manager, { stock: 1 });
    await expect(
      sqlRows(svc, sql`update products set stock = stock - 2 where id = ${product}`),
    ).rejects.toMatchObject({ cause: expect.objectContaining({ code: '23514' }) });
    expect(await storedStock(svc, product)).toBe(1);
  });

  it('multi-unit reservations racing for the last units never oversell', async () => {
    const product = await createProduct(svc, tokens.manager, { stock: 17 });
    const quantities = Array.from({ length: 30 }, (_, i) => 1 + (i % 4));
    await warm(15);
    const results = await Promise.all(
      quantities.map((quantity, i) => reserveOn(i, [{ productId: product, quantity }])),
    );
    const taken = results.reduce((sum, r, i) => sum + (r.status === 201 ? quantities[i]! : 0), 0);
    expect(results.every((r) => r.status === 201 || r.body.code === 'INSUFFICIENT_STOCK')).toBe(true);
    expect(await storedStock(svc, product)).toBe(17 - taken);
    expect(17 - taken).toBeGreaterThanOrEqual(0);
    // No 1-unit request was refused while a unit was left at the end.
    if (17 - taken > 0) {
      const refusedSingles = results.filter((r, i) => r.status === 409 && quantities[i] === 1);
      expect(refusedSingles).toHaveLength(0);
    }
  });

  it('concurrent release and commit of one reservation: exactly one wins, every time', async () => {
    const product = await createProduct(svc, tokens.manager, { stock: 100 });
    let committed = 0;
    for (let round = 0; round < 20; round++) {
      const { body } = await reserveOn(round, [{ productId: product, quantity: 2 }]);
      const id = body.id as string;
      // On different instances, in both orders of sending.
      const [release, commit] =
        round % 2 === 0
          ? await Promise.all([
              svc.call('POST', `/products/reservations/${id}/release`, tokens.orderService),
              other.call('POST', `/products/reservations/${id}/commit`, otherToken),
            ])
          : await Promise.all([
              other.call('POST', `/products/reservations/${id}/release`, otherToken),
              svc.call('POST', `/products/reservations/${id}/commit`, tokens.orderService),
            ]).then(([r, c]) => [r, c] as const);
      const outcome = [release.status, commit.status];
      if (commit.status === 200) {
        committed++;
        expect(outcome).toEqual([409, 200]);
        expect(release.body.code).toBe('RESERVATION_COMMITTED');
      } else {
        expect(outcome).toEqual([200, 409]);
        expect(commit.body.code).toBe('RESERVATION_RELEASED');
      }
      const [row] = await sqlRows<{ status: string }>(
        svc,
        sql`select status from reservations where id = ${id}`,
      );
      expect(row?.status).toBe(commit.status === 200 ? 'committed' : 'released');
    }
    expect(await storedStock(svc, product)).toBe(100 - 2 * committed);
  });

  it('commits racing the sweeps of two instances for due reservations: units go back exactly once', async () => {
    const product = await createProduct(svc, tokens.manager, { stock: 40 });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const { body } = await reserveOn(i, [{ productId: product, quantity: 2 }]);
      ids.push(body.id as string);
    }
    expect(await storedStock(svc, product)).toBe(0);
    await makeDue(ids);
    await warm(10);
    const [commits] = await Promise.all([
      Promise.all(
        ids.map((id, i) =>
          i % 2 === 0
            ? svc.call('POST', `/products/reservations/${id}/commit`, tokens.orderService)
            : other.call('POST', `/products/reservations/${id}/commit`, otherToken),
        ),
      ),
      svc.app.get(ReservationsSweeper).sweep(),
      other.app.get(ReservationsSweeper).sweep(),
    ]);
    for (const res of commits) {
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('RESERVATION_EXPIRED');
    }
    expect(await storedStock(svc, product)).toBe(40);
    const [row] = await sqlRows<{ expired: number }>(
      svc,
      sql`select count(*)::int as expired from reservations r join reservation_items i on i.reservation_id = r.id
          where i.product_id = ${product} and r.status = 'expired'`,
    );
    expect(row?.expired).toBe(20);
  });

  it('two instances sweeping at once expire each reservation once', async () => {
    const product = await createProduct(svc, tokens.manager, { stock: 300 });
    const ids: string[] = [];
    // More than one sweep batch (100), so both sweeps loop over several.
    const made = await Promise.all(
      Array.from({ length: 250 }, (_, i) => reserveOn(i, [{ productId: product, quantity: 1 }])),
    );
    for (const res of made) ids.push(res.body.id as string);
    expect(await storedStock(svc, product)).toBe(50);
    await makeDue(ids);
    const [a, b] = await Promise.all([
      svc.app.get(ReservationsSweeper).sweep(),
      other.app.get(ReservationsSweeper).sweep(),
    ]);
    expect(a + b).toBe(250);
    expect(await storedStock(svc, product)).toBe(300);
  });

  it('overlapping multi-item reservations in opposite orders do not deadlock', async () => {
    const [a, b, c] = await Promise.all([
      createProduct(svc, tokens.manager, { stock: 1000 }),
      createProduct(svc, tokens.manager, { stock: 1000 }),
      createProduct(svc, tokens.manager, { stock: 1000 }),
    ]);
    const orders = [
      [a, b, c],
      [c, b, a],
      [b, a, c],
      [c, a, b],
    ];
    // Reservations, and releases of earlier ones, all at once over the same three rows.
    await warm(30);
    const first = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        reserveOn(
          i,
          orders[i % 4]!.map((productId) => ({ productId: productId!, quantity: 1 })),
        ),
      ),
    );
    expect(first.map((r) => r.status)).toEqual(Array(20).fill(201));
    const mixed = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) =>
        reserveOn(
          i,
          orders[(i + 1) % 4]!.map((productId) => ({ productId: productId!, quantity: 2 })),
        ),
      ),
      ...first.map((r, i) =>
        i % 2 === 0
          ? svc.call('POST', `/products/reservations/${r.body.id as string}/release`, tokens.orderService)
          : other.call('POST', `/products/reservations/${r.body.id as string}/release`, otherToken),
      ),
    ]);
    const statuses = mixed.map((r) => r.status);
    expect(statuses.slice(0, 40)).toEqual(Array(40).fill(201));
    expect(statuses.slice(40)).toEqual(Array(20).fill(200));
    for (const product of [a, b, c]) expect(await storedStock(svc, product!)).toBe(1000 - 40 * 2);
  });
});
