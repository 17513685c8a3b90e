import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';

export const ORDER_STATUSES = ['pending', 'confirmed', 'cancelled', 'failed'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

// Millisecond precision: JavaScript dates carry no more, and list cursors compare them exactly.
const timestamps = {
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
};

/**
 * An order. `pending` only while the request that creates it runs (the reservation in flight);
 * `confirmed` once its stock reservation is committed; `failed` when it could not be placed;
 * `cancelled` by its owner or staff after it was confirmed.
 */
export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** user-service's id of the buyer. */
    userId: uuid('user_id').notNull(),
    /** The buyer's Cognito sub: who may read and cancel it. */
    ownerSub: uuid('owner_sub').notNull(),
    status: text('status', { enum: ORDER_STATUSES }).notNull().default('pending'),
    total: integer('total'),
    currency: text('currency'),
    /** product-service's reservation of the order's stock (its key is the order id). */
    reservationId: uuid('reservation_id'),
    /** The Idempotency-Key the order was placed with, and a hash of what it was placed for. */
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash').notNull(),
    /** Why it failed or was cancelled, as a code. */
    reason: text('reason'),
    ...timestamps,
  },
  (table) => [
    unique('orders_owner_idempotency_key_unique').on(table.ownerSub, table.idempotencyKey),
    index('orders_owner_created_idx').on(table.ownerSub, table.createdAt, table.id),
    index('orders_created_idx').on(table.createdAt, table.id),
    index('orders_pending_idx')
      .on(table.updatedAt)
      .where(sql`${table.status} = 'pending'`),
    check('orders_status_check', sql`${table.status} in ('pending', 'confirmed', 'cancelled', 'failed')`),
    check('orders_total_check', sql`${table.total} is null or ${table.total} >= 0`),
  ],
);

/** What was bought, at the price reserved. */
export const orderItems = pgTable(
  'order_items',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    productId: uuid('product_id').notNull(),
    name: text('name').notNull(),
    unitPrice: integer('unit_price').notNull(),
    quantity: integer('quantity').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.orderId, table.productId] }),
    check('order_items_quantity_check', sql`${table.quantity} between 1 and 1000`),
    check('order_items_unit_price_check', sql`${table.unitPrice} >= 0`),
  ],
);

export const RESERVATION_ACTIONS = ['release', 'return'] as const;
export type ReservationAction = (typeof RESERVATION_ACTIONS)[number];

/**
 * The outbox: what must still be done to an order's reservation at product-service, written in
 * the same transaction as the order's state, and retried by a worker until it is done.
 * `release` gives back units of a reservation that never became a confirmed order; `return` gives
 * back the units of a cancelled order.
 */
export const reservationTasks = pgTable(
  'reservation_tasks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    action: text('action', { enum: RESERVATION_ACTIONS }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    lastError: text('last_error'),
    doneAt: timestamp('done_at', { withTimezone: true, precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    unique('reservation_tasks_order_action_unique').on(table.orderId, table.action),
    index('reservation_tasks_due_idx')
      .on(table.nextAttemptAt)
      .where(sql`${table.doneAt} is null`),
    check('reservation_tasks_action_check', sql`${table.action} in ('release', 'return')`),
  ],
);

export type Order = typeof orders.$inferSelect;
export type OrderItem = typeof orderItems.$inferSelect;
export type ReservationTask = typeof reservationTasks.$inferSelect;
