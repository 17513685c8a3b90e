import { DATABASE, type Database } from '@helpline/common';
import type { ServiceHarness } from '@helpline/testing';
import { type SQL, sql } from 'drizzle-orm';
import type { OrderSystem } from './order-system.js';

async function rows<T>(service: ServiceHarness<unknown>, query: SQL): Promise<T[]> {
  const result = await service.app.get<string, Database>(DATABASE).execute(query);
  return (result as unknown as { rows: T[] }).rows;
}

export interface ProductLedger {
  initial: number;
  /** Units available now, as stored by product-service. */
  available: number;
  /** Units in confirmed orders, as stored by order-service. */
  sold: number;
  /** Reservations of the product still open (neither committed, released, expired nor returned). */
  open: number;
  /** Committed reservations of the product whose order is not confirmed. */
  committedWithoutOrder: string[];
}

/**
 * What both services' databases say about a product, read with SQL rather than through their
 * APIs: the stock must add up — initial = available + units in confirmed orders — and no
 * reservation may be left open, nor committed without a confirmed order.
 */
export async function ledger(sys: OrderSystem, productId: string, initial: number): Promise<ProductLedger> {
  const [stock] = await rows<{ stock: number }>(
    sys.products,
    sql`select stock from products where id = ${productId}`,
  );
  const [sold] = await rows<{ units: number }>(
    sys.orders,
    sql`select coalesce(sum(i.quantity), 0)::int as units from order_items i
        join orders o on o.id = i.order_id where i.product_id = ${productId} and o.status = 'confirmed'`,
  );
  const reservations = await rows<{ key: string; status: string }>(
    sys.products,
    sql`select r.key, r.status from reservations r join reservation_items i on i.reservation_id = r.id
        where i.product_id = ${productId}`,
  );
  const confirmed = new Set(
    (await rows<{ id: string }>(sys.orders, sql`select id::text from orders where status = 'confirmed'`)).map(
      (r) => r.id,
    ),
  );
  return {
    initial,
    available: stock?.stock ?? Number.NaN,
    sold: sold?.units ?? 0,
    open: reservations.filter((r) => r.status === 'reserved').length,
    committedWithoutOrder: reservations
      .filter((r) => r.status === 'committed' && !confirmed.has(r.key))
      .map((r) => r.key),
  };
}

/** Orders of order-service by status, read with SQL. */
export async function orderStatuses(sys: OrderSystem): Promise<Record<string, number>> {
  const counts = await rows<{ status: string; n: number }>(
    sys.orders,
    sql`select status, count(*)::int as n from orders group by status`,
  );
  return Object.fromEntries(counts.map((c) => [c.status, c.n]));
}
