import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@helpline/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalPostgres, THROWAWAY_SETTINGS } from './cluster.js';
import type { LogLevel } from './log-lines.js';
import {
  closeMaintenanceDatabases,
  ensureDatabaseExists,
  ensureServiceDatabase,
  parseServiceDatabases,
} from './service-databases.js';

const USERS = { database: 'users', role: 'user_service', password: 'users-pw' };
const ORDERS = { database: 'orders', role: 'order_service', password: 'orders-pw' };

/** Connects as `role` and runs `sql`; resolves with the rows or rejects with PostgreSQL's error. */
async function as(
  server: LocalPostgres,
  role: { role: string; password: string },
  database: string,
  sql: string,
): Promise<unknown[]> {
  const client = new pg.Client({
    connectionString: server.url(database, { name: role.role, password: role.password }),
  });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('LocalPostgres', () => {
  let dir: string;
  let dataDir: string;
  let port: number;
  const logs: Array<[LogLevel, string]> = [];
  let server: LocalPostgres | undefined;

  const start = async (): Promise<LocalPostgres> => {
    server = await LocalPostgres.start({
      dataDir,
      port,
      superuserPassword: 'super',
      settings: THROWAWAY_SETTINGS,
      log: (level, message) => logs.push([level, message]),
    });
    return server;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-postgres-'));
    await chmod(dir, 0o755);
    dataDir = join(dir, 'data');
    port = await freePort();
  });

  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('initialises a cluster, and gives each service a database only its own role can use', async () => {
    const pgServer = await start();
    await pgServer.withSuperuser(async (admin) => {
      await ensureServiceDatabase(admin, USERS);
      await ensureServiceDatabase(admin, ORDERS);
      await closeMaintenanceDatabases(admin);
    });
    expect(logs.some(([, m]) => m.includes('initialising a new cluster'))).toBe(true);

    await as(
      pgServer,
      USERS,
      'users',
      'create table accounts (email text); insert into accounts values ($$a@example.com$$)',
    );
    expect(await as(pgServer, USERS, 'users', 'select email from accounts')).toEqual([
      { email: 'a@example.com' },
    ]);

    // Another service's role cannot connect to the database at all, let alone read its tables.
    await expect(as(pgServer, ORDERS, 'users', 'select * from accounts')).rejects.toMatchObject({
      code: '42501',
    });
    await expect(as(pgServer, USERS, 'orders', 'select 1')).rejects.toMatchObject({ code: '42501' });
    // Nor the maintenance database, nor can it make roles or databases of its own.
    await expect(as(pgServer, USERS, 'postgres', 'select 1')).rejects.toMatchObject({ code: '42501' });
    await expect(as(pgServer, USERS, 'users', 'create database sneaky')).rejects.toMatchObject({
      code: '42501',
    });
    await expect(as(pgServer, USERS, 'users', 'create role sneaky')).rejects.toMatchObject({ code: '42501' });
    // A wrong password is refused: the cluster does not trust local connections.
    await expect(as(pgServer, { ...USERS, password: 'wrong' }, 'users', 'select 1')).rejects.toMatchObject({
      code: '28P01',
    });
  });

  it('keeps its data across a stop and a start, leaving no lock file behind, and ensures databases idempotently', async () => {
    await server!.stop();
    await expect(readFile(join(dataDir, 'postmaster.pid'))).rejects.toMatchObject({ code: 'ENOENT' });
    logs.length = 0;
    const again = await start();
    expect(logs.some(([, m]) => m.includes('initialising'))).toBe(false);
    await again.withSuperuser((admin) => ensureServiceDatabase(admin, USERS));
    expect(await as(again, USERS, 'users', 'select email from accounts')).toEqual([
      { email: 'a@example.com' },
    ]);
  });

  it('reports its own death, and starts again after SIGKILL and a stale lock file naming a live process', async () => {
    const killed = server!;
    process.kill(killed.pid!, 'SIGKILL');
    expect(await killed.exited).toMatchObject({ signal: 'SIGKILL' });
    // The pid in the lock file now belongs to a process that is no PostgreSQL (pid reuse).
    const squatter = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const lock = join(dataDir, 'postmaster.pid');
      const lines = (await readFile(lock, 'utf8')).split('\n');
      lines[0] = String(squatter.pid);
      await writeFile(lock, lines.join('\n'));
      logs.length = 0;
      const recovered = await start();
      expect(logs.some(([level, m]) => level === 'warn' && m.includes('stale postmaster.pid'))).toBe(true);
      expect(await as(recovered, USERS, 'users', 'select email from accounts')).toEqual([
        { email: 'a@example.com' },
      ]);
    } finally {
      squatter.kill();
    }
  });

  it('refuses to start over a directory that a running server still holds, naming its pid', async () => {
    const other = await freePort();
    await expect(
      LocalPostgres.start({ dataDir, port: other, superuserPassword: 'super', settings: THROWAWAY_SETTINGS }),
    ).rejects.toThrow(new RegExp(`pid ${server!.pid}\\) from an earlier run still serves`));
  });

  it('says why when the port is taken', async () => {
    const second = join(dir, 'second');
    await expect(
      LocalPostgres.start({ dataDir: second, port, superuserPassword: 'x', settings: THROWAWAY_SETTINGS }),
    ).rejects.toThrow(/PostgreSQL exited while starting .*(could not|Address already in use)/);
  });
});

describe('ensureDatabaseExists', () => {
  it('creates the database a URL names when missing, once however many callers race', async () => {
    const server = new URL(process.env.TEST_DATABASE_URL!);
    const name = `helpline_ensure_${Date.now()}`;
    server.pathname = `/${name}`;
    try {
      const results = await Promise.all([1, 2, 3].map(() => ensureDatabaseExists(server.toString())));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await ensureDatabaseExists(server.toString())).toBe(false);
    } finally {
      const admin = new URL(server);
      admin.pathname = '/postgres';
      const client = new pg.Client({ connectionString: admin.toString() });
      await client.connect();
      await client.query(`drop database if exists ${name}`);
      await client.end();
    }
  });
});

describe('parseServiceDatabases', () => {
  it('reads database:role:password entries', () => {
    expect(parseServiceDatabases('users:user_service:a-b.c, orders:order_service:x')).toEqual([
      { database: 'users', role: 'user_service', password: 'a-b.c' },
      { database: 'orders', role: 'order_service', password: 'x' },
    ]);
    expect(parseServiceDatabases('')).toEqual([]);
  });

  it('names every bad entry without echoing its password', () => {
    expect(() => parseServiceDatabases('Users:x:pw,ok:ok:ok,a:b:"quoted secret"')).toThrow(
      /"Users:x:…" is not database:role:password.*"a:b:…"/,
    );
    expect(() => parseServiceDatabases('a:b:"quoted secret"')).not.toThrow(/quoted secret/);
  });
});
