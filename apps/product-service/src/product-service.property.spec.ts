import { randomUUID } from 'node:crypto';
import { encodeEveryByte, expectHandledRequest } from '@helpline/testing';
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProduct,
  type ProductServiceHarness,
  sqlRows,
  startProductService,
  tokensFor,
} from './test-support/product-service.harness.js';

/** Runs per property: enough to find the classes of bad input, few enough to stay a second or two. */
const RUNS = 100;

/** Strings a hostile client sends: anything Unicode, control characters (NUL included), lone surrogates. */
const hostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '%00',
    '%',
    '_',
    '\\',
    "'; drop table products; --",
  ),
);

/** Numbers at and beyond every bound (quantities, prices, stock, 32-bit columns), and any other. */
const hostileNumber = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      0,
      -1,
      1,
      1000,
      1001,
      1e9,
      1e9 + 1,
      2 ** 31 - 1,
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 53,
      1e12,
      1e308,
      -0,
      0.5,
    ),
  },
  fc.maxSafeInteger(),
  fc.integer(),
  fc.double(),
);

/** Any JSON value, hostile strings and numbers included. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  hostileString,
  hostileNumber,
  fc.constantFrom(null, true, [], {}),
);

const someId = fc.oneof(
  fc.uuid(),
  hostileString.filter((s) => s.length > 0),
);

/** What is sent as a body: a nearly valid object, any JSON, or text that is not JSON at all. */
const body = (shape: fc.Arbitrary<object>) =>
  fc.oneof(
    { weight: 3, arbitrary: shape.map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: anyJson.map((value) => JSON.stringify(value) ?? 'undefined') },
    { weight: 1, arbitrary: hostileString },
  );

/** Replaces one member of a valid object with something hostile (or adds an unknown one). */
const nearly = <T extends object>(valid: fc.Arbitrary<T>, members: string[]) =>
  fc
    .tuple(valid, fc.constantFrom(...members, 'extra'), fc.oneof(anyJson, hostileString, hostileNumber))
    .map(([value, key, bad]) => ({ ...value, [key]: bad }));

/** Cursors: random text, or base64url of JSON that looks almost like ours. */
const cursor = fc.oneof(
  hostileString,
  fc
    .tuple(
      fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        hostileString,
      ),
      fc.oneof(fc.uuid(), hostileString),
    )
    .map((position) => Buffer.from(JSON.stringify(position)).toString('base64url')),
);

/**
 * Every route of product-service, under arbitrary input from every kind of caller: never a 5xx,
 * every refusal is problem+json with a code, and stock never goes below zero.
 */
describe('product-service under arbitrary input (fast-check)', () => {
  let svc: ProductServiceHarness;
  let tokens: string[];
  let productId: string;
  let reservationIds: string[];

  beforeAll(async () => {
    svc = await startProductService();
    const t = await tokensFor(svc);
    tokens = [t.admin, t.manager, t.user, t.orderService, t.readOnlyService];
    productId = await createProduct(svc, t.manager, { stock: 1_000_000 });
    reservationIds = [];
    for (let i = 0; i < 3; i++) {
      const res = await svc.call('POST', '/products/reservations', t.orderService, {
        key: `prop-${i}`,
        items: [{ productId, quantity: 1 }],
      });
      reservationIds.push(res.body.id as string);
    }
  });

  afterAll(async () => {
    await svc?.close();
  });

  const caller = fc.integer({ min: 0, max: 4 });
  /** A writer: admin, manager or order-service, so that most requests get past the guards. */
  const writer = fc.constantFrom(0, 1, 3);
  const product = () => fc.oneof(fc.constant(productId), someId);
  const reservation = () => fc.oneof(fc.constantFrom(...reservationIds), someId);

  /** Sends one request; fails the property on a 5xx or a refusal that is no coded problem. */
  const expectHandled = (method: string, path: string, who: number, payload?: string) =>
    expectHandledRequest(`${svc.base}${path}`, { method, token: tokens[who], body: payload });

  const encode = encodeEveryByte;

  const validProduct = fc.record({
    sku: fc.stringMatching(/^[A-Z0-9][A-Z0-9._-]{0,20}$/),
    name: fc.string({ minLength: 1, maxLength: 20 }),
    price: fc.integer({ min: 0, max: 1_000_000 }),
    currency: fc.constantFrom('JPY', 'USD', 'EUR'),
    stock: fc.integer({ min: 0, max: 1000 }),
  });
  const productMembers = ['sku', 'name', 'description', 'price', 'currency', 'stock'];

  const validReservation = fc.record({
    key: fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/),
    items: fc.array(fc.record({ productId: fc.constant('REAL'), quantity: fc.integer({ min: 1, max: 3 }) }), {
      minLength: 1,
      maxLength: 1,
    }),
  });
  /** A reservation whose item names the real product, or with one member or item member gone bad. */
  const nearlyValidReservation = fc.oneof(
    validReservation,
    nearly(validReservation, ['key', 'items']),
    fc
      .tuple(validReservation, fc.constantFrom('productId', 'quantity', 'extra'), anyJson)
      .map(([value, key, bad]) => ({ ...value, items: [{ ...value.items[0], [key]: bad }] })),
    fc
      .tuple(
        validReservation,
        fc.array(fc.oneof(anyJson, fc.record({ productId: someId, quantity: hostileNumber })), {
          maxLength: 60,
        }),
      )
      .map(([value, items]) => ({ ...value, items })),
  );
  const withRealProduct = (payload: string) => payload.replaceAll('"REAL"', JSON.stringify(productId));

  it('GET /products with any query', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ limit: hostileString, cursor, q: hostileString }, { requiredKeys: [] }),
        caller,
        async (query, who) => {
          const qs = Object.entries(query)
            .map(([k, v]) => `${k}=${encode(v)}`)
            .join('&');
          await expectHandled('GET', `/products?${qs}`, who);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('GET and DELETE /products/{id} with any id', async () => {
    await fc.assert(
      fc.asyncProperty(someId, caller, fc.constantFrom('GET', 'DELETE'), async (value, who, method) => {
        await expectHandled(method, `/products/${encode(value)}`, who);
      }),
      { numRuns: RUNS },
    );
  });

  it('POST /products with any body', async () => {
    await fc.assert(
      fc.asyncProperty(body(nearly(validProduct, productMembers)), writer, async (payload, who) =>
        expectHandled('POST', '/products', who, payload),
      ),
      { numRuns: RUNS },
    );
  });

  it('POST /products and PATCH with any number as price and stock', async () => {
    await fc.assert(
      fc.asyncProperty(
        validProduct,
        hostileNumber,
        hostileNumber,
        fc.boolean(),
        async (valid, price, stock, patch) =>
          patch
            ? expectHandled('PATCH', `/products/${productId}`, 1, JSON.stringify({ price, stock: 1_000_000 }))
            : expectHandled('POST', '/products', 1, JSON.stringify({ ...valid, price, stock })),
      ),
      { numRuns: RUNS },
    );
  });

  it('POST /products/reservations with any number as quantity', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileNumber, { minLength: 1, maxLength: 3 }), async (quantities) => {
        const items = quantities.map((quantity, i) => ({
          productId: i === 0 ? productId : randomUUID(),
          quantity,
        }));
        await expectHandled(
          'POST',
          '/products/reservations',
          3,
          JSON.stringify({ key: randomUUID(), items }),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('PATCH /products/{id} with any id and any body', async () => {
    const patch = fc.record(
      {
        sku: fc.oneof(fc.stringMatching(/^[A-Z0-9]{1,10}$/), hostileString, anyJson),
        name: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), hostileString, anyJson),
        price: fc.oneof(fc.integer({ min: 0, max: 1000 }), hostileNumber, anyJson),
        currency: fc.oneof(fc.constantFrom('JPY', 'usd'), hostileString, anyJson),
        stock: fc.oneof(fc.integer({ min: 1000, max: 100_000 }), hostileNumber, anyJson),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(product(), body(patch), writer, async (id, payload, who) =>
        expectHandled('PATCH', `/products/${encode(id)}`, who, payload),
      ),
      { numRuns: RUNS },
    );
  });

  it('POST /products/reservations with any body', async () => {
    await fc.assert(
      fc.asyncProperty(body(nearlyValidReservation), writer, async (payload, who) =>
        expectHandled('POST', '/products/reservations', who, withRealProduct(payload)),
      ),
      { numRuns: RUNS },
    );
  });

  it('GET, release and commit /products/reservations/{id} with any id', async () => {
    await fc.assert(
      fc.asyncProperty(
        reservation(),
        caller,
        fc.constantFrom(['GET', ''], ['POST', '/release'], ['POST', '/commit']),
        async (id, who, [method, suffix]) =>
          expectHandled(method!, `/products/reservations/${encode(id)}${suffix!}`, who),
      ),
      { numRuns: RUNS },
    );
  });

  it('every route with a malformed or hostile raw URL segment', async () => {
    const raw = fc.constantFrom(
      '%E0%A4%A',
      '%',
      '%zz',
      '%00',
      '%C0%AF',
      '%ED%A0%80',
      '..%2F..',
      '%FF%FE',
      'a'.repeat(5_000),
      '%25',
    );
    await fc.assert(
      fc.asyncProperty(raw, caller, async (segment, who) => {
        await expectHandled('GET', `/products/${segment}`, who);
        await expectHandled('PATCH', `/products/${segment}`, who, '{"name":"x"}');
        await expectHandled('DELETE', `/products/${segment}`, who);
        await expectHandled('GET', `/products/reservations/${segment}`, who);
        await expectHandled('POST', `/products/reservations/${segment}/release`, who);
        await expectHandled('POST', `/products/reservations/${segment}/commit`, who);
        await expectHandled('GET', `/products?cursor=${segment}&q=${segment}`, who);
      }),
      { numRuns: 30 },
    );
  });

  it('left no product with negative stock, whatever was sent', async () => {
    const [row] = await sqlRows<{ n: number }>(
      svc,
      sql`select count(*)::int as n from products where stock < 0`,
    );
    expect(row?.n).toBe(0);
  });
});
