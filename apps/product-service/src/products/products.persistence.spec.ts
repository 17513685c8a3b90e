import { createTestDatabase, type TestDatabase } from '@helpline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProductService } from '../test-support/product-service.harness.js';
import { DEMO_PRODUCTS } from './products.seed.js';

/** The database as `npm start` uses it: seeded with the demo products when empty, kept across restarts. */
describe('product-service across restarts', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  const start = () => startProductService({ databaseUrl: database.url, env: { SEED_DEMO_DATA: 'true' } });

  const listSkus = async (svc: Awaited<ReturnType<typeof start>>) => {
    const token = await svc.issuer.accessToken({ groups: ['user'] });
    const res = await svc.call('GET', '/products?limit=100', token);
    return (res.body.items as Array<{ sku: string }>).map((p) => p.sku);
  };

  it('seeds the demo products once, even when two instances start together on an empty database', async () => {
    const [first, second] = await Promise.all([start(), start()]);
    try {
      expect(await listSkus(first)).toEqual(DEMO_PRODUCTS.map((p) => p.sku));
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('gives the demo products fixed ids, yen prices and stock', async () => {
    const svc = await start();
    try {
      const token = await svc.issuer.accessToken({ groups: ['user'] });
      const res = await svc.call('GET', '/products/b0000000-0000-4000-8000-000000000001', token);
      expect(res.body).toMatchObject({ sku: 'KB-001', currency: 'JPY', price: 12800, stock: 25 });
      for (const product of DEMO_PRODUCTS) {
        expect(product.id).toMatch(/^b0000000-0000-4000-8000-00000000000\d$/);
        expect(product.stock).toBeGreaterThan(0);
      }
    } finally {
      await svc.close();
    }
  });

  it('keeps what was written across a restart, and never seeds a database that has products', async () => {
    const first = await start();
    const manager = await first.issuer.accessToken({ groups: ['manager'] });
    const created = await first.call('POST', '/products', manager, {
      sku: 'KEPT-1',
      name: 'Kept',
      price: 1,
      currency: 'JPY',
    });
    expect(created.status).toBe(201);
    const deleted = await first.call('DELETE', `/products/${DEMO_PRODUCTS[0].id}`, manager);
    expect(deleted.status).toBe(204);
    await first.close();

    const second = await start();
    try {
      expect(await listSkus(second)).toEqual([...DEMO_PRODUCTS.slice(1).map((p) => p.sku), 'KEPT-1']);
    } finally {
      await second.close();
    }
  });
});
