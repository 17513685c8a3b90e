import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDatabaseExists, LocalPostgres, THROWAWAY_SETTINGS } from '@helpline/local-postgres';
import { createTestKeyPool, freePort } from '@helpline/testing';

/**
 * Once per test run, in vitest's main process (workers inherit its environment):
 * - the PostgreSQL server the tests create their databases on: TEST_DATABASE_URL when set (its
 *   database is created when missing), otherwise an embedded cluster started for this run;
 * - the RSA keys that test issuers share (generating one costs ~200 ms of CPU).
 * Says which backends it used on the run's first line.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const [database, keys] = await Promise.all([testDatabaseServer(), createTestKeyPool()]);
  const redis = process.env.TEST_REDIS_URL ? `Redis (${redact(process.env.TEST_REDIS_URL)})` : 'in-memory';
  process.stdout.write(`test backends: database=${database.description}, counters=${redis}\n`);
  return async () => {
    await Promise.all([keys(), database.stop()]);
  };
}

interface TestDatabaseServer {
  description: string;
  stop(): Promise<void>;
}

async function testDatabaseServer(): Promise<TestDatabaseServer> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) {
    const created = await ensureDatabaseExists(given).catch((error: Error) => {
      throw new Error(`TEST_DATABASE_URL (${redact(given)}): ${error.message}`);
    });
    return {
      description: `PostgreSQL (${redact(given)}${created ? ', database created' : ''})`,
      stop: async () => undefined,
    };
  }
  // The PostgreSQL process may run as another account (as root it must): let it reach its folder.
  const dir = await mkdtemp(join(tmpdir(), 'helpline-test-pg-'));
  await chmod(dir, 0o755);
  const server = await LocalPostgres.start({
    dataDir: join(dir, 'data'),
    port: await freePort(),
    superuserPassword: 'test',
    settings: { ...THROWAWAY_SETTINGS, max_connections: '200' },
  }).catch(async (error: Error) => {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`could not start the embedded PostgreSQL for the tests: ${error.message}`);
  });
  process.env.TEST_DATABASE_URL = server.url('postgres');
  return {
    description: `embedded PostgreSQL 17 (127.0.0.1:${server.port}, started for this run)`,
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'invalid URL';
  }
}
