import { createServiceApp } from '@helpline/common';
import { createTestDatabase, createTestIssuer, type TestDatabase, type TestIssuer } from '@helpline/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppModule, OPEN_API } from '../app.module.js';
import { readUserServiceConfig } from '../config.js';
import { UsersRepository } from './users.repository.js';

interface UserBody {
  id: string;
  sub: string;
  email: string;
  name: string;
  status: string;
}

describe('user-service API (real HTTP, real tokens, real database)', () => {
  let issuer: TestIssuer;
  let database: TestDatabase;
  let app: NestFastifyApplication;
  let base: string;
  let adminToken: string;
  let managerToken: string;
  const alice = { sub: randomUUID(), email: 'alice@example.com', name: 'Alice' };
  const bob = { sub: randomUUID(), email: 'bob@example.com', name: 'Bob' };
  let aliceToken: string;
  let aliceId: string;

  beforeAll(async () => {
    [issuer, database] = await Promise.all([createTestIssuer(), createTestDatabase()]);
    const config = readUserServiceConfig({
      ...issuer.env({ JWT_AUDIENCE: `${issuer.clientId},user-provisioner,order-service` }),
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      SEED_DEMO_DATA: 'false',
      DATABASE_URL: database.url,
    });
    app = await createServiceApp(AppModule.forRoot(config), { service: config.service, openApi: OPEN_API });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = await app.getUrl();
    [adminToken, managerToken, aliceToken] = await Promise.all([
      issuer.accessToken({ groups: ['admin'] }),
      issuer.accessToken({ groups: ['manager'] }),
      issuer.accessToken({ sub: alice.sub, groups: ['user'] }),
    ]);
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([issuer?.close(), database?.drop()]);
  });

  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> };
  };

  describe('POST /users', () => {
    it('creates the user of an identity for an admin (201), and is idempotent on sub (200, same user)', async () => {
      const first = await call('POST', '/users', adminToken, alice);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        sub: alice.sub,
        email: 'alice@example.com',
        name: 'Alice',
        status: 'active',
      });
      aliceId = (first.body as unknown as UserBody).id;
      const again = await call('POST', '/users', adminToken, { ...alice, name: 'Someone Else' });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ id: aliceId, name: 'Alice' });
    });

    it('accepts a service token with scope service/user.write (the provisioning trigger)', async () => {
      const token = await issuer.serviceToken(['service/user.write'], 'user-provisioner');
      const res = await call('POST', '/users', token, bob);
      expect(res.status).toBe(201);
    });

    it('creates one user when the same identity is provisioned concurrently', async () => {
      const carol = { sub: randomUUID(), email: 'carol@example.com', name: 'Carol' };
      const results = await Promise.all(
        Array.from({ length: 5 }, () => call('POST', '/users', adminToken, carol)),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    });

    it('refuses a plain user and a service token without user.write', async () => {
      expect((await call('POST', '/users', aliceToken, { ...alice, sub: randomUUID() })).status).toBe(403);
      const readOnly = await issuer.serviceToken(['service/user.read']);
      const res = await call('POST', '/users', readOnly, { ...alice, sub: randomUUID() });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('INSUFFICIENT_SCOPE');
    });

    it('names every invalid field', async () => {
      const res = await call('POST', '/users', adminToken, { sub: 'not-a-uuid', email: 'nope', name: '' });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field);
      expect(new Set(fields)).toEqual(new Set(['sub', 'email', 'name']));
    });

    it('answers 409 EMAIL_TAKEN when another identity already has the email, whatever its case', async () => {
      const res = await call('POST', '/users', adminToken, {
        sub: randomUUID(),
        email: 'ALICE@example.com',
        name: 'X',
      });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('EMAIL_TAKEN');
    });
  });

  describe('GET /users/me and /users/{id}', () => {
    it('returns the caller linked to the token', async () => {
      const res = await call('GET', '/users/me', aliceToken);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: aliceId, sub: alice.sub });
    });

    it('reads the caller once: the user the active-user check read is the answer', async () => {
      const lookups = vi.spyOn(app.get(UsersRepository), 'findBySub');
      try {
        const res = await call('GET', '/users/me', aliceToken);
        expect(res.body).toMatchObject({ id: aliceId });
        expect(lookups).toHaveBeenCalledTimes(1);
      } finally {
        lookups.mockRestore();
      }
    });

    it('answers 404 USER_NOT_FOUND for an identity with no user yet', async () => {
      const res = await call('GET', '/users/me', await issuer.accessToken());
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('USER_NOT_FOUND');
    });

    it('lets a user read themself by id or by sub, but nobody else', async () => {
      expect((await call('GET', `/users/${aliceId}`, aliceToken)).status).toBe(200);
      expect((await call('GET', `/users/${alice.sub}`, aliceToken)).body.id).toBe(aliceId);
      const other = await call('GET', `/users/${bob.sub}`, aliceToken);
      expect(other.status).toBe(403);
      expect(other.body.code).toBe('USER_ACCESS_DENIED');
      // An unknown id looks the same as someone else's: no probing for which ids exist.
      expect((await call('GET', `/users/${randomUUID()}`, aliceToken)).status).toBe(403);
    });

    it('lets managers and services with user.read read anyone', async () => {
      expect((await call('GET', `/users/${alice.sub}`, managerToken)).status).toBe(200);
      const service = await issuer.serviceToken(['service/user.read'], 'order-service');
      expect((await call('GET', `/users/${alice.sub}`, service)).body).toMatchObject({
        email: 'alice@example.com',
      });
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      const missing = await call('GET', `/users/${randomUUID()}`, adminToken);
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('USER_NOT_FOUND');
      const malformed = await call('GET', '/users/1%27%20or%201=1', adminToken);
      expect(malformed.status).toBe(400);
      expect(malformed.body.code).toBe('INVALID_ID');
    });
  });

  describe('GET /users', () => {
    it('is for admins and managers only', async () => {
      expect((await call('GET', '/users', aliceToken)).body.code).toBe('INSUFFICIENT_ROLE');
      expect((await call('GET', '/users', managerToken)).status).toBe(200);
    });

    it('pages with limit and cursor, oldest first, without skipping or repeating', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await call('GET', `/users?limit=1${cursor ? `&cursor=${cursor}` : ''}`, adminToken);
        expect(res.status).toBe(200);
        const page = res.body as unknown as { items: UserBody[]; nextCursor: string | null };
        expect(page.items.length).toBeLessThanOrEqual(1);
        seen.push(...page.items.map((u) => u.email));
        cursor = page.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com']);
    });

    it('filters by email', async () => {
      const res = await call('GET', '/users?email=BOB@example.com', adminToken);
      expect((res.body.items as UserBody[]).map((u) => u.sub)).toEqual([bob.sub]);
    });

    it('refuses a bad limit or cursor with 400', async () => {
      for (const query of ['limit=0', 'limit=101', 'limit=abc']) {
        const res = await call('GET', `/users?${query}`, adminToken);
        expect(res.status, query).toBe(400);
        expect((res.body.errors as Array<{ field: string }>)[0]?.field).toBe('limit');
      }
      const res = await call('GET', '/users?cursor=garbage', adminToken);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('INVALID_CURSOR');
    });
  });

  describe('PATCH /users/{id}', () => {
    it('lets a user rename themself but not change their status', async () => {
      const renamed = await call('PATCH', `/users/${aliceId}`, aliceToken, { name: '  Alice A.  ' });
      expect(renamed.status).toBe(200);
      expect(renamed.body.name).toBe('Alice A.');
      const status = await call('PATCH', `/users/${aliceId}`, aliceToken, { status: 'disabled' });
      expect(status.status).toBe(403);
      expect(status.body.detail).toContain('status');
    });

    it('lets an admin change status and email, refusing an email in use', async () => {
      const res = await call('PATCH', `/users/${bob.sub}`, adminToken, {
        status: 'disabled',
        email: 'robert@example.com',
      });
      expect(res.body).toMatchObject({ status: 'disabled', email: 'robert@example.com' });
      const clash = await call('PATCH', `/users/${bob.sub}`, adminToken, { email: 'alice@example.com' });
      expect(clash.status).toBe(409);
    });

    it('refuses unknown fields and bad values', async () => {
      const res = await call('PATCH', `/users/${aliceId}`, adminToken, { status: 'banned', role: 'admin' });
      expect(res.status).toBe(400);
      expect((res.body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual([
        'role',
        'status',
      ]);
    });
  });

  describe('DELETE /users/{id}', () => {
    it('is for admins: 204, then 404', async () => {
      expect((await call('DELETE', `/users/${bob.sub}`, aliceToken)).status).toBe(403);
      expect((await call('DELETE', `/users/${bob.sub}`, adminToken)).status).toBe(204);
      expect((await call('DELETE', `/users/${bob.sub}`, adminToken)).status).toBe(404);
    });
  });

  describe('authentication at the service', () => {
    it('answers 401 with a code for a missing, expired, unsigned or ID token', async () => {
      expect((await call('GET', '/users/me')).body.code).toBe('TOKEN_MISSING');
      const expired = await issuer.accessToken({ sub: alice.sub, expiresIn: -120 });
      expect((await call('GET', '/users/me', expired)).body.code).toBe('TOKEN_EXPIRED');
      const unsigned = await issuer.sign(
        { sub: alice.sub, token_use: 'access', iss: issuer.issuer },
        { alg: 'none' },
      );
      const res = await call('GET', '/users/me', unsigned);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('TOKEN_INVALID');
      const idToken = await issuer.idToken({ sub: alice.sub });
      expect((await call('GET', '/users/me', idToken)).status).toBe(401);
    });

    it('answers problem+json with the correlation id', async () => {
      const res = await fetch(`${base}/users/me`, { headers: { 'x-correlation-id': 'corr-401' } });
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({
        status: 401,
        code: 'TOKEN_MISSING',
        correlationId: 'corr-401',
      });
    });

    it('keeps health, metrics and docs open', async () => {
      for (const path of ['/health/live', '/health/ready', '/metrics', '/docs/json']) {
        expect((await fetch(`${base}${path}`)).status, path).toBe(200);
      }
      const doc = (await (await fetch(`${base}/docs/json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/users', '/users/me', '/users/{id}']));
    });
  });
});
