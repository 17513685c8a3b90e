import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer, TestIssuer } from './issuer.js';

let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await createTestIssuer();
});

afterAll(async () => {
  await issuer?.close();
});

async function fetchJwks() {
  const response = await fetch(issuer.jwksUri);
  expect(response.status).toBe(200);
  return (await response.json()) as { keys: Array<Record<string, unknown>> };
}

describe('createTestIssuer', () => {
  it('serves its JWKS over HTTP at <issuer>/.well-known/jwks.json and counts the fetches', async () => {
    expect(issuer.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ap-northeast-1_testpool$/);
    expect(issuer.jwksUri).toBe(`${issuer.issuer}/.well-known/jwks.json`);
    const before = issuer.jwksRequests;
    const jwks = await fetchJwks();
    expect(issuer.jwksRequests).toBe(before + 1);
    expect(jwks.keys).toHaveLength(2);
    for (const key of jwks.keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(key).toMatchObject({ alg: 'RS256', kty: 'RSA', use: 'sig' });
    }
  });

  it('gives the env for @helpline/auth', () => {
    expect(issuer.env({ JWT_TOKEN_USE: 'any' })).toEqual({
      JWT_JWKS_URI: issuer.jwksUri,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: 'test-client',
      JWT_ROLES_CLAIM: 'cognito:groups',
      JWT_SCOPES_CLAIM: 'scope',
      JWT_ALGORITHMS: 'RS256',
      JWT_TOKEN_USE: 'any',
    });
  });

  it('issues access tokens in Cognito’s shape, signed with the access key', async () => {
    const token = await issuer.accessToken({ username: 'jane' });
    const claims = decodeJwt(token);
    expect(Object.keys(claims).sort()).toEqual(
      [
        'auth_time',
        'client_id',
        'cognito:groups',
        'event_id',
        'exp',
        'iat',
        'iss',
        'jti',
        'origin_jti',
        'scope',
        'sub',
        'token_use',
        'username',
        'version',
      ].sort(),
    );
    expect(claims).toMatchObject({
      iss: issuer.issuer,
      client_id: 'test-client',
      token_use: 'access',
      username: 'jane',
      scope: 'openid email',
      'cognito:groups': ['user'],
    });
    expect(claims.sub).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', kid: issuer.publicJwk.kid });
  });

  it('issues ID tokens with aud and a different kid', async () => {
    const token = await issuer.idToken({ username: 'jane', email: 'jane@example.com', groups: [] });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      aud: 'test-client',
      token_use: 'id',
      'cognito:username': 'jane',
      email: 'jane@example.com',
      email_verified: true,
    });
    expect(claims).not.toHaveProperty('cognito:groups');
    expect(claims).not.toHaveProperty('client_id');
    expect(decodeProtectedHeader(token).kid).not.toBe(issuer.publicJwk.kid);
  });

  it('issues client-credentials tokens: sub = client_id, scopes, no username or groups', async () => {
    const claims = decodeJwt(
      await issuer.serviceToken(['service/user.read', 'service/user.write'], 'order-service'),
    );
    expect(claims).toMatchObject({
      sub: 'order-service',
      client_id: 'order-service',
      token_use: 'access',
      scope: 'service/user.read service/user.write',
    });
    expect(claims).not.toHaveProperty('username');
    expect(claims).not.toHaveProperty('cognito:groups');
    expect(claims).not.toHaveProperty('aud');
  });

  it('produces tokens AWS’s own Cognito verifier accepts', async () => {
    const poolId = 'ap-northeast-1_testpool';
    const iss = `https://cognito-idp.ap-northeast-1.amazonaws.com/${poolId}`;
    const access = CognitoJwtVerifier.create({
      userPoolId: poolId,
      tokenUse: 'access',
      clientId: 'test-client',
    });
    const id = CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: 'id', clientId: 'test-client' });
    access.cacheJwks(issuer.jwks as never);
    id.cacheJwks(issuer.jwks as never);
    expect(access.verifySync(await issuer.accessToken({ claims: { iss } }))).toMatchObject({
      token_use: 'access',
    });
    const service = decodeJwt(await issuer.serviceToken(['service/user.read']));
    expect(access.verifySync(await issuer.sign({ ...service, iss }))).toMatchObject({ sub: 'test-client' });
    expect(id.verifySync(await issuer.idToken({ claims: { iss } }))).toMatchObject({ token_use: 'id' });
  });

  it('signs raw payloads (even non-JSON) and unsigned tokens for hostile tests', async () => {
    const keys = createLocalJWKSet(issuer.jwks);
    const raw = await issuer.sign('not json');
    await expect(jwtVerify(raw, keys)).rejects.toThrow(/JSON object/);
    const unsigned = await issuer.sign({ sub: 'x' }, { alg: 'none' });
    expect(unsigned.endsWith('.')).toBe(true);
    expect(decodeProtectedHeader(unsigned)).toEqual({ alg: 'none' });
    await expect(issuer.sign({}, { alg: 'HS256' })).rejects.toThrow(/RS256 or 'none'/);
  });

  it('applies token options: times, overrides and removed claims', async () => {
    const claims = decodeJwt(
      await issuer.accessToken({
        issuedAt: 1000,
        expiresIn: 60,
        notBefore: 1010,
        claims: { scope: undefined, x: 1 },
      }),
    );
    expect(claims).toMatchObject({ iat: 1000, auth_time: 1000, exp: 1060, nbf: 1010, x: 1 });
    expect(claims).not.toHaveProperty('scope');
  });

  it('rotates the access key, keeping the old one published', async () => {
    const rotating = await createTestIssuer({ poolId: 'ap-northeast-1_rotating', clientId: 'c' });
    try {
      const oldKid = rotating.publicJwk.kid;
      await rotating.rotateKeys();
      expect(rotating.publicJwk.kid).not.toBe(oldKid);
      expect(rotating.jwks.keys.map((k) => k.kid)).toContain(oldKid);
      expect(rotating.jwks.keys).toHaveLength(3);
      expect(decodeProtectedHeader(await rotating.accessToken()).kid).toBe(rotating.publicJwk.kid);
      expect(rotating.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    } finally {
      await rotating.close();
    }
  });

  it('can make its JWKS endpoint fail', async () => {
    issuer.setJwksAvailable(false);
    expect((await fetch(issuer.jwksUri)).status).toBe(503);
    issuer.setJwksAvailable(true);
    expect((await fetch(issuer.jwksUri)).status).toBe(200);
  });

  it('issues client-credentials tokens to a client with its secret, with the scopes asked for', async () => {
    const env = issuer.m2mEnv('order-service', ['service/product.write', 'service/user.read']);
    const post = (secret: string) =>
      fetch(env.COGNITO_TOKEN_URL!, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`order-service:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: env.SERVICE_SCOPE! }).toString(),
      });
    expect((await post('wrong')).status).toBe(401);
    const res = await post(env.SERVICE_CLIENT_SECRET!);
    expect(res.status).toBe(200);
    const { access_token: token } = (await res.json()) as { access_token: string };
    const { payload } = await jwtVerify(token, createLocalJWKSet(issuer.jwks), { issuer: issuer.issuer });
    expect(payload).toMatchObject({
      sub: 'order-service',
      client_id: 'order-service',
      token_use: 'access',
      scope: 'service/product.write service/user.read',
    });
    expect(issuer.tokenRequests).toBe(1);
  });
});
