import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@helpline/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Launcher } from './launcher.js';
import type { Part } from './part.js';
import { buildSystem } from './system.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FAKE_PART = fileURLToPath(new URL('./fixtures/fake-part.mjs', import.meta.url));

/**
 * The real `postgres` part of system.ts (its source run through tsx, on a free port) under the
 * real launcher, with a stand-in service depending on it.
 */
describe('the embedded PostgreSQL part under the launcher', () => {
  let dataRoot: string;
  let parts: Part[];
  let usersUrl: string;
  const launchers: Launcher[] = [];
  let output = '';

  const launch = async (): Promise<Launcher> => {
    output = '';
    const launcher = new Launcher(parts, {
      cwd: ROOT,
      json: true,
      write: (text) => (output += text),
      readyIntervalMs: 25,
      stopTimeoutMs: 10_000,
    });
    launchers.push(launcher);
    await launcher.start();
    return launcher;
  };

  const query = async (sql: string): Promise<unknown[]> => {
    const client = new pg.Client({ connectionString: usersUrl });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    dataRoot = await mkdtemp(join(tmpdir(), 'launcher-postgres-'));
    await chmod(dataRoot, 0o755);
    const system = buildSystem({ HELPLINE_DATA_DIR: dataRoot }, ROOT);
    const declared = system.parts.find((p) => p.name === 'postgres')!;
    const port = await freePort();
    const postgres: Part = {
      ...declared,
      command: ['node', '--import', 'tsx', 'tools/local-postgres/src/main.ts'],
      port,
      env: { ...declared.env, POSTGRES_PORT: String(port) },
    };
    const servicePort = await freePort();
    const service: Part = {
      name: 'svc',
      command: ['node', FAKE_PART],
      port: servicePort,
      env: { FAKE_NAME: 'svc', PORT: String(servicePort) },
      readyUrl: `http://127.0.0.1:${servicePort}/health/ready`,
      dependsOn: ['postgres'],
    };
    parts = [postgres, service];
    const userService = system.parts.find((p) => p.name === 'user-service')!;
    const url = new URL(userService.env.DATABASE_URL!);
    url.port = String(port);
    usersUrl = url.toString();
  });

  afterAll(async () => {
    await Promise.all(launchers.map((l) => l.stop()));
    await rm(dataRoot, { recursive: true, force: true });
  });

  it('is ready only once the service database exists, and serves it to the service role', async () => {
    await launch();
    expect(output).toMatch(/postgres +\| .*ready on 127\.0\.0\.1:\d+.*users \(user_service\)/);
    expect(output.indexOf('postgres is ready')).toBeLessThan(output.indexOf('starting svc'));
    await query('create table kept (n int); insert into kept values (42)');
    expect(await query('select current_user as role, current_database() as db')).toEqual([
      { role: 'user_service', db: 'users' },
    ]);
  });

  it('stops the whole system when the cluster is killed, and the next start recovers the data', async () => {
    const launcher = launchers.at(-1)!;
    const postmasterPid = Number(
      (await readFile(join(dataRoot, 'postgres/postmaster.pid'), 'utf8')).split('\n')[0],
    );
    const servicePid = Number(/"pid":(\d+)/.exec(output.slice(output.indexOf('svc ')))?.[1]);
    expect(servicePid).toBeGreaterThan(0);

    process.kill(postmasterPid, 'SIGKILL');
    const failure = await launcher.failed;
    expect(failure).toMatchObject({ code: 'PART_EXITED', part: 'postgres' });
    expect(failure.message).toContain('PostgreSQL exited unexpectedly (killed by SIGKILL)');
    expect(output).toContain('stopping svc');
    expect(() => process.kill(servicePid, 0)).toThrow();

    await launch();
    expect(await query('select n from kept')).toEqual([{ n: 42 }]);
  });

  it('leaves no lock file behind after a clean stop', async () => {
    await launchers.at(-1)!.stop();
    await expect(readFile(join(dataRoot, 'postgres/postmaster.pid'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect(output).toContain('database system is shut down');
  });
});
