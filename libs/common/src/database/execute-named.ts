import type { SQL } from 'drizzle-orm';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Database } from './database.js';

const dialect = new PgDialect();

interface NamedQueryClient {
  query<T>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }>;
}

/**
 * Runs a statement as a named prepared statement of node-postgres: PostgreSQL parses and plans it
 * once per connection instead of once per call (the order path's hottest statements). `name`
 * must stand for one SQL text (pg refuses a name reused with another). Through `db.execute` when
 * the Database is not on a node-postgres pool.
 */
export async function executeNamed<T>(db: Database, name: string, query: SQL): Promise<T[]> {
  const pool = (db as unknown as { $client?: NamedQueryClient }).$client;
  if (typeof pool?.query !== 'function') return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
  const { sql: text, params } = dialect.sqlToQuery(query);
  try {
    return (await pool.query<T>({ name, text, values: params })).rows;
  } catch (error) {
    // Wrapped as drizzle wraps it, for the same error handling and logs (SQL text, no values).
    throw new DrizzleQueryError(text, params, error as Error);
  }
}
