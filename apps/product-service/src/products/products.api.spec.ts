import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProduct,
  type ProductServiceHarness,
  type Response,
  startProductService,
  tokensFor,
} from '../test-support/product-service.harness.js';

interface ProductBody {
  id: string;
  sku: string;
  name: string;
  description: string;
  price: number;
  currency: string;
  stock: number;
  createdAt: string;
  updatedAt: string;
}

type Page = { items: ProductBody[]; nextCursor: string | null };

describe('product-service products API (real HTTP, real tokens, real database)', () => {
  let svc: ProductServiceHarness;
  let tokens: Awaited<ReturnType<typeof tokensFor>>;

  beforeAll(async () => {
    svc = await startProductService();
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

  /** Every page of a listing, following nextCursor; fails on a page over the limit. */
  const allPages = async (query: string, limit: number): Promise<ProductBody[]> => {
    const seen: ProductBody[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const res = await svc.call(
        'GET',
        `/products?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`,
        tokens.user,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const page = res.body as unknown as Page;
      expect(page.items.length).toBeLessThanOrEqual(limit);
      seen.push(...page.items);
      cursor = page.nextCursor;
      if (!cursor) return seen;
    }
    throw new Error('more than 50 pages');
  };

  describe('POST /products', () => {
    it('lets a manager create a product (201), trimmed, sku upper-cased, stock defaulting to 0', async () => {
      const res = await svc.call('POST', '/products', tokens.manager, {
        sku: ' kb-100 ',
        name: '  Keyboard  ',
        price: 12800,
        currency: 'jpy',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body).toMatchObject({
        sku: 'KB-100',
        name: 'Keyboard',
        description: '',
        price: 12800,
        currency: 'JPY',
        stock: 0,
      });
      expect(res.body.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    });

    it('lets an admin create one too', async () => {
      const res = await svc.call('POST', '/products', tokens.admin, {
        sku: 'ADM-1',
        name: 'Admin made',
        price: 0,
        currency: 'USD',
        stock: 5,
      });
      expect(res.status).toBe(201);
    });

    it('refuses a plain user (403 INSUFFICIENT_ROLE) and order-service (403)', async () => {
      const body = { sku: 'NOPE-1', name: 'No', price: 1, currency: 'JPY' };
      expectProblem(await svc.call('POST', '/products', tokens.user, body), 403, 'INSUFFICIENT_ROLE');
      expect((await svc.call('POST', '/products', tokens.orderService, body)).status).toBe(403);
      expectProblem(await svc.call('POST', '/products', undefined, body), 401, 'TOKEN_MISSING');
    });

    it('answers 409 SKU_TAKEN for a sku that exists in any case', async () => {
      for (const sku of ['KB-100', 'kb-100', 'Kb-100']) {
        const res = await svc.call('POST', '/products', tokens.manager, {
          sku,
          name: 'Clash',
          price: 1,
          currency: 'JPY',
        });
        expectProblem(res, 409, 'SKU_TAKEN');
      }
    });

    it('names every invalid field in one 400', async () => {
      const res = await svc.call('POST', '/products', tokens.manager, {
        sku: 'has space',
        name: '',
        description: 7,
        price: -1,
        currency: 'XXY',
        stock: 1.5,
        colour: 'red',
      });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      const fields = new Set((res.body.errors as Array<{ field: string }>).map((e) => e.field));
      expect(fields).toEqual(new Set(['sku', 'name', 'description', 'price', 'currency', 'stock', 'colour']));
    });

    it('refuses a price or stock out of range', async () => {
      for (const [field, value] of [
        ['price', 1_000_000_001],
        ['price', 1e12],
        ['stock', -1],
        ['stock', 2 ** 31],
        ['price', '100'],
      ] as const) {
        const res = await svc.call('POST', '/products', tokens.manager, {
          sku: 'RANGE-1',
          name: 'Range',
          price: 1,
          currency: 'JPY',
          [field]: value,
        });
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(new Set((res.body.errors as Array<{ field: string }>).map((e) => e.field))).toEqual(
          new Set([field]),
        );
      }
    });
  });

  describe('GET /products/{id}', () => {
    it('serves any signed-in caller, people and services', async () => {
      const id = await createProduct(svc, tokens.manager, { name: 'Readable' });
      for (const token of [tokens.user, tokens.manager, tokens.orderService, tokens.readOnlyService]) {
        const res = await svc.call('GET', `/products/${id}`, token);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ id, name: 'Readable' });
      }
    });

    it('answers 404 PRODUCT_NOT_FOUND for an unknown id and 400 INVALID_ID for a malformed one', async () => {
      expectProblem(
        await svc.call('GET', `/products/${randomUUID()}`, tokens.user),
        404,
        'PRODUCT_NOT_FOUND',
      );
      expectProblem(await svc.call('GET', '/products/1%27%20or%201=1', tokens.user), 400, 'INVALID_ID');
    });
  });

  describe('PATCH /products/{id}', () => {
    it('lets a manager change any field, and keeps the rest', async () => {
      const id = await createProduct(svc, tokens.manager, { name: 'Before', price: 500 });
      const res = await svc.call('PATCH', `/products/${id}`, tokens.manager, { price: 650, stock: 3 });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id, name: 'Before', price: 650, stock: 3 });
      expect(Date.parse(res.body.updatedAt as string)).toBeGreaterThanOrEqual(
        Date.parse(res.body.createdAt as string),
      );
    });

    it('refuses a user, null members, unknown fields; 404 for an unknown id; 409 for a taken sku', async () => {
      const id = await createProduct(svc, tokens.manager);
      expectProblem(
        await svc.call('PATCH', `/products/${id}`, tokens.user, { price: 1 }),
        403,
        'INSUFFICIENT_ROLE',
      );
      const nulls = await svc.call('PATCH', `/products/${id}`, tokens.manager, { name: null, stock: null });
      expectProblem(nulls, 400, 'VALIDATION_FAILED');
      expect(new Set((nulls.body.errors as Array<{ field: string }>).map((e) => e.field))).toEqual(
        new Set(['name', 'stock']),
      );
      expectProblem(
        await svc.call('PATCH', `/products/${id}`, tokens.manager, { id: randomUUID() }),
        400,
        'VALIDATION_FAILED',
      );
      expectProblem(
        await svc.call('PATCH', `/products/${randomUUID()}`, tokens.manager, { price: 1 }),
        404,
        'PRODUCT_NOT_FOUND',
      );
      expectProblem(
        await svc.call('PATCH', `/products/${id}`, tokens.manager, { sku: 'kB-100' }),
        409,
        'SKU_TAKEN',
      );
    });
  });

  describe('DELETE /products/{id}', () => {
    it('is for admins and managers: 204, then 404', async () => {
      const id = await createProduct(svc, tokens.manager);
      expectProblem(await svc.call('DELETE', `/products/${id}`, tokens.user), 403, 'INSUFFICIENT_ROLE');
      expect((await svc.call('DELETE', `/products/${id}`, tokens.manager)).status).toBe(204);
      expectProblem(await svc.call('DELETE', `/products/${id}`, tokens.manager), 404, 'PRODUCT_NOT_FOUND');
      expectProblem(await svc.call('GET', `/products/${id}`, tokens.user), 404, 'PRODUCT_NOT_FOUND');
    });

    it('refuses while an open reservation holds some of the product (409 PRODUCT_RESERVED), not after', async () => {
      const id = await createProduct(svc, tokens.manager, { stock: 5 });
      const reserved = await svc.call('POST', '/products/reservations', tokens.orderService, {
        key: `delete-${id}`,
        items: [{ productId: id, quantity: 2 }],
      });
      expect(reserved.status).toBe(201);
      expectProblem(await svc.call('DELETE', `/products/${id}`, tokens.admin), 409, 'PRODUCT_RESERVED');
      const release = await svc.call(
        'POST',
        `/products/reservations/${reserved.body.id as string}/release`,
        tokens.orderService,
      );
      expect(release.status).toBe(200);
      expect((await svc.call('DELETE', `/products/${id}`, tokens.admin)).status).toBe(204);
      // The reservation keeps its snapshot of what it held.
      const after = await svc.call(
        'GET',
        `/products/reservations/${reserved.body.id as string}`,
        tokens.orderService,
      );
      expect(after.body).toMatchObject({ status: 'released', items: [{ productId: id, quantity: 2 }] });
    });
  });

  describe('GET /products', () => {
    let searchIds: Record<string, string>;

    beforeAll(async () => {
      searchIds = {};
      for (const [sku, name] of [
        ['COT-100P', '100% Cotton Tee'],
        ['COT-1000', '1000 Cotton Tees'],
        ['AB_1', 'Underscore sku'],
        ['ABX1', 'Lookalike sku'],
        ['BSL-1', 'Back\\slash'],
      ]) {
        searchIds[sku!] = await createProduct(svc, tokens.manager, { sku, name });
      }
    });

    const search = async (q: string) =>
      (await allPages(`&q=${encodeURIComponent(q)}`, 100)).map((p) => p.sku).sort();

    it('is open to any signed-in caller, and to nobody else', async () => {
      expect((await svc.call('GET', '/products', tokens.orderService)).status).toBe(200);
      expectProblem(await svc.call('GET', '/products'), 401, 'TOKEN_MISSING');
    });

    it('searches name and sku, ignoring case', async () => {
      expect(await search('cotton')).toEqual(['COT-1000', 'COT-100P']);
      expect(await search('cot-100p')).toEqual(['COT-100P']);
      expect(await search('UNDERSCORE')).toEqual(['AB_1']);
    });

    it('matches % and _ literally, not as wildcards', async () => {
      expect(await search('100%')).toEqual(['COT-100P']);
      expect(await search('%')).toEqual(['COT-100P']);
      expect(await search('b_1')).toEqual(['AB_1']);
      expect(await search('_')).toEqual(['AB_1']);
      expect(await search('\\')).toEqual(['BSL-1']);
      expect(await search('k\\s')).toEqual(['BSL-1']);
      expect(await search('%%')).toEqual([]);
    });

    it('treats an empty or blank q as no search', async () => {
      const everything = await allPages('', 100);
      expect((await allPages('&q=', 100)).length).toBe(everything.length);
      expect((await allPages('&q=%20%20', 100)).length).toBe(everything.length);
    });

    it('pages oldest first without skipping or repeating, with and without a search', async () => {
      const everything = await allPages('', 100);
      expect(everything.length).toBeGreaterThan(8);
      for (const limit of [1, 2, 3]) {
        const paged = await allPages('', limit);
        expect(paged.map((p) => p.id)).toEqual(everything.map((p) => p.id));
      }
      const order = everything.map((p) => [p.createdAt, p.id].join(' '));
      expect([...order].sort()).toEqual(order);
      const searched = await allPages('&q=sku', 1);
      expect(searched.map((p) => p.sku).sort()).toEqual(['AB_1', 'ABX1'].sort());
    });

    it('defaults to 20 items and caps limit at 100', async () => {
      for (let i = 0; i < 12; i++) await createProduct(svc, tokens.manager);
      const res = await svc.call('GET', '/products', tokens.user);
      expect((res.body as unknown as Page).items).toHaveLength(20);
      expect((res.body as unknown as Page).nextCursor).toEqual(expect.any(String));
      for (const query of ['limit=0', 'limit=101', 'limit=abc', 'limit=1.5']) {
        const bad = await svc.call('GET', `/products?${query}`, tokens.user);
        expectProblem(bad, 400, 'VALIDATION_FAILED');
        expect((bad.body.errors as Array<{ field: string }>)[0]?.field).toBe('limit');
      }
      expectProblem(await svc.call('GET', '/products?cursor=garbage', tokens.user), 400, 'INVALID_CURSOR');
      const long = await svc.call('GET', `/products?q=${'a'.repeat(101)}`, tokens.user);
      expectProblem(long, 400, 'VALIDATION_FAILED');
    });
  });

  describe('the service around the routes', () => {
    it('keeps health, metrics and docs open, and documents every route', async () => {
      for (const path of ['/health/live', '/health/ready', '/metrics', '/docs/json']) {
        expect((await fetch(`${svc.base}${path}`)).status, path).toBe(200);
      }
      const ready = await svc.call('GET', '/health/ready');
      expect(ready.body.info).toMatchObject({ database: { status: 'up' }, signingKeys: { status: 'up' } });
      const doc = (await (await fetch(`${svc.base}/docs/json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([
          '/products',
          '/products/{id}',
          '/products/reservations',
          '/products/reservations/{id}',
          '/products/reservations/{id}/release',
          '/products/reservations/{id}/commit',
        ]),
      );
    });

    it('answers problem+json with the correlation id', async () => {
      const res = await fetch(`${svc.base}/products`, { headers: { 'x-correlation-id': 'corr-products' } });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({
        status: 401,
        code: 'TOKEN_MISSING',
        correlationId: 'corr-products',
      });
    });
  });
});
