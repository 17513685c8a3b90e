import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { M2MTokenService } from '@helpline/auth';
import { createPostConfirmationHandler, type PostConfirmationEvent } from '@helpline/cognito-triggers';
import { createServiceApp } from '@helpline/common';
import {
  type RunningIdentityServer,
  secretHash as cognitoSecretHash,
  startIdentityServer,
} from '@helpline/identity';
import { createTestDatabase, freePort, type TestDatabase } from '@helpline/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../apps/user-service/src/app.module.js';
import { readUserServiceConfig } from '../apps/user-service/src/config.js';

const POOL_ID = 'ap-northeast-1_helplinelocal';
const API_CLIENT = { id: 'helpline-api', secret: 'helpline-api-secret' };
const secretHash = (username: string) => cognitoSecretHash(API_CLIENT.secret, username, API_CLIENT.id);

/**
 * identity and user-service together, configured only through the seed's environment variables:
 * what `npm start` runs, and what production runs with real Cognito in identity's place.
 */
describe('identity + user-service, end to end', () => {
  let identity: RunningIdentityServer;
  let userService: NestFastifyApplication;
  let userServiceUrl: string;
  let database: TestDatabase;
  let dataDir: string;
  let cognito: CognitoIdentityProviderClient;

  const signIn = async (username: string, password = 'Passw0rd!') => {
    const result = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: API_CLIENT.id,
        AuthParameters: { USERNAME: username, PASSWORD: password, SECRET_HASH: secretHash(username) },
      }),
    );
    return result.AuthenticationResult!;
  };
  const get = (path: string, token: string) =>
    fetch(`${userServiceUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    // user-service needs identity's issuer URL and identity needs user-service's URL: fix
    // identity's port first, then start user-service, then identity.
    const identityPort = await freePort();
    const issuer = `http://127.0.0.1:${identityPort}/${POOL_ID}`;
    database = await createTestDatabase();
    const config = readUserServiceConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      SEED_DEMO_DATA: 'true',
      DATABASE_URL: database.url,
      JWT_JWKS_URI: `${issuer}/.well-known/jwks.json`,
      JWT_ISSUER: issuer,
      JWT_AUDIENCE: 'helpline-spa,helpline-api,order-service,user-provisioner',
      JWT_ROLES_CLAIM: 'cognito:groups',
      JWT_SCOPES_CLAIM: 'scope',
      JWT_ALGORITHMS: 'RS256',
    });
    userService = await createServiceApp(AppModule.forRoot(config), { service: config.service });
    await userService.listen({ port: 0, host: '127.0.0.1' });
    userServiceUrl = await userService.getUrl();

    dataDir = await mkdtemp(join(tmpdir(), 'helpline-e2e-identity-'));
    identity = await startIdentityServer({
      port: identityPort,
      host: '127.0.0.1',
      issuerBaseUrl: `http://127.0.0.1:${identityPort}`,
      dataDir,
      userServiceUrl,
      passwordHashCost: 2 ** 10,
    });
    expect(identity.issuer).toBe(issuer);
    cognito = new CognitoIdentityProviderClient({
      endpoint: identity.url,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    cognito?.destroy();
    await identity?.close();
    await userService?.close();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("accepts identity's access tokens, linked to the seeded demo users", async () => {
    const { AccessToken } = await signIn('manager@example.com');
    const me = await get('/users/me', AccessToken!);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      email: 'manager@example.com',
      sub: 'a0000000-0000-4000-8000-000000000002',
    });
    expect((await get('/users?limit=5', AccessToken!)).status).toBe(200);
  });

  it('refuses an ID token where an access token is required', async () => {
    const { IdToken } = await signIn('user@example.com');
    const res = await get('/users/me', IdToken!);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('TOKEN_INVALID');
  });

  it('creates the user in user-service when a sign-up is confirmed (Post confirmation trigger)', async () => {
    const email = 'new.member@example.com';
    const signUp = await cognito.send(
      new SignUpCommand({
        ClientId: API_CLIENT.id,
        SecretHash: secretHash(email),
        Username: email,
        Password: 'N3w-member!',
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'name', Value: 'New Member' },
        ],
      }),
    );
    const sub = signUp.UserSub!;
    const outbox = (await (
      await fetch(`${identity.url}/_local/outbox?username=${encodeURIComponent(email)}`)
    ).json()) as {
      items: Array<{ code?: string }>;
    };
    const code = outbox.items.find((item) => item.code)?.code;
    await cognito.send(
      new ConfirmSignUpCommand({
        ClientId: API_CLIENT.id,
        SecretHash: secretHash(email),
        Username: email,
        ConfirmationCode: code,
      }),
    );

    const { AccessToken } = await signIn(email, 'N3w-member!');
    const me = await get('/users/me', AccessToken!);
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub, email, name: 'New Member', status: 'active' });

    // Lambda may deliver the trigger twice: the second run finds the user and creates no other.
    const handler = createPostConfirmationHandler({
      userServiceUrl,
      timeoutMs: 5_000,
      tokens: new M2MTokenService({
        tokenUrl: identity.tokenUrl,
        clientId: 'user-provisioner',
        clientSecret: 'user-provisioner-secret',
        scope: 'service/user.write',
      }),
    });
    const event: PostConfirmationEvent = {
      version: '1',
      region: 'ap-northeast-1',
      userPoolId: POOL_ID,
      userName: sub,
      callerContext: { awsSdkVersion: 'test', clientId: API_CLIENT.id },
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      request: { userAttributes: { sub, email, name: 'New Member' } },
      response: {},
    };
    await handler(event);
    const { AccessToken: admin } = await signIn('admin@example.com');
    const list = (await (await get(`/users?email=${encodeURIComponent(email)}`, admin!)).json()) as {
      items: unknown[];
    };
    expect(list.items).toHaveLength(1);
  });

  it("lets order-service's M2M token read users (scope service/user.read) but not create them", async () => {
    const tokenResponse = await fetch(identity.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('order-service:order-service-secret').toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
    const read = await get('/users/a0000000-0000-4000-8000-000000000003', token);
    expect(await read.json()).toMatchObject({ email: 'user@example.com' });
    const create = await fetch(`${userServiceUrl}/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sub: crypto.randomUUID(), email: 'x@example.com', name: 'X' }),
    });
    expect(create.status).toBe(403);
    expect(((await create.json()) as { code: string }).code).toBe('INSUFFICIENT_SCOPE');
  });
});
