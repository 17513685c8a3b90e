import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ensureServiceDatabase, LocalPostgres, THROWAWAY_SETTINGS } from '@helpline/local-postgres';
import { freePort, LogCapture } from '@helpline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUserService, type UserServiceHarness } from '../test-support/user-service.harness.js';

const STATEMENT_TIMEOUT_MS = 1_000;
/** What a request may take beyond the statement timeout: the HTTP round trip and scheduling. */
const SLACK_MS = 750;
const DB = { database: 'users', role: 'user_service', password: 'faults-pw' };
/** Personal data that travels as SQL parameters, and so must never appear in a log line. */
const SECRET_NAME = 'Hanako Secretname';
const SECRET_EMAIL = 'hanako.secret@example.com';

interface Outcome {
  status: number;
  code?: string;
  retryAfter: string | null;
  ms: number;
}

/**
 * user-service on a PostgreSQL cluster of its own, which the test stops, starts, freezes
 * (SIGSTOP) and thaws under a steady load of requests whose SQL parameters carry personal data.
 */
describe('user-service when its database fails', () => {
  let dir: string;
  let port: number;
  let cluster: LocalPostgres;
  let svc: UserServiceHarness;
  const logs = new LogCapture();
  let userToken: string;
  let adminToken: string;
  let userId: string;

  const startCluster = async () => {
    cluster = await LocalPostgres.start({
      dataDir: join(dir, 'data'),
      port,
      superuserPassword: 'super',
      settings: THROWAWAY_SETTINGS,
    });
    await cluster.withSuperuser((admin) => ensureServiceDatabase(admin, DB));
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'users-faults-'));
    await chmod(dir, 0o755);
    port = await freePort();
    await startCluster();
    svc = await startUserService({
      databaseUrl: cluster.url(DB.database, { name: DB.role, password: DB.password }),
      logDestination: logs,
      env: {
        DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        DATABASE_CONNECT_TIMEOUT_MS: '500',
        DATABASE_POOL_MAX: '4',
      },
    });
    const sub = randomUUID();
    adminToken = await svc.issuer.accessToken({ groups: ['admin'] });
    userToken = await svc.issuer.accessToken({ sub, groups: ['user'] });
    const created = await svc.call('POST', '/users', adminToken, {
      sub,
      email: SECRET_EMAIL,
      name: 'Hanako',
    });
    userId = created.body.id as string;
  });

  afterAll(async () => {
    if (cluster?.pid) signalCluster(cluster.pid, 'SIGCONT');
    await svc?.close();
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** One request of the load: reads and writes whose parameters are personal data. */
  const request = async (i: number): Promise<Outcome> => {
    const started = performance.now();
    const res =
      i % 3 === 0
        ? await svc.call('PATCH', `/users/${userId}`, userToken, { name: SECRET_NAME })
        : i % 3 === 1
          ? await svc.call('GET', `/users?email=${encodeURIComponent(SECRET_EMAIL)}`, adminToken)
          : await svc.call('GET', '/users/me', userToken);
    return {
      status: res.status,
      code: res.body?.code as string | undefined,
      retryAfter: res.headers.get('retry-after'),
      ms: performance.now() - started,
    };
  };

  /** `count` requests, `concurrency` at a time. */
  const load = async (count: number, concurrency = 4): Promise<Outcome[]> => {
    const out: Outcome[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) out.push(await request(next++));
      }),
    );
    return out;
  };

  const expectOutage = (outcomes: Outcome[]) => {
    for (const o of outcomes) {
      expect(o, JSON.stringify(o)).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
      expect(Number(o.retryAfter)).toBeGreaterThan(0);
      expect(o.ms).toBeLessThan(STATEMENT_TIMEOUT_MS + SLACK_MS);
    }
  };

  /** Polls until every request of a small load succeeds again; the service is never restarted. */
  const expectRecovery = async () => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const outcomes = await load(6);
      if (outcomes.every((o) => o.status === 200)) break;
      expect(outcomes.every((o) => o.status === 200 || o.status === 503)).toBe(true);
      if (Date.now() > deadline) throw new Error(`no recovery: ${JSON.stringify(outcomes)}`);
      await delay(200);
    }
    expect((await svc.call('GET', '/health/ready')).status).toBe(200);
  };

  it('serves normally while the database is up', async () => {
    const outcomes = await load(12);
    expect(outcomes.map((o) => o.status)).toEqual(Array(12).fill(200));
  });

  it('answers 503 DATABASE_UNAVAILABLE with Retry-After while it is stopped, and recovers when it is back', async () => {
    await cluster.stop();
    expectOutage(await load(12));
    const ready = await svc.call('GET', '/health/ready');
    expect(ready.status).toBe(503);
    // Which dependency, not how: no address, no driver message.
    expect(ready.body.checks).toMatchObject({ error: { database: { status: 'down' } } });
    expect(JSON.stringify(ready.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|connect/);

    await startCluster();
    await expectRecovery();
  });

  it('answers 503 within the statement timeout while it is frozen, readiness included, and recovers when it thaws', async () => {
    signalCluster(cluster.pid!, 'SIGSTOP');
    try {
      const [outcomes, ready] = await Promise.all([
        load(12),
        (async () => {
          const started = performance.now();
          const res = await svc.call('GET', '/health/ready');
          return { status: res.status, ms: performance.now() - started };
        })(),
      ]);
      expectOutage(outcomes);
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(2_000 + SLACK_MS);
    } finally {
      signalCluster(cluster.pid!, 'SIGCONT');
    }
    await expectRecovery();
  });

  it('never logged the SQL parameters of the failed queries, only codes and statements', () => {
    const text = logs.text();
    expect(text).toContain('DATABASE_UNAVAILABLE');
    expect(text).not.toContain(SECRET_NAME);
    expect(text).not.toContain(SECRET_EMAIL);
    expect(text).not.toContain(encodeURIComponent(SECRET_EMAIL));
    expect(text).not.toMatch(/params:/);
  });
});

/** The postmaster and every process it started: a whole cluster frozen or thawed at once. */
function signalCluster(postmasterPid: number, signal: NodeJS.Signals): void {
  const children = execFileSync('pgrep', ['-P', String(postmasterPid)], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(Number);
  for (const pid of [postmasterPid, ...children]) {
    try {
      process.kill(pid, signal);
    } catch {
      // Exited meanwhile.
    }
  }
}
