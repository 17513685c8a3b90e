import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const RESERVATION_STATUSES = ['reserved', 'committed', 'released', 'expired', 'returned'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

export const MAX_QUANTITY = 1000;

export const reservations = pgTable(
  'reservations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The client's idempotency key: one reservation per key, ever. */
    key: text('key').notNull().unique(),
    status: text('status', { enum: RESERVATION_STATUSES }).notNull().default('reserved'),
    /** Set from the database clock at creation: now() + RESERVATION_TTL_MS. */
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    // What the sweep looks for: open reservations, soonest due first.
    index('reservations_open_expires_at_idx')
      .on(table.expiresAt)
      .where(sql`${table.status} = 'reserved'`),
    check(
      'reservations_status_check',
      sql`${table.status} in ('reserved', 'committed', 'released', 'expired', 'returned')`,
    ),
  ],
);

/**
 * What a reservation holds, with the product's name and price as they were when it was made, so
 * that an order can be priced from it. No foreign key to products: the snapshot outlives a
 * product deleted later.
 */
export const reservationItems = pgTable(
  'reservation_items',
  {
    reservationId: uuid('reservation_id')
      .notNull()
      .references(() => reservations.id, { onDelete: 'cascade' }),
    productId: uuid('product_id').notNull(),
    quantity: integer('quantity').notNull(),
    unitPrice: integer('unit_price').notNull(),
    currency: text('currency').notNull(),
    name: text('name').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.reservationId, table.productId] }),
    index('reservation_items_product_id_idx').on(table.productId),
    check(
      'reservation_items_quantity_check',
      sql`${table.quantity} between 1 and ${sql.raw(String(MAX_QUANTITY))}`,
    ),
    check('reservation_items_unit_price_check', sql`${table.unitPrice} >= 0`),
  ],
);

export type Reservation = typeof reservations.$inferSelect;
export type ReservationItem = typeof reservationItems.$inferSelect;
