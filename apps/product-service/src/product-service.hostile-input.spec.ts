import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProduct,
  type ProductServiceHarness,
  type Response,
  startProductService,
  storedStock,
  tokensFor,
} from './test-support/product-service.harness.js';

/**
 * Requests a hostile or careless client sends to product-service: each is a 4xx problem with a
 * code that names what is wrong, and none of them moves a unit of stock.
 */
describe('product-service against hostile input', () => {
  let svc: ProductServiceHarness;
  let tokens: Awaited<ReturnType<typeof tokensFor>>;
  let productId: string;
  let otherId: string;
  let reservationId: string;

  beforeAll(async () => {
    svc = await startProductService();
    tokens = await tokensFor(svc);
    productId = await createProduct(svc, tokens.manager, { stock: 50 });
    otherId = await createProduct(svc, tokens.manager, { stock: 50 });
    const made = await svc.call('POST', '/products/reservations', tokens.orderService, {
      key: 'hostile-base',
      items: [{ productId: otherId, quantity: 1 }],
    });
    reservationId = made.body.id as string;
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
  const fieldsOf = (res: Response) =>
    new Set((res.body.errors as Array<{ field: string }>).map((e) => e.field));
  const reserve = (body: unknown) => svc.call('POST', '/products/reservations', tokens.orderService, body);

  describe('a reservation with bad items is 400 naming the field, and takes nothing', () => {
    const item = (quantity: unknown, id: unknown = undefined) => ({
      key: randomUUID(),
      items: [{ productId: id ?? productId, quantity }],
    });

    it.each<[string, () => unknown, string]>([
      ['quantity 0', () => item(0), 'items.0.quantity'],
      ['a negative quantity', () => item(-1), 'items.0.quantity'],
      ['a quantity over 1000', () => item(1001), 'items.0.quantity'],
      ['a quantity of 1e12', () => item(1e12), 'items.0.quantity'],
      ['a fractional quantity', () => item(1.5), 'items.0.quantity'],
      ['a quantity as a string', () => item('1'), 'items.0.quantity'],
      ['a null quantity', () => item(null), 'items.0.quantity'],
      ['a malformed product id', () => item(1, 'not-a-uuid'), 'items.0.productId'],
      ['a product id as a number', () => item(1, 42), 'items.0.productId'],
      ['a SQL-looking product id', () => item(1, "' or 1=1 --"), 'items.0.productId'],
      ['no items', () => ({ key: 'k-empty', items: [] }), 'items'],
      ['items null', () => ({ key: 'k-null', items: null }), 'items'],
      ['items an object', () => ({ key: 'k-obj', items: { productId } }), 'items'],
      ['a null item', () => ({ key: 'k-null-item', items: [null] }), 'items.0'],
      ['an item that is a string', () => ({ key: 'k-str-item', items: ['x'] }), 'items.0'],
      ['an item that is an array', () => ({ key: 'k-arr-item', items: [[]] }), 'items'],
      [
        '51 items',
        () => ({
          key: 'k-51',
          items: Array.from({ length: 51 }, () => ({ productId: randomUUID(), quantity: 1 })),
        }),
        'items',
      ],
      [
        'the same product twice',
        () => ({
          key: 'k-dup',
          items: [
            { productId, quantity: 1 },
            { productId, quantity: 2 },
          ],
        }),
        'items',
      ],
      [
        'the same product twice, in two cases',
        () => ({
          key: 'k-dup-case',
          items: [
            { productId, quantity: 1 },
            { productId: productId.toUpperCase(), quantity: 1 },
          ],
        }),
        'items',
      ],
      [
        'an unknown member in an item',
        () => ({ key: 'k-extra', items: [{ productId, quantity: 1, price: 0 }] }),
        'items.0.price',
      ],
      [
        'an unknown member at the top',
        () => ({ key: 'k-top', items: [{ productId, quantity: 1 }], status: 'committed' }),
        'status',
      ],
      ['no key', () => ({ items: [{ productId, quantity: 1 }] }), 'key'],
      ['a null key', () => ({ key: null, items: [{ productId, quantity: 1 }] }), 'key'],
      ['an empty key', () => ({ key: '', items: [{ productId, quantity: 1 }] }), 'key'],
      [
        'a key of 129 characters',
        () => ({ key: 'k'.repeat(129), items: [{ productId, quantity: 1 }] }),
        'key',
      ],
      ['a key with spaces', () => ({ key: 'a key', items: [{ productId, quantity: 1 }] }), 'key'],
      ['a key that is a number', () => ({ key: 12, items: [{ productId, quantity: 1 }] }), 'key'],
      [
        'a 100,000-character key',
        () => ({ key: 'x'.repeat(100_000), items: [{ productId, quantity: 1 }] }),
        'key',
      ],
    ])('%s', async (_what, body, field) => {
      const res = await reserve(body());
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(res)).toContain(field);
      expect(await storedStock(svc, productId)).toBe(50);
    });

    it('names every bad field of several items at once', async () => {
      const res = await reserve({
        key: 'k multi',
        items: [{ productId, quantity: 0 }, { productId: 'x', quantity: 1 }, { quantity: 2000 }],
      });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(res)).toEqual(
        new Set(['key', 'items.0.quantity', 'items.1.productId', 'items.2.productId', 'items.2.quantity']),
      );
    });

    it('an unknown product is 404 PRODUCT_NOT_FOUND, naming it', async () => {
      const unknown = randomUUID();
      const res = await reserve({ key: 'k-unknown', items: [{ productId: unknown, quantity: 1 }] });
      expectProblem(res, 404, 'PRODUCT_NOT_FOUND');
      expect(res.body.productIds).toEqual([unknown]);
    });
  });

  describe('bodies that are no JSON object', () => {
    it.each([
      ['null', 'null', 400, 'INVALID_BODY'],
      ['an array', '[]', 400, 'INVALID_BODY'],
      ['a number', '42', 400, 'INVALID_BODY'],
      ['broken JSON', '{"key": "a", "items": [', 400, 'INVALID_JSON'],
      ['not JSON at all', 'reserve everything', 400, 'INVALID_JSON'],
      ['an empty body', '', 400, 'INVALID_JSON'],
      ['2,000 levels of nesting', `{"items":${'['.repeat(2_000)}${']'.repeat(2_000)}}`, 400, 'INVALID_JSON'],
      ['a NUL character', '{"key":"a\\u0000b","items":[]}', 400, 'INVALID_CHARACTER'],
      ['half a surrogate pair', '{"key":"\\ud800","items":[]}', 400, 'INVALID_CHARACTER'],
    ])('%s: %i %s', async (_what, raw, status, code) => {
      const res = await svc.call('POST', '/products/reservations', tokens.orderService, raw, {
        'content-type': 'application/json',
      });
      expectProblem(res, status, code);
    });

    it('a form-encoded POST: 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const res = await svc.call(
        'POST',
        '/products/reservations',
        tokens.orderService,
        `key=a&items=${productId}`,
        { 'content-type': 'application/x-www-form-urlencoded' },
      );
      expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('ids in the path', () => {
    it.each([
      ['GET', '/products/nope'],
      ['PATCH', '/products/12345'],
      ['DELETE', '/products/00000000-0000-0000-0000-00000000000g'],
      ['GET', '/products/reservations/nope'],
      ['POST', '/products/reservations/1%27%20or%201=1/release'],
      ['POST', '/products/reservations/..%2F..%2Fetc/commit'],
    ])('%s %s: 400 INVALID_ID', async (method, path) => {
      const token = path.startsWith('/products/reservations')
        ? tokens.orderService
        : method === 'GET'
          ? tokens.user
          : tokens.manager;
      expectProblem(
        await svc.call(method, path, token, method === 'PATCH' ? {} : undefined),
        400,
        'INVALID_ID',
      );
    });

    it('a 5,000-character id: 414 URL_TOO_LONG', async () => {
      expectProblem(
        await svc.call('GET', `/products/${'a'.repeat(5_000)}`, tokens.user),
        414,
        'URL_TOO_LONG',
      );
    });

    it('a malformed percent-encoding: 400 INVALID_URL', async () => {
      expectProblem(await svc.call('GET', '/products/%E0%A4%A', tokens.user), 400, 'INVALID_URL');
    });

    it('unknown ids are 404s with codes', async () => {
      expectProblem(
        await svc.call('GET', `/products/${randomUUID()}`, tokens.user),
        404,
        'PRODUCT_NOT_FOUND',
      );
      expectProblem(
        await svc.call('POST', `/products/reservations/${randomUUID()}/commit`, tokens.orderService),
        404,
        'RESERVATION_NOT_FOUND',
      );
    });
  });

  describe('products: values out of range, nulls, huge strings, NUL', () => {
    const base = { sku: 'HOSTILE-1', name: 'Hostile', price: 100, currency: 'JPY' };

    it.each([
      ['a negative price', { price: -1 }, 'price'],
      ['a price of 1e12', { price: 1e12 }, 'price'],
      ['a fractional price', { price: 9.99 }, 'price'],
      ['a price as a string', { price: '100' }, 'price'],
      ['a null price', { price: null }, 'price'],
      ['a negative stock', { stock: -5 }, 'stock'],
      ['a stock beyond 32 bits', { stock: 2 ** 31 }, 'stock'],
      ['a stock of 1e12', { stock: 1e12 }, 'stock'],
      ['a null stock', { stock: null }, 'stock'],
      ['an unknown currency', { currency: 'ABC' }, 'currency'],
      ['a currency that is no code', { currency: 'yen' }, 'currency'],
      ['a null currency', { currency: null }, 'currency'],
      ['a 100,000-character name', { name: 'n'.repeat(100_000) }, 'name'],
      ['a blank name', { name: '   ' }, 'name'],
      ['a null description', { description: null }, 'description'],
      ['a 3,000-character description', { description: 'd'.repeat(3_000) }, 'description'],
      ['a sku of 65 characters', { sku: 'S'.repeat(65) }, 'sku'],
      ['a sku with a wildcard', { sku: 'AB%' }, 'sku'],
      ['a sku with a letter that upper-cases to ASCII', { sku: 'ﬀ-1' }, 'sku'],
      ['a sku that is an array', { sku: ['A'] }, 'sku'],
    ])('POST with %s: 400 naming it', async (_what, change, field) => {
      const res = await svc.call('POST', '/products', tokens.manager, { ...base, ...change });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(res)).toEqual(new Set([field]));
    });

    it('PATCH with null members: 400 naming each', async () => {
      const res = await svc.call('PATCH', `/products/${productId}`, tokens.manager, {
        sku: null,
        price: null,
        currency: null,
      });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(res)).toEqual(new Set(['sku', 'price', 'currency']));
    });

    it('a NUL character in a product body, a search or a cursor: 400 INVALID_CHARACTER', async () => {
      expectProblem(
        await svc.call('POST', '/products', tokens.manager, { ...base, name: 'a\u0000b' }),
        400,
        'INVALID_CHARACTER',
      );
      expectProblem(await svc.call('GET', '/products?q=a%00b', tokens.user), 400, 'INVALID_CHARACTER');
      expectProblem(await svc.call('GET', '/products?cursor=%00', tokens.user), 400, 'INVALID_CHARACTER');
    });

    it('a search given twice, or too long: 400 naming q', async () => {
      const twice = await svc.call('GET', '/products?q=a&q=b', tokens.user);
      expectProblem(twice, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(twice)).toEqual(new Set(['q']));
    });

    it('a tampered cursor: 400 INVALID_CURSOR', async () => {
      const cursor = Buffer.from(JSON.stringify(['2020-02-30T00:00:00.000Z', randomUUID()])).toString(
        'base64url',
      );
      expectProblem(await svc.call('GET', `/products?cursor=${cursor}`, tokens.user), 400, 'INVALID_CURSOR');
    });
  });

  it('after all of this, no unit of stock moved and the reservation made first is as it was', async () => {
    expect(await storedStock(svc, productId)).toBe(50);
    expect(await storedStock(svc, otherId)).toBe(49);
    const res = await svc.call('GET', `/products/reservations/${reservationId}`, tokens.orderService);
    expect(res.body).toMatchObject({ status: 'reserved', items: [{ productId: otherId, quantity: 1 }] });
  });
});
