import {
  createTriggerHandlers,
  type PostConfirmationEvent,
  type PreTokenGenerationEvent,
} from '@helpline/cognito-triggers';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { secretHash } from '../cognito-api/client-checks.js';
import { defaultPoolFile, loadPoolFile } from '../pool/load-pool.js';
import { FakeUserService } from '../test-support/fake-user-service.js';
import {
  basicAuth,
  cognitoCall,
  confirmationCode,
  decodePayload,
  DEMO_PASSWORD,
  POOL_ID,
  postForm,
  startTestIdentity,
  type TestIdentity,
} from '../test-support/harness.js';

const hash = (username: string) => secretHash('helpline-api-secret', username, 'helpline-api');

async function signUpAndConfirm(identity: TestIdentity, email: string) {
  const signUp = await cognitoCall(identity.url, 'SignUp', {
    ClientId: 'helpline-api',
    SecretHash: hash(email),
    Username: email,
    Password: 'Str0ng!pass',
    UserAttributes: [{ Name: 'name', Value: 'Ada Lovelace' }],
  });
  expect(signUp.status).toBe(200);
  const code = await confirmationCode(identity.url, email);
  const confirm = await cognitoCall(identity.url, 'ConfirmSignUp', {
    ClientId: 'helpline-api',
    SecretHash: hash(email),
    Username: email,
    ConfirmationCode: code,
  });
  return { sub: signUp.body.UserSub as string, confirm };
}

describe('Pre sign-up and Post confirmation, run in-process with Cognito events', () => {
  let identity: TestIdentity;
  let userService: FakeUserService;
  let userServiceUrl: string;

  beforeAll(async () => {
    userService = new FakeUserService();
    userServiceUrl = await userService.start();
    identity = await startTestIdentity({ userServiceUrl, allowedEmailDomains: ['example.com'] });
  });
  afterEach(() => {
    userService.failWith = undefined;
  });
  afterAll(async () => {
    await identity?.dispose();
    await userService?.stop();
  });

  it('creates the confirmed user in user-service once, with a user-provisioner M2M token', async () => {
    const before = userService.requests.length;
    const { sub, confirm } = await signUpAndConfirm(identity, 'ada@example.com');
    expect(confirm).toEqual({ status: 200, body: {} });

    const calls = userService.requests.slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      method: 'POST',
      url: '/users',
      body: { sub, email: 'ada@example.com', name: 'Ada Lovelace' },
    });
    const bearer = /^Bearer (.+)$/.exec(String(calls[0]?.headers.authorization))?.[1] ?? '';
    const jwks = createLocalJWKSet((await (await fetch(identity.jwksUri)).json()) as JSONWebKeySet);
    const { payload } = await jwtVerify(bearer, jwks, { issuer: identity.issuer, algorithms: ['RS256'] });
    expect(payload).toMatchObject({
      client_id: 'user-provisioner',
      sub: 'user-provisioner',
      token_use: 'access',
      scope: 'service/user.write',
    });
    expect(payload.aud).toBeUndefined();

    // Running the same handler again (a Lambda retry) leaves one user: user-service answers 200 the second time.
    const handlers = createTriggerHandlers({
      allowedEmailDomains: [],
      userServiceUrl,
      tokenUrl: identity.tokenUrl,
      clientId: 'user-provisioner',
      clientSecret: 'user-provisioner-secret',
      scope: 'service/user.write',
      timeoutMs: 5_000,
    });
    const event: PostConfirmationEvent = {
      version: '1',
      region: 'ap-northeast-1',
      userPoolId: POOL_ID,
      userName: sub,
      callerContext: { awsSdkVersion: 'test', clientId: 'helpline-api' },
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      request: { userAttributes: { sub, email: 'ada@example.com', name: 'Ada Lovelace' } },
      response: {},
    };
    await expect(handlers.postConfirmation(event)).resolves.toBe(event);
    expect(userService.requests.slice(before)).toHaveLength(2);
    expect([...userService.users.keys()].filter((key) => key === sub)).toHaveLength(1);

    // A second confirmation is refused by Cognito before any trigger runs.
    const again = await cognitoCall(identity.url, 'AdminConfirmSignUp', {
      UserPoolId: POOL_ID,
      Username: 'ada@example.com',
    });
    expect(again.body).toEqual({
      __type: 'NotAuthorizedException',
      message: 'User cannot be confirmed. Current status is CONFIRMED',
    });
    expect(userService.requests.slice(before)).toHaveLength(2);
  });

  it('surfaces a user-service failure as UserLambdaValidationException; the user stays confirmed, as on Cognito', async () => {
    userService.failWith = 503;
    const { confirm } = await signUpAndConfirm(identity, 'grace@example.com');
    expect(confirm).toEqual({
      status: 400,
      body: {
        __type: 'UserLambdaValidationException',
        message: 'PostConfirmation failed with error user-service answered 503 to POST /users.',
      },
    });
    const user = await cognitoCall(identity.url, 'AdminGetUser', {
      UserPoolId: POOL_ID,
      Username: 'grace@example.com',
    });
    expect(user.body.UserStatus).toBe('CONFIRMED');
  });

  it('Pre sign-up refuses an email domain outside ALLOWED_EMAIL_DOMAINS, and no user is created', async () => {
    const signUp = await cognitoCall(identity.url, 'SignUp', {
      ClientId: 'helpline-api',
      SecretHash: hash('mallory@elsewhere.test'),
      Username: 'mallory@elsewhere.test',
      Password: 'Str0ng!pass',
    });
    expect(signUp).toEqual({
      status: 400,
      body: {
        __type: 'UserLambdaValidationException',
        message: 'PreSignUp failed with error Email domain elsewhere.test is not allowed.',
      },
    });
    const lookup = await cognitoCall(identity.url, 'AdminGetUser', {
      UserPoolId: POOL_ID,
      Username: 'mallory@elsewhere.test',
    });
    expect(lookup.body.__type).toBe('UserNotFoundException');
  });
});

describe('Pre token generation: identity honours what the handler returns', () => {
  const events: PreTokenGenerationEvent[] = [];
  let identity: TestIdentity;

  beforeAll(async () => {
    identity = await startTestIdentity({
      triggerHandlers: {
        preTokenGeneration: async (event) => {
          events.push(structuredClone(event));
          const clientCredentials = event.triggerSource === 'TokenGeneration_ClientCredentials';
          event.response.claimsAndScopeOverrideDetails = clientCredentials
            ? {
                accessTokenGeneration: {
                  claimsToAddOrOverride: { 'custom:tenant': 'acme' },
                  scopesToAdd: ['service/order.read'],
                },
              }
            : {
                idTokenGeneration: {
                  claimsToAddOrOverride: { 'custom:tenant': 'acme', sub: 'forged' },
                  claimsToSuppress: ['name'],
                },
                accessTokenGeneration: {
                  claimsToAddOrOverride: { tenant: { id: 'acme', tier: 2 } },
                  scopesToAdd: ['service/order.read'],
                  scopesToSuppress: ['aws.cognito.signin.user.admin'],
                },
                groupOverrideDetails: { groupsToOverride: ['manager'] },
              };
          return event;
        },
      },
    });
  });
  afterAll(() => identity?.dispose());

  it('applies V2 claim, scope and group overrides to user tokens; fixed claims stay', async () => {
    const result = await cognitoCall(identity.url, 'InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: 'helpline-api',
      AuthParameters: {
        USERNAME: 'admin@example.com',
        PASSWORD: DEMO_PASSWORD,
        SECRET_HASH: hash('admin@example.com'),
      },
    });
    const tokens = result.body.AuthenticationResult as { IdToken: string; AccessToken: string };
    const id = decodePayload(tokens.IdToken);
    expect(id).toMatchObject({
      'custom:tenant': 'acme',
      sub: 'a0000000-0000-4000-8000-000000000001',
      'cognito:groups': ['manager'],
    });
    expect(id.name).toBeUndefined();
    const access = decodePayload(tokens.AccessToken);
    expect(access).toMatchObject({
      tenant: { id: 'acme', tier: 2 },
      scope: 'service/order.read',
      'cognito:groups': ['manager'],
    });

    const event = events.find((e) => e.triggerSource === 'TokenGeneration_Authentication');
    expect(event).toMatchObject({
      version: '3',
      region: 'ap-northeast-1',
      userPoolId: POOL_ID,
      userName: 'a0000000-0000-4000-8000-000000000001',
      callerContext: { clientId: 'helpline-api' },
      request: {
        userAttributes: { email: 'admin@example.com', 'cognito:user_status': 'CONFIRMED' },
        groupConfiguration: { groupsToOverride: ['admin'], iamRolesToOverride: [], preferredRole: null },
        scopes: ['aws.cognito.signin.user.admin'],
      },
      response: { claimsAndScopeOverrideDetails: null },
    });
  });

  it('runs the V3 event for client credentials', async () => {
    const response = await postForm(
      identity.tokenUrl,
      { grant_type: 'client_credentials' },
      {
        authorization: basicAuth('order-service', 'order-service-secret'),
      },
    );
    const { access_token } = (await response.json()) as { access_token: string };
    expect(decodePayload(access_token)).toMatchObject({
      'custom:tenant': 'acme',
      scope: 'service/user.read service/product.write service/order.read',
    });
    const event = events.find((e) => e.triggerSource === 'TokenGeneration_ClientCredentials');
    expect(event).toMatchObject({
      version: '3',
      callerContext: { clientId: 'order-service' },
      request: { userAttributes: {} },
    });
    expect(event?.userName).toBeUndefined();
  });

  it('with V2_0 configured, client-credentials tokens skip the trigger', async () => {
    const definition = await loadPoolFile(defaultPoolFile());
    const v2 = await startTestIdentity({
      pool: { ...definition, triggers: { ...definition.triggers, preTokenGenerationVersion: 'V2_0' } },
      triggerHandlers: { preTokenGeneration: async () => Promise.reject(new Error('must not run')) },
    });
    try {
      const response = await postForm(
        v2.tokenUrl,
        { grant_type: 'client_credentials' },
        {
          authorization: basicAuth('order-service', 'order-service-secret'),
        },
      );
      expect(response.status).toBe(200);
    } finally {
      await v2.dispose();
    }
  });
});
