import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdentity, type TestIdentity } from '../test-support/harness.js';

const TARGET = 'AWSCognitoIdentityProviderService.';

describe('the Cognito JSON API on bad input', () => {
  let identity: TestIdentity;

  beforeAll(async () => {
    identity = await startTestIdentity();
  });
  afterAll(() => identity?.dispose());

  const call = (target: string | undefined, body: string, contentType = 'application/x-amz-json-1.1') =>
    fetch(`${identity.url}/`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(target ? { 'x-amz-target': target } : {}) },
      body,
    });

  async function expectCognitoError(response: Response, type: string, message?: RegExp) {
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(response.headers.get('x-amzn-errortype')).toBe(type);
    const body = (await response.json()) as { __type: string; message: string };
    expect(body.__type).toBe(type);
    if (message) expect(body.message).toMatch(message);
  }

  it('malformed JSON → SerializationException', async () => {
    await expectCognitoError(await call(`${TARGET}InitiateAuth`, '{"AuthFlow":'), 'SerializationException');
    await expectCognitoError(await call(`${TARGET}InitiateAuth`, '[1,2]'), 'SerializationException');
  });

  it('an unknown or missing X-Amz-Target → UnknownOperationException', async () => {
    await expectCognitoError(
      await call(`${TARGET}DeleteUserPool`, '{}'),
      'UnknownOperationException',
      /DeleteUserPool/,
    );
    await expectCognitoError(await call(`${TARGET}constructor`, '{}'), 'UnknownOperationException');
    await expectCognitoError(await call('SomethingElse.InitiateAuth', '{}'), 'UnknownOperationException');
    await expectCognitoError(await call(undefined, '{}'), 'UnknownOperationException');
  });

  it('missing parameters → InvalidParameterException naming each, in Cognito wording', async () => {
    await expectCognitoError(
      await call(`${TARGET}SignUp`, '{}'),
      'InvalidParameterException',
      /^3 validation errors detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null;/,
    );
    await expectCognitoError(
      await call(
        `${TARGET}InitiateAuth`,
        JSON.stringify({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: 'helpline-api' }),
      ),
      'InvalidParameterException',
      /^Missing required parameter USERNAME$/,
    );
    await expectCognitoError(
      await call(`${TARGET}InitiateAuth`, JSON.stringify({ AuthFlow: 'MAGIC', ClientId: 'helpline-api' })),
      'InvalidParameterException',
      /authFlow.*enum value set/,
    );
    await expectCognitoError(
      await call(`${TARGET}AdminGetUser`, JSON.stringify({ UserPoolId: 42, Username: ['x'] })),
      'InvalidParameterException',
    );
  });

  it('a flow the client does not allow, or one not offered locally → InvalidParameterException', async () => {
    const body = {
      ClientId: 'order-service',
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'a', PASSWORD: 'b' },
    };
    await expectCognitoError(
      await call(`${TARGET}InitiateAuth`, JSON.stringify(body)),
      'InvalidParameterException',
      /not enabled/,
    );
    // USER_SRP_AUTH is offered now: without SRP_A it is a missing parameter, as on Cognito.
    await expectCognitoError(
      await call(
        `${TARGET}InitiateAuth`,
        JSON.stringify({ ...body, ClientId: 'helpline-spa', AuthFlow: 'USER_SRP_AUTH' }),
      ),
      'InvalidParameterException',
      /^Missing required parameter SRP_A$/,
    );
    await expectCognitoError(
      await call(
        `${TARGET}InitiateAuth`,
        JSON.stringify({ ...body, ClientId: 'helpline-spa', AuthFlow: 'CUSTOM_AUTH' }),
      ),
      'InvalidParameterException',
      /^CUSTOM_AUTH flow not enabled for this client$/,
    );
    await expectCognitoError(
      await call(
        `${TARGET}InitiateAuth`,
        JSON.stringify({ ...body, ClientId: 'helpline-api', AuthFlow: 'ADMIN_USER_PASSWORD_AUTH' }),
      ),
      'InvalidParameterException',
      /^Initiate Auth method not supported\.$/,
    );
  });

  it('reads JSON null as absent for optional members, and as missing for required ones', async () => {
    const signUp = await call(
      `${TARGET}SignUp`,
      JSON.stringify({
        ClientId: 'helpline-spa',
        Username: 'nulls@example.com',
        Password: 'Str0ng!pass',
        UserAttributes: null,
        ValidationData: null,
        ClientMetadata: null,
        SecretHash: null,
        AnalyticsMetadata: null,
        UserContextData: null,
      }),
    );
    expect(signUp.status).toBe(200);
    expect(await signUp.json()).toMatchObject({ UserConfirmed: false });
    const initiate = await call(
      `${TARGET}InitiateAuth`,
      JSON.stringify({
        AuthFlow: 'USER_SRP_AUTH',
        ClientId: 'helpline-spa',
        AuthParameters: { USERNAME: 'nulls@example.com', SRP_A: 'abcdef', SECRET_HASH: null },
        ClientMetadata: null,
      }),
    );
    expect((await initiate.json()) as object).toMatchObject({ ChallengeName: 'PASSWORD_VERIFIER' });
    await expectCognitoError(
      await call(
        `${TARGET}SignUp`,
        JSON.stringify({ ClientId: null, Username: 'x@example.com', Password: 'x' }),
      ),
      'InvalidParameterException',
      /^1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null$/,
    );
  });

  it('takes plain application/json and an empty body too, still in Cognito shape', async () => {
    await expectCognitoError(
      await call(`${TARGET}ListUsers`, '', 'application/json'),
      'InvalidParameterException',
    );
    await expectCognitoError(
      await call(`${TARGET}ListUsers`, '{oops', 'text/plain'),
      'SerializationException',
    );
  });

  it('an invalid ListUsers filter or pagination token → InvalidParameterException', async () => {
    const list = (extra: object) =>
      call(`${TARGET}ListUsers`, JSON.stringify({ UserPoolId: 'ap-northeast-1_helplinelocal', ...extra }));
    await expectCognitoError(
      await list({ Filter: 'email == nope' }),
      'InvalidParameterException',
      /parsing filter/,
    );
    await expectCognitoError(
      await list({ Filter: 'password = "x"' }),
      'InvalidParameterException',
      /search attribute/,
    );
    await expectCognitoError(
      await list({ PaginationToken: 'garbage' }),
      'InvalidParameterException',
      /pagination token/,
    );
    await expectCognitoError(await list({ Limit: 61 }), 'InvalidParameterException');
  });

  it('answers junk sent to any operation with Cognito-shaped 400s, never a 500', async () => {
    const operations = [
      'InitiateAuth',
      'RespondToAuthChallenge',
      'GlobalSignOut',
      'GetUser',
      'SignUp',
      'ConfirmSignUp',
      'ResendConfirmationCode',
      'AdminCreateUser',
      'AdminConfirmSignUp',
      'AdminSetUserPassword',
      'AdminAddUserToGroup',
      'AdminRemoveUserFromGroup',
      'AdminGetUser',
      'AdminListGroupsForUser',
      'AdminUserGlobalSignOut',
      'ListUsers',
      'AdminInitiateAuth',
      'AdminRespondToAuthChallenge',
      'AdminDeleteUser',
      'AdminDisableUser',
      'AdminEnableUser',
      'AdminUpdateUserAttributes',
      'AdminDeleteUserAttributes',
      'AdminResetUserPassword',
      'ListGroups',
      'GetGroup',
      'ListUsersInGroup',
      'DescribeUserPool',
      'DescribeUserPoolClient',
      'ChangePassword',
      'ForgotPassword',
      'ConfirmForgotPassword',
      'UpdateUserAttributes',
      'DeleteUserAttributes',
      'GetUserAttributeVerificationCode',
      'VerifyUserAttribute',
      'DeleteUser',
      'RevokeToken',
    ];
    const junk = [
      {},
      {
        ClientId: 'helpline-api',
        UserPoolId: 'ap-northeast-1_helplinelocal',
        Username: 'nobody',
        AccessToken: 'x.y.z',
      },
      {
        ClientId: 7,
        AuthFlow: null,
        AuthParameters: 'x',
        UserAttributes: [{ Name: 1 }],
        Limit: 'ten',
        Permanent: 'yes',
      },
      {
        ClientId: 'helpline-api',
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: 'forged' },
        Session: 'forged',
      },
    ];
    for (const operation of operations) {
      for (const body of junk) {
        const response = await call(`${TARGET}${operation}`, JSON.stringify(body));
        const answer = (await response.json()) as { __type?: string };
        // ListUsers of the real pool is a fine request; everything else must be refused in Cognito's shape.
        if (response.status === 200) continue;
        expect(response.status, `${operation} ${JSON.stringify(body)}`).toBe(400);
        expect(answer.__type).toMatch(/Exception$/);
      }
    }
  });

  it('unknown routes are a JSON 404, never a 500', async () => {
    const response = await fetch(`${identity.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'No route for GET /nope' });
  });
});
