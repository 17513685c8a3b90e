import { createTestIssuer, TestIssuer } from '@helpline/testing';
import { base64url, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJwtAuthOptions } from './jwt-auth.options.js';
import { startTestApp, TestApp } from './test-app.fixture.js';

let issuer: TestIssuer;
let otherIssuer: TestIssuer;
let app: TestApp;

const nowSeconds = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  [issuer, otherIssuer] = await Promise.all([
    createTestIssuer(),
    createTestIssuer({ poolId: 'ap-northeast-1_other' }),
  ]);
  app = await startTestApp(readJwtAuthOptions(issuer.env()).value!);
});

afterAll(async () => {
  await app?.close();
  await Promise.all([issuer?.close(), otherIssuer?.close()]);
});

/** Every refusal is a 401 (never a 500) with a code and the invalid_token challenge. */
async function expectRefused(token: string, code = 'TOKEN_INVALID') {
  const response = await app.get('/me', { token });
  expect(response).toMatchObject({ status: 401, body: { code } });
  expect(typeof response.body.message).toBe('string');
  expect(response.wwwAuthenticate).toBe('Bearer error="invalid_token"');
  return response;
}

/** Claims that would pass, so each test breaks exactly one thing. */
function goodClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = nowSeconds();
  return {
    sub: 'attacker',
    iss: issuer.issuer,
    client_id: issuer.clientId,
    token_use: 'access',
    username: 'attacker',
    'cognito:groups': ['admin'],
    iat,
    exp: iat + 3600,
    ...overrides,
  };
}

describe('hostile tokens', () => {
  it('the baseline claims do pass, so each refusal below is for the one thing it breaks', async () => {
    expect((await app.get('/admin', { token: await issuer.sign(goodClaims()) })).status).toBe(200);
  });

  it('refuses alg "none"', async () => {
    await expectRefused(await issuer.sign(goodClaims(), { alg: 'none' }));
    await expectRefused(await issuer.sign(goodClaims(), { alg: 'none', kid: issuer.publicJwk.kid! }));
  });

  it('refuses HS256 tokens whose "secret" is the RSA public key (PEM and JWK bytes)', async () => {
    const secrets = [
      issuer.publicKeyPem,
      JSON.stringify(issuer.publicJwk),
      issuer.publicJwk.n!,
      JSON.stringify(issuer.jwks),
    ];
    for (const secret of secrets) {
      const token = await new SignJWT(goodClaims())
        .setProtectedHeader({ alg: 'HS256', kid: issuer.publicJwk.kid! })
        .sign(new TextEncoder().encode(secret));
      const { body } = await expectRefused(token);
      expect(body.message).toMatch(/algorithm/);
    }
  });

  it('refuses a token signed by another issuer’s key, even with our iss and kid', async () => {
    const forged = await otherIssuer.sign(goodClaims(), { kid: issuer.publicJwk.kid! });
    const { body } = await expectRefused(forged);
    expect(body.message).toMatch(/signature/);
  });

  it('refuses a token with a tampered payload', async () => {
    const [header, , signature] = (await issuer.sign(goodClaims())).split('.');
    const payload = base64url.encode(JSON.stringify(goodClaims({ 'cognito:groups': ['admin', 'root'] })));
    await expectRefused(`${header}.${payload}.${signature}`);
  });

  it('refuses an expired token with TOKEN_EXPIRED', async () => {
    await expectRefused(
      await issuer.accessToken({ issuedAt: nowSeconds() - 7200, expiresIn: 3600 }),
      'TOKEN_EXPIRED',
    );
  });

  it('allows the configured clock skew (5 s) on exp, and no more', async () => {
    const iat = nowSeconds() - 3600;
    expect(
      (await app.get('/me', { token: await issuer.accessToken({ issuedAt: iat, expiresIn: 3598 }) })).status,
    ).toBe(200);
    await expectRefused(await issuer.accessToken({ issuedAt: iat, expiresIn: 3590 }), 'TOKEN_EXPIRED');
  });

  it('refuses a token that is not valid yet with TOKEN_NOT_YET_VALID', async () => {
    await expectRefused(await issuer.accessToken({ notBefore: nowSeconds() + 600 }), 'TOKEN_NOT_YET_VALID');
  });

  it('refuses a token without exp, which would otherwise be valid forever', async () => {
    await expectRefused(await issuer.sign(goodClaims({ exp: undefined })));
  });

  it('refuses a token from another issuer (its own JWKS, its own iss)', async () => {
    const { body } = await expectRefused(await otherIssuer.accessToken({ clientId: issuer.clientId }));
    expect(body.message).toMatch(/key is not known/);
  });

  it('refuses our key with the wrong iss', async () => {
    for (const iss of [otherIssuer.issuer, `${issuer.issuer}/`, issuer.issuer.toUpperCase(), undefined]) {
      const { body } = await expectRefused(await issuer.sign(goodClaims({ iss })));
      expect(body.message).toMatch(/iss/);
    }
  });

  it('refuses an access token whose client_id is not in JWT_AUDIENCE', async () => {
    await expectRefused(await issuer.accessToken({ clientId: 'some-other-client' }));
    // An access token's aud does not stand in for its client_id.
    await expectRefused(await issuer.sign(goodClaims({ client_id: undefined, aud: issuer.clientId })));
  });

  it('refuses an ID token for another client (wrong aud), even where ID tokens are accepted', async () => {
    const idApp = await startTestApp(readJwtAuthOptions(issuer.env({ JWT_TOKEN_USE: 'id' })).value!);
    try {
      const wrongAud = await issuer.idToken({ clientId: 'some-other-client' });
      expect(await idApp.get('/me', { token: wrongAud })).toMatchObject({
        status: 401,
        body: { code: 'TOKEN_INVALID' },
      });
      expect((await idApp.get('/me', { token: await issuer.idToken() })).status).toBe(200);
      // An ID-only service refuses access tokens.
      expect((await idApp.get('/me', { token: await issuer.accessToken() })).status).toBe(401);
    } finally {
      await idApp.close();
    }
  });

  it('refuses an ID token where an access token is required, and a token without token_use', async () => {
    await expectRefused(await issuer.idToken());
    await expectRefused(await issuer.sign(goodClaims({ token_use: undefined })));
    await expectRefused(await issuer.sign(goodClaims({ token_use: 'refresh' })));
  });

  it('refuses a token without a sub', async () => {
    await expectRefused(await issuer.sign(goodClaims({ sub: undefined })));
    await expectRefused(await issuer.sign(goodClaims({ sub: 42 })));
  });

  it('refuses garbage', async () => {
    const garbage = [
      'garbage',
      'a.b.c',
      'a.b',
      '....',
      '%00%00',
      'eyJhbGciOiJSUzI1NiJ9',
      'eyJhbGciOiJSUzI1NiJ9.e30',
      'eyJhbGciOiJSUzI1NiJ9.e30.',
      `${base64url.encode('{"alg":"RS256"')}.e30.sig`,
      `${base64url.encode('[]')}.e30.sig`,
      `${base64url.encode('{"alg":"RS256","crit":["x"],"x":1}')}.e30.c2ln`,
      'ÿÿÿÿ',
    ];
    for (const token of garbage) await expectRefused(token);
  });

  it('refuses a 100 KB token before parsing it', async () => {
    const fetchesBefore = issuer.jwksRequests;
    const { body } = await expectRefused('a'.repeat(100 * 1024));
    expect(body.message).toMatch(/longer than 16384/);
    // A real token padded past the limit is refused the same way: the size check comes first.
    const padded = (await issuer.accessToken()) + '.'.repeat(20_000);
    await expectRefused(padded);
    expect(issuer.jwksRequests).toBe(fetchesBefore);
  });

  it('refuses a properly signed token whose payload is not JSON', async () => {
    for (const payload of ['not json', '[1,2,3]', '"a string"', 'null', '{"sub":']) {
      const { body } = await expectRefused(await issuer.sign(payload));
      expect(body.message).toMatch(/malformed/);
    }
  });

  it('refuses claims of the wrong type without a 500', async () => {
    await expectRefused(await issuer.sign(goodClaims({ exp: 'tomorrow' })));
    await expectRefused(await issuer.sign(goodClaims({ nbf: {} })));
    await expectRefused(await issuer.sign(goodClaims({ client_id: ['test-client'] })));
    const odd = await issuer.sign(goodClaims({ 'cognito:groups': { admin: true }, scope: 42 }));
    expect(await app.get('/me', { token: odd })).toMatchObject({
      status: 200,
      body: { roles: [], scopes: [] },
    });
  });

  it('never reflects the token in an error body', async () => {
    const token = await issuer.sign(goodClaims({ iss: 'https://evil.example' }));
    const response = await app.get('/me', { token });
    expect(JSON.stringify(response.body)).not.toContain(token.split('.')[1]!.slice(0, 20));
  });
});
