import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startUserService,
  type Response,
  type UserServiceHarness,
} from '../test-support/user-service.harness.js';

/**
 * Regression tests, one per request that a hostile client once turned into a 500 (or into
 * something the README says is refused): each must now be a 4xx problem with a code.
 */
describe('user-service against hostile input', () => {
  let svc: UserServiceHarness;
  let admin: string;
  let user: string;
  let userId: string;
  const userSub = randomUUID();

  beforeAll(async () => {
    svc = await startUserService();
    admin = await svc.issuer.accessToken({ groups: ['admin'] });
    user = await svc.issuer.accessToken({ sub: userSub, groups: ['user'] });
    const created = await svc.call('POST', '/users', admin, {
      sub: userSub,
      email: 'plain@example.com',
      name: 'Plain',
    });
    userId = created.body.id as string;
  });

  afterAll(async () => {
    await svc?.close();
  });

  const expectProblem = (res: Response, status: number, code: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.contentType).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, code });
    expect(res.body.correlationId).toEqual(expect.any(String));
  };

  describe('a tampered list cursor is 400 INVALID_CURSOR before it reaches SQL', () => {
    const cursor = (at: string) => Buffer.from(JSON.stringify([at, randomUUID()])).toString('base64url');
    it.each([
      '2020',
      '1',
      '0',
      '-1',
      '12',
      'March 7',
      '2020-02-30',
      '+275760-09-13T00:00:00.000Z',
      '-271821-04-20T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '2020-01-01T00:00:00Z',
      '2020-01-01 00:00:00.000+00',
    ])('at = %j', async (at) => {
      expectProblem(await svc.call('GET', `/users?cursor=${cursor(at)}`, admin), 400, 'INVALID_CURSOR');
    });

    it('while a real cursor still pages', async () => {
      await svc.call('POST', '/users', admin, {
        sub: randomUUID(),
        email: 'second@example.com',
        name: 'Second',
      });
      const first = await svc.call('GET', '/users?limit=1', admin);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      expect(first.status).toBe(200);
      const next = await svc.call('GET', `/users?limit=1&cursor=${first.body.nextCursor as string}`, admin);
      expect(next.status).toBe(200);
    });
  });

  describe('null where a value may only be left out is 400, naming the field', () => {
    it.each([
      ['a user renaming themself', 'user', { name: null }, 'name'],
      ['an admin setting email', 'admin', { email: null }, 'email'],
      ['an admin setting status', 'admin', { status: null }, 'status'],
    ])('%s', async (_what, who, body, field) => {
      const res = await svc.call('PATCH', `/users/${userId}`, who === 'admin' ? admin : user, body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect((res.body.errors as Array<{ field: string }>).map((e) => e.field)).toContain(field);
    });

    it('and a PATCH body of null is 400 INVALID_BODY', async () => {
      expectProblem(await svc.call('PATCH', `/users/${userId}`, user, 'null'), 400, 'INVALID_BODY');
    });
  });

  describe('a NUL character, which PostgreSQL text cannot hold, is 400 INVALID_CHARACTER', () => {
    it('in a POST body', async () => {
      const body = { sub: randomUUID(), email: 'nul@example.com', name: 'a\u0000b' };
      expectProblem(await svc.call('POST', '/users', admin, body), 400, 'INVALID_CHARACTER');
    });

    it('in a PATCH body', async () => {
      expectProblem(
        await svc.call('PATCH', `/users/${userId}`, user, { name: 'a\u0000b' }),
        400,
        'INVALID_CHARACTER',
      );
    });

    it('in a query string', async () => {
      expectProblem(await svc.call('GET', '/users?email=a%00b@example.com', admin), 400, 'INVALID_CHARACTER');
    });

    it('and so is half a surrogate pair, which made the email validator throw (found by the property test)', async () => {
      const body = `{"sub":"${randomUUID()}","email":"\\ud800","name":"x"}`;
      expectProblem(await svc.call('POST', '/users', admin, body), 400, 'INVALID_CHARACTER');
      expectProblem(
        await svc.call('PATCH', `/users/${userId}`, admin, '{"email":"\\udc00"}'),
        400,
        'INVALID_CHARACTER',
      );
    });

    it('while a whole surrogate pair is a character like any other', async () => {
      const res = await svc.call('PATCH', `/users/${userId}`, user, '{"name":"Plain \\ud83d\\ude00"}');
      expect(res.status).toBe(200);
      expect(res.body.name).toBe('Plain \u{1F600}');
    });

    it('but an escaped backslash followed by u0000 is just text', async () => {
      const res = await svc.call('PATCH', `/users/${userId}`, user, { name: 'back\\u0000slash' });
      expect(res.status).toBe(200);
      expect(res.body.name).toBe('back\\u0000slash');
    });
  });

  describe('deeply nested JSON is refused while parsing', () => {
    it.each([2_000, 500_000])('%i levels: 400 INVALID_JSON', async (levels) => {
      const body = `{"name":${'['.repeat(levels)}${']'.repeat(levels)}}`;
      expectProblem(await svc.call('PATCH', `/users/${userId}`, user, body), 400, 'INVALID_JSON');
    });
  });

  describe("Fastify's own refusals are problems with codes and correlation ids", () => {
    it('a malformed percent-encoding: 400 INVALID_URL', async () => {
      expectProblem(await svc.call('GET', '/users/%E0%A4%A', admin), 400, 'INVALID_URL');
    });

    it('a 5,000-character id: 414 URL_TOO_LONG', async () => {
      expectProblem(await svc.call('GET', `/users/${'a'.repeat(5_000)}`, admin), 414, 'URL_TOO_LONG');
    });

    it('a bearer header over 16 KB: 431 HEADERS_TOO_LARGE', async () => {
      const res = await rawGet(`${svc.base}/users/me`, { authorization: `Bearer ${'x'.repeat(17_000)}` });
      expect(res.status).toBe(431);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const body = JSON.parse(res.body) as Record<string, unknown>;
      expect(body).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
      expect(body.correlationId).toBe(res.headers['x-correlation-id']);
    });
  });

  describe('input the README says is refused is refused', () => {
    it('a form-encoded POST: 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const res = await svc.call('POST', '/users', admin, `sub=${randomUUID()}&email=f@example.com&name=F`, {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('a text/plain POST: 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      const res = await svc.call('POST', '/users', admin, '{}', { 'content-type': 'text/plain' });
      expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('what a caller learns is what its scope allows', () => {
    it('user-provisioner (service/user.write only) learns just the id and sub of an existing user', async () => {
      const provisioner = await svc.issuer.serviceToken(['service/user.write'], 'user-provisioner');
      const res = await svc.call('POST', '/users', provisioner, {
        sub: userSub,
        email: 'other@example.com',
        name: 'X',
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: userId, sub: userSub });
    });

    it('while an admin still gets the whole user', async () => {
      const res = await svc.call('POST', '/users', admin, {
        sub: userSub,
        email: 'other@example.com',
        name: 'X',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: userId, email: 'plain@example.com', name: expect.any(String) });
    });
  });

  describe('a disabled user can do nothing', () => {
    const sub = randomUUID();
    let token: string;
    let id: string;

    beforeAll(async () => {
      token = await svc.issuer.accessToken({ sub, groups: ['user'] });
      id = (await svc.call('POST', '/users', admin, { sub, email: 'off@example.com', name: 'Off' })).body
        .id as string;
      expect((await svc.call('PATCH', `/users/${id}`, admin, { status: 'disabled' })).status).toBe(200);
    });

    it.each([
      ['read themself', 'GET', '/users/me', undefined],
      ['read themself by id', 'GET', 'self', undefined],
      ['rename themself', 'PATCH', 'self', { name: 'Still Here' }],
    ])('cannot %s: 403 USER_DISABLED', async (_what, method, path, body) => {
      const res = await svc.call(method, path === 'self' ? `/users/${id}` : path, token, body);
      expectProblem(res, 403, 'USER_DISABLED');
    });

    it('until an admin enables them again', async () => {
      expect((await svc.call('PATCH', `/users/${id}`, admin, { status: 'active' })).status).toBe(200);
      expect((await svc.call('GET', '/users/me', token)).status).toBe(200);
    });
  });
});

/** A GET through node:http, whose client sends headers that fetch would refuse to. */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
