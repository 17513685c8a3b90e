import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const USER_STATUSES = ['active', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The Cognito `sub` this user is linked to: the identity's stable id. */
    cognitoSub: uuid('cognito_sub').notNull().unique(),
    /** Stored lower-cased, so uniqueness ignores case as Cognito's does. */
    email: text('email').notNull().unique(),
    name: text('name').notNull(),
    status: text('status', { enum: USER_STATUSES }).notNull().default('active'),
    // Millisecond precision: JavaScript dates carry no more, and list cursors compare them exactly.
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    index('users_created_at_id_idx').on(table.createdAt, table.id),
    check('users_status_check', sql`${table.status} in ('active', 'disabled')`),
  ],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;
