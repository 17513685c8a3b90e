import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { DATABASE_DEFAULTS } from './database.config.js';

/** The query builder every repository uses. */
export type Database = PgDatabase<PgQueryResultHKT, Record<string, never>>;

export interface DatabaseOptions {
  /** The service's PostgreSQL database. */
  url: string;
  /** drizzle-kit's output folder, applied at start. */
  migrationsFolder: string;
  /** Connections in the pool. */
  poolMax?: number;
  /** No query waits longer than this: the client gives up then, the server cancels a little before. */
  statementTimeoutMs?: number;
  /** Opening a connection may take this long. */
  connectTimeoutMs?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

export interface DatabaseHandle {
  readonly db: Database;
  /** One round trip: what the readiness check calls (and bounds in time). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// Two instances starting together against one PostgreSQL must not both apply a migration.
const MIGRATION_LOCK_KEY = 727_274_001;
// The server's statement_timeout fires a little before the client's query timeout, so that a slow
// query gets the server's cancel (57014) and keeps its connection; only a server that does not
// answer at all (frozen, partitioned) hits the client's, which destroys the connection.
const SERVER_CANCEL_MARGIN_MS = 250;

/** Opens the database and brings its schema up to date. */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const statementTimeout = options.statementTimeoutMs ?? DATABASE_DEFAULTS.statementTimeoutMs;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? DATABASE_DEFAULTS.poolMax,
    application_name: options.applicationName,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DATABASE_DEFAULTS.connectTimeoutMs,
    statement_timeout: Math.max(50, statementTimeout - SERVER_CANCEL_MARGIN_MS),
    query_timeout: statementTimeout,
    // A connection whose server vanished without a FIN (a network partition) is noticed.
    keepAlive: true,
  });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      // Migrations may lock and rewrite tables: not bounded by the request-sized timeout.
      await client.query('set statement_timeout = 0');
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await migratePg(drizzlePg({ client }), { migrationsFolder: options.migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      // Destroyed rather than returned: its session settings are not the pool's.
      client.release(true);
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const db = drizzlePg({ client: pool }) as unknown as Database;
  return {
    db,
    ping: async () => {
      await pool.query('select 1');
    },
    close: () => pool.end(),
  };
}
