/** Says once, at the start of a run, which database and Redis backends the tests use. */
export default function setup(): void {
  const db = process.env.TEST_DATABASE_URL ? `PostgreSQL (${redact(process.env.TEST_DATABASE_URL)})` : 'PGlite (embedded)';
  const redis = process.env.TEST_REDIS_URL ? `Redis (${redact(process.env.TEST_REDIS_URL)})` : 'in-memory';
  process.stdout.write(`test backends: database=${db}, counters=${redis}\n`);
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
