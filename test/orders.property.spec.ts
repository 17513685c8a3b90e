import { encodeEveryByte, expectHandledRequest } from '@helpline/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Buyer, type OrderSystem, startOrderSystem } from './support/order-system.js';
import { ledger } from './support/stock-ledger.js';

const RUNS = 60;

/** What a hostile client puts where a value goes: any JSON, control characters, huge and odd numbers. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 10 }),
  fc.constantFrom(null, 0, -1, 1.5, 1e12, 1001, '1', '', [], {}, 'b0000000-0000-4000-8000-00000000000x'),
);

/**
 * Every route of order-service under arbitrary input, with the real user-service and
 * product-service behind it: never a 5xx, every refusal a coded problem, and whatever was asked,
 * the stock still adds up.
 */
describe('order-service under arbitrary input (fast-check)', () => {
  let sys: OrderSystem;
  let buyer: Buyer;
  let product: string;

  beforeAll(async () => {
    sys = await startOrderSystem();
    buyer = await sys.buyer();
    product = await sys.product({ stock: 1_000 });
  });

  afterAll(async () => {
    await sys?.close();
  });

  const expectHandled = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    expectHandledRequest(`${sys.orders.base}${path}`, { method, token: buyer.token, body, headers });

  it('POST /orders with any items, any Idempotency-Key', async () => {
    const item = fc.oneof(
      fc.record({
        productId: fc.constant(product),
        quantity: fc.oneof(fc.integer({ min: 1, max: 3 }), anyValue),
      }),
      fc.record({ productId: fc.oneof(fc.uuid(), anyValue), quantity: anyValue }, { requiredKeys: [] }),
      anyValue,
    );
    const body = fc.oneof(
      { weight: 4, arbitrary: fc.array(item, { maxLength: 4 }).map((items) => JSON.stringify({ items })) },
      { weight: 1, arbitrary: anyValue.map((v) => JSON.stringify(v) ?? 'null') },
    );
    const key = fc.option(
      fc.string({ maxLength: 300 }).filter((k) => /^[\x20-\x7e]*$/.test(k)),
      { nil: undefined },
    );
    await fc.assert(
      fc.asyncProperty(body, key, async (payload, idempotencyKey) => {
        await expectHandled(
          'POST',
          '/orders',
          payload,
          idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey },
        );
      }),
      { numRuns: RUNS },
    );
    await sys.settleAll();
    const after = await ledger(sys, product, 1_000);
    expect(after.available + after.sold).toBe(1_000);
    expect(after.open).toBe(0);
  });

  it('GET /orders, GET /orders/{id} and POST /orders/{id}/cancel with any id, cursor, status', async () => {
    const text = fc.oneof(
      fc.uuid(),
      fc.string({ maxLength: 40 }),
      fc.constantFrom('%00', '%E0%A4%A', '..', 'null'),
    );
    const encode = encodeEveryByte;
    await fc.assert(
      fc.asyncProperty(text, text, fc.constantFrom('list', 'get', 'cancel'), async (a, b, route) => {
        if (route === 'list')
          await expectHandled('GET', `/orders?cursor=${encode(a)}&status=${encode(b)}&limit=${encode(b)}`);
        else if (route === 'get') await expectHandled('GET', `/orders/${encode(a)}`);
        else await expectHandled('POST', `/orders/${encode(a)}/cancel`);
      }),
      { numRuns: RUNS },
    );
  });
});
