import { createTestKeyPool } from '@helpline/testing';

/**
 * Once per test run: says which database and Redis backends the tests use, and generates the
 * RSA keys that test issuers share (generating one costs ~200 ms of CPU).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const db = process.env.TEST_DATABASE_URL
    ? `PostgreSQL (${redact(process.env.TEST_DATABASE_URL)})`
    : 'PGlite (embedded)';
  const redis = process.env.TEST_REDIS_URL ? `Redis (${redact(process.env.TEST_REDIS_URL)})` : 'in-memory';
  process.stdout.write(`test backends: database=${db}, counters=${redis}\n`);
  return createTestKeyPool();
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
