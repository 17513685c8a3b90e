import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  basicAuth,
  decodePayload,
  postForm,
  startTestIdentity,
  type TestIdentity,
} from '../test-support/harness.js';

describe('POST /oauth2/token, grant_type=client_credentials', () => {
  let identity: TestIdentity;

  beforeAll(async () => {
    identity = await startTestIdentity();
  });
  afterAll(() => identity?.dispose());

  const token = (form: Record<string, string>, authorization?: string) =>
    postForm(identity.tokenUrl, form, authorization ? { authorization } : {});

  it('issues an access token with service/* scopes, sub = client id, no aud, no groups (curl -u)', async () => {
    const response = await token(
      { grant_type: 'client_credentials' },
      basicAuth('order-service', 'order-service-secret'),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({ access_token: expect.any(String), expires_in: 3600, token_type: 'Bearer' });
    const claims = decodePayload(body.access_token as string);
    expect(claims).toEqual({
      sub: 'order-service',
      token_use: 'access',
      scope: 'service/user.read service/product.write',
      auth_time: expect.any(Number),
      iss: identity.issuer,
      exp: (claims.iat as number) + 3600,
      iat: expect.any(Number),
      version: 2,
      jti: expect.any(String),
      client_id: 'order-service',
    });
  });

  it('narrows to the requested scopes, and authenticates by form fields too', async () => {
    const response = await token({
      grant_type: 'client_credentials',
      scope: 'service/user.read',
      client_id: 'order-service',
      client_secret: 'order-service-secret',
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string };
    expect(decodePayload(body.access_token).scope).toBe('service/user.read');
  });

  it('refuses a wrong secret, an unknown client and no credentials with 401 invalid_client', async () => {
    for (const authorization of [basicAuth('order-service', 'wrong'), basicAuth('who', 'x'), undefined]) {
      const response = await token({ grant_type: 'client_credentials' }, authorization);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: 'invalid_client' });
    }
  });

  it('refuses a scope outside the client’s with invalid_scope', async () => {
    const response = await token(
      { grant_type: 'client_credentials', scope: 'service/user.read service/user.write' },
      basicAuth('order-service', 'order-service-secret'),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_scope' });
  });

  it('refuses clients without the grant, unknown grants and non-form bodies', async () => {
    const spa = await token({ grant_type: 'client_credentials', client_id: 'helpline-spa' });
    expect([spa.status, await spa.json()]).toEqual([400, { error: 'unauthorized_client' }]);
    const unknown = await token(
      { grant_type: 'password' },
      basicAuth('order-service', 'order-service-secret'),
    );
    expect([unknown.status, await unknown.json()]).toEqual([400, { error: 'unsupported_grant_type' }]);
    const missing = await token({}, basicAuth('order-service', 'order-service-secret'));
    expect([missing.status, await missing.json()]).toEqual([400, { error: 'invalid_request' }]);
    const json = await fetch(identity.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: basicAuth('order-service', 'order-service-secret'),
      },
      body: '{"grant_type":"client_credentials"',
    });
    expect([json.status, await json.json()]).toEqual([400, { error: 'invalid_request' }]);
  });
});
