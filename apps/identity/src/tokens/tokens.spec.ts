import { JwtVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretHash } from '../cognito-api/client-checks.js';
import {
  cognitoCall,
  decodeHeader,
  decodePayload,
  DEMO_PASSWORD,
  startTestIdentity,
  type TestIdentity,
} from '../test-support/harness.js';

describe('tokens, as aws-jwt-verify checks Cognito tokens', () => {
  let identity: TestIdentity;
  let tokens: { IdToken?: string; AccessToken?: string; RefreshToken?: string };

  beforeAll(async () => {
    identity = await startTestIdentity();
    const result = await cognitoCall(identity.url, 'InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: 'helpline-api',
      AuthParameters: {
        USERNAME: 'admin@example.com',
        PASSWORD: DEMO_PASSWORD,
        SECRET_HASH: secretHash('helpline-api-secret', 'admin@example.com', 'helpline-api'),
      },
    });
    tokens = (result.body.AuthenticationResult ?? {}) as typeof tokens;
  });
  afterAll(() => identity?.dispose());

  /**
   * CognitoJwtVerifier derives its issuer from the pool id (https://cognito-idp.<region>.amazonaws.com/…)
   * and cannot be pointed elsewhere; JwtVerifier with the library's own Cognito field checks
   * (`validateCognitoJwtFields`) verifies the same things against identity's issuer. Its HTTPS-only JWKS
   * fetcher is swapped for one that speaks http, the only change.
   */
  function cognitoStyleVerifier(tokenUse: 'id' | 'access', clientId: string | string[]) {
    const jwksCache = new SimpleJwksCache({
      fetcher: { fetch: async (uri: string) => (await fetch(uri)).arrayBuffer() },
    });
    return JwtVerifier.create(
      {
        issuer: identity.issuer,
        jwksUri: `${identity.issuer}/.well-known/jwks.json`,
        audience: null,
        customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse, clientId }),
      },
      { jwksCache },
    );
  }

  it('aws-jwt-verify accepts the ID token and the access token, with tokenUse and clientId checks', async () => {
    const id = await cognitoStyleVerifier('id', 'helpline-api').verify(tokens.IdToken ?? '');
    expect(id.token_use).toBe('id');
    const access = await cognitoStyleVerifier('access', ['helpline-spa', 'helpline-api']).verify(
      tokens.AccessToken ?? '',
    );
    expect(access.token_use).toBe('access');
  });

  it('aws-jwt-verify refuses the wrong token use and the wrong client', async () => {
    await expect(cognitoStyleVerifier('access', 'helpline-api').verify(tokens.IdToken ?? '')).rejects.toThrow(
      /Token use/,
    );
    await expect(cognitoStyleVerifier('id', 'helpline-spa').verify(tokens.IdToken ?? '')).rejects.toThrow(
      /Client ID/,
    );
    await expect(
      cognitoStyleVerifier('access', 'order-service').verify(tokens.AccessToken ?? ''),
    ).rejects.toThrow(/Client ID/);
  });

  it('has Cognito claim sets: ID token with aud, access token without', () => {
    const id = decodePayload(tokens.IdToken ?? '');
    expect(Object.keys(id).sort()).toEqual(
      [
        'sub',
        'cognito:groups',
        'email_verified',
        'iss',
        'cognito:username',
        'origin_jti',
        'aud',
        'event_id',
        'token_use',
        'auth_time',
        'name',
        'exp',
        'iat',
        'jti',
        'email',
      ].sort(),
    );
    expect(id).toMatchObject({
      sub: 'a0000000-0000-4000-8000-000000000001',
      aud: 'helpline-api',
      token_use: 'id',
      'cognito:username': 'a0000000-0000-4000-8000-000000000001',
      'cognito:groups': ['admin'],
      email: 'admin@example.com',
      email_verified: true,
      iss: identity.issuer,
    });
    expect((id.exp as number) - (id.iat as number)).toBe(3600);

    const access = decodePayload(tokens.AccessToken ?? '');
    expect(access.aud).toBeUndefined();
    expect(Object.keys(access).sort()).toEqual(
      [
        'sub',
        'cognito:groups',
        'iss',
        'client_id',
        'origin_jti',
        'event_id',
        'token_use',
        'scope',
        'auth_time',
        'exp',
        'iat',
        'jti',
        'username',
      ].sort(),
    );
    expect(access).toMatchObject({
      client_id: 'helpline-api',
      token_use: 'access',
      username: 'a0000000-0000-4000-8000-000000000001',
      scope: 'aws.cognito.signin.user.admin',
      origin_jti: id.origin_jti,
    });
  });

  it('signs RS256 with a kid, ID and access tokens with different keys, all in the JWKS', async () => {
    const idHeader = decodeHeader(tokens.IdToken ?? '');
    const accessHeader = decodeHeader(tokens.AccessToken ?? '');
    expect(idHeader).toEqual({ kid: expect.any(String), alg: 'RS256' });
    expect(accessHeader.kid).not.toBe(idHeader.kid);
    const jwks = (await (await fetch(`${identity.issuer}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((key) => key.kid).sort()).toEqual([idHeader.kid, accessHeader.kid].sort());
    expect(jwks.keys[0]).toEqual({
      alg: 'RS256',
      e: 'AQAB',
      kid: expect.any(String),
      kty: 'RSA',
      n: expect.any(String),
      use: 'sig',
    });
  });

  it('publishes OIDC discovery under the issuer', async () => {
    const discovery = (await (
      await fetch(`${identity.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: identity.issuer,
      jwks_uri: `${identity.issuer}/.well-known/jwks.json`,
      token_endpoint: `${identity.url}/oauth2/token`,
      authorization_endpoint: `${identity.url}/oauth2/authorize`,
      userinfo_endpoint: `${identity.url}/oauth2/userInfo`,
      id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(identity.issuer).toBe(`${identity.url}/ap-northeast-1_helplinelocal`);
  });
});
