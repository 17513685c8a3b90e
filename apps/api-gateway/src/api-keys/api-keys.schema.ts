import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * API keys, as API Gateway keeps them: each bound to one usage plan. Only a hash of the key is
 * stored (SHA-256: the key is 256 random bits, so a slow hash would add nothing), with its first
 * characters for people to tell keys apart.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    plan: text('plan').notNull(),
    keyHash: text('key_hash').notNull().unique(),
    prefix: text('prefix').notNull(),
    /** The admin who created it (their token's sub). */
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, precision: 3 }),
  },
  (table) => [
    index('api_keys_created_idx').on(table.createdAt, table.id),
    check('api_keys_hash_check', sql`${table.keyHash} ~ '^[0-9a-f]{64}$'`),
  ],
);

export type ApiKey = typeof apiKeys.$inferSelect;
