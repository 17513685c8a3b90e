import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database of its own for one test file: dropped at the end, so files never see each other's rows. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * The server every test database is created on: TEST_DATABASE_URL, which vitest's global setup
 * points at an embedded PostgreSQL cluster when the caller did not set it.
 */
export function testServerUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      'TEST_DATABASE_URL is not set: run the tests through vitest (its global setup starts a PostgreSQL cluster)',
    );
  }
  return url;
}

/** Creates a fresh, empty database on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = testServerUrl();
  const name = `helpline_t_${randomBytes(6).toString('hex')}`;
  await withAdminClient(serverUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
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
