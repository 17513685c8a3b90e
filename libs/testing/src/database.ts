import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type DatabaseBackend = 'postgres' | 'pglite';

/** A database of its own for one test file: dropped at the end, so files never see each other's rows. */
export interface TestDatabase {
  backend: DatabaseBackend;
  /** PostgreSQL URL; undefined for PGlite, which services then open in memory. */
  url?: string;
  drop(): Promise<void>;
}

/** The backend the tests run on: PostgreSQL when TEST_DATABASE_URL is set, PGlite otherwise. */
export function testDatabaseBackend(): DatabaseBackend {
  return process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';
}

/** Every backend available here: PGlite always, PostgreSQL too when TEST_DATABASE_URL is set. */
export function availableDatabaseBackends(): DatabaseBackend[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/** Creates a fresh, empty database on the given backend (default: `testDatabaseBackend()`). */
export async function createTestDatabase(
  backend: DatabaseBackend = testDatabaseBackend(),
): Promise<TestDatabase> {
  if (backend === 'pglite') return { backend, drop: async () => undefined };
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set: cannot create a PostgreSQL test database');
  const name = `helpline_t_${randomBytes(6).toString('hex')}`;
  await withAdminClient(serverUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    backend,
    url: url.toString(),
    drop: () =>
      withAdminClient(serverUrl, (client) =>
        client.query(`drop database if exists ${name} with (force)`),
      ).then(() => undefined),
  };
}

async function withAdminClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
