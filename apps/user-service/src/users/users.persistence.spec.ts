import { randomUUID } from 'node:crypto';
import { createServiceApp } from '@helpline/common';
import { createTestDatabase, createTestIssuer, type TestDatabase, type TestIssuer } from '@helpline/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../app.module.js';
import { readUserServiceConfig } from '../config.js';
import { DEMO_USERS } from './users.seed.js';

/** The database as `npm start` uses it: seeded with the demo users when empty, kept across restarts. */
describe('user-service across restarts', () => {
  let issuer: TestIssuer;
  let database: TestDatabase;
  let adminToken: string;

  beforeAll(async () => {
    [issuer, database] = await Promise.all([createTestIssuer(), createTestDatabase()]);
    adminToken = await issuer.accessToken({ groups: ['admin'] });
  });

  afterAll(async () => {
    await Promise.all([issuer?.close(), database?.drop()]);
  });

  async function start(): Promise<{ app: NestFastifyApplication; base: string }> {
    const config = readUserServiceConfig({
      ...issuer.env(),
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: database.url,
      SEED_DEMO_DATA: 'true',
    });
    const app = await createServiceApp(AppModule.forRoot(config), { service: config.service });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { app, base: await app.getUrl() };
  }

  const listEmails = async (base: string) => {
    const res = await fetch(`${base}/users?limit=100`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    return ((await res.json()) as { items: Array<{ email: string }> }).items.map((u) => u.email);
  };

  it('seeds the demo users on first start, keeps what was written across a restart, and never seeds twice', async () => {
    const first = await start();
    expect(await listEmails(first.base)).toEqual(DEMO_USERS.map((u) => u.email));
    const created = await fetch(`${first.base}/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sub: randomUUID(), email: 'kept@example.com', name: 'Kept' }),
    });
    expect(created.status).toBe(201);
    await first.app.close();

    const second = await start();
    expect(await listEmails(second.base)).toEqual([...DEMO_USERS.map((u) => u.email), 'kept@example.com']);
    await second.app.close();
  });

  it('links the demo users to the fixed subs of the local identity pool', async () => {
    const { app, base } = await start();
    const token = await issuer.accessToken({ sub: 'a0000000-0000-4000-8000-000000000003', groups: ['user'] });
    const me = await fetch(`${base}/users/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ email: 'user@example.com' });
    await app.close();
  });
});
