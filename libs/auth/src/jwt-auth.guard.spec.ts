import { createTestIssuer, TestIssuer } from '@helpline/testing';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Roles, Scopes } from './auth.decorators.js';
import { AuthModule } from './auth.module.js';
import { JwtAuthOptions, readJwtAuthOptions } from './jwt-auth.options.js';
import { startTestApp, TestApp } from './test-app.fixture.js';

let issuer: TestIssuer;
let app: TestApp;
let idApp: TestApp;
let secretApp: TestApp;

const SECRET = 'a-test-secret-that-is-at-least-32-bytes-long';
const SECRET_ISSUER = 'https://issuer.example';

/** An HS256 token as a non-Cognito issuer sharing JWT_SECRET would make it. */
function hs256(claims: Record<string, unknown>, secret = SECRET, alg = 'HS256') {
  const iat = Math.floor(Date.now() / 1000);
  const payload = {
    sub: 'user-1',
    iss: SECRET_ISSUER,
    client_id: 'test-client',
    token_use: 'access',
    iat,
    exp: iat + 3600,
  };
  return new SignJWT({ ...payload, ...claims })
    .setProtectedHeader({ alg })
    .sign(new TextEncoder().encode(secret));
}

beforeAll(async () => {
  issuer = await createTestIssuer();
  app = await startTestApp(readJwtAuthOptions(issuer.env()).value!);
  idApp = await startTestApp(readJwtAuthOptions(issuer.env({ JWT_TOKEN_USE: 'access,id' })).value!);
  secretApp = await startTestApp(
    readJwtAuthOptions({ JWT_SECRET: SECRET, JWT_ISSUER: SECRET_ISSUER, JWT_AUDIENCE: 'test-client' }).value!,
  );
});

afterAll(async () => {
  await app?.close();
  await idApp?.close();
  await secretApp?.close();
  await issuer?.close();
});

describe('JwtAuthGuard over HTTP', () => {
  it('lets anyone call a @Public route', async () => {
    expect(await app.get('/public')).toMatchObject({ status: 200, body: { ok: true } });
    expect(await app.get('/public', { token: 'garbage' })).toMatchObject({ status: 200 });
  });

  it('turns a user access token into a principal with roles and scopes', async () => {
    const token = await issuer.accessToken({
      sub: 'a0000000-0000-4000-8000-000000000003',
      username: 'user@example.com',
      groups: ['user', 'manager'],
      scope: 'openid email',
    });
    const { status, body } = await app.get('/me', { token });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      sub: 'a0000000-0000-4000-8000-000000000003',
      username: 'user@example.com',
      clientId: issuer.clientId,
      roles: ['user', 'manager'],
      scopes: ['openid', 'email'],
      tokenUse: 'access',
      isService: false,
    });
    expect(body.claims).toMatchObject({ token_use: 'access', iss: issuer.issuer });
  });

  it('answers 401 TOKEN_MISSING with a bare Bearer challenge when no token is sent', async () => {
    for (const authorization of [undefined, 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Bearer a b']) {
      const response = await app.get('/me', authorization === undefined ? {} : { authorization });
      expect(response, String(authorization)).toMatchObject({ status: 401, body: { code: 'TOKEN_MISSING' } });
      expect(response.wwwAuthenticate).toBe('Bearer');
    }
  });

  it('accepts the scheme in any case', async () => {
    const token = await issuer.accessToken();
    expect((await app.get('/me', { authorization: `bearer ${token}` })).status).toBe(200);
  });

  it('refuses an ID token unless JWT_TOKEN_USE allows "id"', async () => {
    const token = await issuer.idToken({ username: 'jane', email: 'jane@example.com', groups: ['admin'] });
    const refused = await app.get('/me', { token });
    expect(refused).toMatchObject({ status: 401, body: { code: 'TOKEN_INVALID' } });
    expect(refused.wwwAuthenticate).toBe('Bearer error="invalid_token"');

    const accepted = await idApp.get('/me', { token });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({
      username: 'jane',
      email: 'jane@example.com',
      clientId: issuer.clientId,
      roles: ['admin'],
      tokenUse: 'id',
      isService: false,
    });
  });

  describe('@Roles and @Scopes', () => {
    it('admits an admin to the admin route and refuses a plain user with INSUFFICIENT_ROLE', async () => {
      const admin = await issuer.accessToken({ groups: ['admin'] });
      const user = await issuer.accessToken({ groups: ['user'] });
      expect((await app.get('/admin', { token: admin })).status).toBe(200);
      const refused = await app.get('/admin', { token: user });
      expect(refused).toMatchObject({ status: 403, body: { code: 'INSUFFICIENT_ROLE' } });
      expect(refused.wwwAuthenticate).toBe('Bearer error="insufficient_scope"');
    });

    it('treats a client-credentials token as a service principal with scopes and no roles', async () => {
      const token = await issuer.serviceToken(['service/user.read', 'service/product.write']);
      const { status, body } = await app.get('/users-read', { token });
      expect(status).toBe(200);
      expect(body).toMatchObject({
        sub: issuer.clientId,
        clientId: issuer.clientId,
        roles: [],
        scopes: ['service/user.read', 'service/product.write'],
        tokenUse: 'access',
        isService: true,
      });
      expect(body.username).toBeUndefined();
    });

    it('refuses a service token on a roles-only route, as a missing scope', async () => {
      const token = await issuer.serviceToken(['service/user.read']);
      expect(await app.get('/admin', { token })).toMatchObject({
        status: 403,
        body: { code: 'INSUFFICIENT_SCOPE' },
      });
    });

    it('refuses a user without the scope on a scopes-only route with INSUFFICIENT_SCOPE', async () => {
      const token = await issuer.accessToken({ groups: ['admin'] });
      expect(await app.get('/users-read', { token })).toMatchObject({
        status: 403,
        body: { code: 'INSUFFICIENT_SCOPE' },
      });
    });

    it('admits any listed role OR any listed scope on a route that lists both', async () => {
      const admin = await issuer.accessToken({ groups: ['admin'] });
      const service = await issuer.serviceToken(['service/user.read']);
      const user = await issuer.accessToken({ groups: ['user'] });
      const otherService = await issuer.serviceToken(['service/order.read']);
      expect((await app.get('/admin-or-users-read', { token: admin })).status).toBe(200);
      expect((await app.get('/admin-or-users-read', { token: service })).status).toBe(200);
      expect(await app.get('/admin-or-users-read', { token: user })).toMatchObject({
        status: 403,
        body: { code: 'INSUFFICIENT_ROLE' },
      });
      expect(await app.get('/admin-or-users-read', { token: otherService })).toMatchObject({
        status: 403,
        body: { code: 'INSUFFICIENT_SCOPE' },
      });
    });

    it('applies a controller-level @Roles, and lets a handler-level @Roles replace it', async () => {
      const manager = await issuer.accessToken({ groups: ['manager'] });
      const admin = await issuer.accessToken({ groups: ['admin'] });
      expect((await app.get('/managed', { token: manager })).status).toBe(200);
      expect((await app.get('/managed', { token: admin })).status).toBe(403);
      expect((await app.get('/managed/admin-only', { token: admin })).status).toBe(200);
      expect((await app.get('/managed/admin-only', { token: manager })).status).toBe(403);
    });

    it('reads roles from a string claim, space or comma separated', async () => {
      const token = await issuer.accessToken({ groups: [], claims: { 'cognito:groups': 'user, admin' } });
      const { status, body } = await app.get('/admin', { token });
      expect(status).toBe(200);
      expect(body.roles).toEqual(['user', 'admin']);
    });
  });

  it('answers repeated requests with the same token from the verification cache', async () => {
    const token = await issuer.accessToken();
    const before = app.verifier.cacheStats();
    for (let i = 0; i < 5; i++) expect((await app.get('/me', { token })).status).toBe(200);
    const after = app.verifier.cacheStats();
    expect({ hits: after.hits - before.hits, misses: after.misses - before.misses }).toEqual({
      hits: 4,
      misses: 1,
    });
  });

  it('answers 503 JWKS_UNAVAILABLE, without a Bearer challenge, while the issuer’s JWKS is down', async () => {
    const fresh = await startTestApp(readJwtAuthOptions(issuer.env()).value!);
    try {
      issuer.setJwksAvailable(false);
      const response = await fresh.get('/me', { token: await issuer.accessToken() });
      expect(response).toMatchObject({ status: 503, body: { code: 'JWKS_UNAVAILABLE' } });
      expect(response.wwwAuthenticate).toBeNull();
    } finally {
      issuer.setJwksAvailable(true);
      await fresh.close();
    }
  });

  it('refuses an empty @Roles() or @Scopes() when the class is declared, not by admitting everyone', () => {
    expect(() => Roles()).toThrow(/@Roles\(\) needs at least one/);
    expect(() => Scopes('')).toThrow(/@Scopes\(\) needs at least one/);
  });

  it('checks options when AuthModule.forRoot is called, not at the first request', () => {
    const good = readJwtAuthOptions(issuer.env()).value!;
    expect(() => AuthModule.forRoot({ ...good, algorithms: ['none'] })).toThrow(
      /algorithms: must not contain "none"/,
    );
    expect(() => AuthModule.forRoot(undefined as unknown as JwtAuthOptions)).toThrow(/options are missing/);
    expect(() => AuthModule.forRoot(good)).not.toThrow();
  });
});

describe('secret mode (HS256 with JWT_SECRET)', () => {
  it('verifies HS256 tokens end to end, with roles and scopes', async () => {
    const token = await hs256({ 'cognito:groups': ['admin'], scope: 'service/user.read' });
    const { status, body } = await secretApp.get('/admin-or-users-read', { token });
    expect(status).toBe(200);
    expect(body).toMatchObject({ sub: 'user-1', roles: ['admin'], scopes: ['service/user.read'] });
  });

  it('refuses a token signed with another secret', async () => {
    const token = await hs256({}, 'another-secret-that-is-also-32-bytes-long!!');
    expect(await secretApp.get('/me', { token })).toMatchObject({
      status: 401,
      body: { code: 'TOKEN_INVALID' },
    });
  });

  it('refuses RS256 tokens, however well signed', async () => {
    const token = await issuer.sign({
      sub: 'user-1',
      iss: SECRET_ISSUER,
      client_id: 'test-client',
      token_use: 'access',
      exp: Math.floor(Date.now() / 1000) + 3600,
    });
    expect(await secretApp.get('/me', { token })).toMatchObject({
      status: 401,
      body: { code: 'TOKEN_INVALID' },
    });
  });

  it('refuses HS512 unless JWT_ALGORITHMS lists it', async () => {
    expect(await secretApp.get('/me', { token: await hs256({}, SECRET, 'HS512') })).toMatchObject({
      status: 401,
    });
  });

  it('still checks the issuer and the expiry', async () => {
    expect(
      (await secretApp.get('/me', { token: await hs256({ iss: 'https://other.example' }) })).status,
    ).toBe(401);
    const expired = await hs256({ exp: Math.floor(Date.now() / 1000) - 60 });
    expect(await secretApp.get('/me', { token: expired })).toMatchObject({
      status: 401,
      body: { code: 'TOKEN_EXPIRED' },
    });
  });
});
