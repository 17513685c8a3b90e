import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secretHash } from '../cognito-api/client-checks.js';
import {
  basicAuth,
  cognitoCall,
  decodeHeader,
  DEMO_PASSWORD,
  postForm,
  startTestIdentity,
  type TestIdentity,
} from '../test-support/harness.js';
import { ManualClock } from '../test-support/manual-clock.js';

// Fixed, so that tokens from before a restart name the same issuer as the server after it.
const BASE_URL = 'http://localhost:9229';
const ISSUER = `${BASE_URL}/ap-northeast-1_helplinelocal`;

describe('signing keys', () => {
  let dataDir: string;
  const running: TestIdentity[] = [];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'identity-keys-'));
  });
  afterEach(async () => {
    for (const server of running.splice(0)) await server.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = async (clock?: ManualClock) => {
    const server = await startTestIdentity({ dataDir, issuerBaseUrl: BASE_URL, ...(clock ? { clock } : {}) });
    running.push(server);
    return server;
  };
  const jwksOf = async (server: TestIdentity) =>
    (await (
      await fetch(`${server.url}/ap-northeast-1_helplinelocal/.well-known/jwks.json`)
    ).json()) as JSONWebKeySet;
  const serviceToken = async (server: TestIdentity) => {
    const response = await postForm(
      server.tokenUrl,
      { grant_type: 'client_credentials' },
      {
        authorization: basicAuth('user-provisioner', 'user-provisioner-secret'),
      },
    );
    return ((await response.json()) as { access_token: string }).access_token;
  };
  const signIn = async (server: TestIdentity) => {
    const result = await cognitoCall(server.url, 'InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: 'helpline-api',
      AuthParameters: {
        USERNAME: 'user@example.com',
        PASSWORD: DEMO_PASSWORD,
        SECRET_HASH: secretHash('helpline-api-secret', 'user@example.com', 'helpline-api'),
      },
    });
    return result.body.AuthenticationResult as { IdToken: string; AccessToken: string; RefreshToken: string };
  };

  it('survive a restart: tokens from before stay valid, and so do refresh tokens and users', async () => {
    const first = await start();
    const before = await signIn(first);
    const m2m = await serviceToken(first);
    const email = 'kept@example.com';
    const signUp = await cognitoCall(first.url, 'SignUp', {
      ClientId: 'helpline-api',
      SecretHash: secretHash('helpline-api-secret', email, 'helpline-api'),
      Username: email,
      Password: 'Str0ng!pass',
    });
    expect(signUp.status).toBe(200);
    await first.dispose();
    running.length = 0;

    const second = await start();
    const jwks = createLocalJWKSet(await jwksOf(second));
    for (const token of [before.IdToken, before.AccessToken, m2m]) {
      await expect(jwtVerify(token, jwks, { issuer: ISSUER, algorithms: ['RS256'] })).resolves.toBeDefined();
    }
    const refreshed = await cognitoCall(second.url, 'InitiateAuth', {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      ClientId: 'helpline-api',
      AuthParameters: {
        REFRESH_TOKEN: before.RefreshToken,
        SECRET_HASH: secretHash(
          'helpline-api-secret',
          'a0000000-0000-4000-8000-000000000003',
          'helpline-api',
        ),
      },
    });
    expect(refreshed.status).toBe(200);
    expect(
      decodeHeader((refreshed.body.AuthenticationResult as { AccessToken: string }).AccessToken).kid,
    ).toBe(decodeHeader(before.AccessToken).kid);
    const kept = await cognitoCall(second.url, 'AdminGetUser', {
      UserPoolId: 'ap-northeast-1_helplinelocal',
      Username: email,
    });
    expect(kept.body).toMatchObject({ Username: signUp.body.UserSub, UserStatus: 'UNCONFIRMED' });
  });

  it('rotate: the old keys stay in the JWKS until their tokens have expired, across a restart too', async () => {
    const clock = new ManualClock();
    const server = await start(clock);
    const old = await signIn(server);
    const oldKids = [decodeHeader(old.IdToken).kid, decodeHeader(old.AccessToken).kid];

    clock.advance(10 * 60 * 1000);
    await server.rotateKeys();
    const fresh = await signIn(server);
    const newKids = [decodeHeader(fresh.IdToken).kid, decodeHeader(fresh.AccessToken).kid];
    expect(newKids).not.toContain(oldKids[0]);
    expect(newKids).not.toContain(oldKids[1]);
    expect(newKids[0]).not.toBe(newKids[1]);

    const kids = async (target: TestIdentity) => (await jwksOf(target)).keys.map((key) => key.kid).sort();
    expect(await kids(server)).toEqual([...oldKids, ...newKids].sort());
    const jwks = createLocalJWKSet(await jwksOf(server));
    await expect(
      jwtVerify(old.AccessToken, jwks, { issuer: ISSUER, currentDate: new Date(clock.now()) }),
    ).resolves.toBeDefined();

    // A restart keeps the retired keys published.
    await server.close();
    running.length = 0;
    const restarted = await start(clock);
    expect(await kids(restarted)).toEqual([...oldKids, ...newKids].sort());

    // One hour after the rotation every token the old keys signed has expired: they leave the JWKS.
    clock.advance(60 * 60 * 1000);
    expect(await kids(restarted)).toEqual([...newKids].sort());
  });
});
