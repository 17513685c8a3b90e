import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** The most a price may be, in minor units: ample for one item, far from integer overflow. */
export const MAX_PRICE = 1_000_000_000;
/** The most units a product may be given; releases may add back what reservations hold on top. */
export const MAX_STOCK = 1_000_000_000;

export const products = pgTable(
  'products',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Stored upper-cased, so uniqueness ignores case; the CHECK keeps every writer to that. */
    sku: text('sku').notNull().unique(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** Minor units of `currency` (yen for JPY, cents for USD). */
    price: integer('price').notNull(),
    /** ISO 4217, upper-case. */
    currency: text('currency').notNull(),
    /** Units available now: a reservation takes units out at once, a release puts them back. */
    stock: integer('stock').notNull().default(0),
    // Millisecond precision: JavaScript dates carry no more, and list cursors compare them exactly.
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index('products_created_at_id_idx').on(table.createdAt, table.id),
    check('products_sku_upper_check', sql`${table.sku} = upper(${table.sku})`),
    check('products_price_check', sql`${table.price} between 0 and ${sql.raw(String(MAX_PRICE))}`),
    check('products_currency_check', sql`${table.currency} ~ '^[A-Z]{3}$'`),
    // The last line of defence: whatever a writer does, stock never goes below zero.
    check('products_stock_check', sql`${table.stock} >= 0`),
  ],
);

export type Product = typeof products.$inferSelect;
export type NewProduct = typeof products.$inferInsert;
