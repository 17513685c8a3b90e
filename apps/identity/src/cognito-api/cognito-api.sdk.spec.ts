import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  CodeMismatchException,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  InvalidParameterException,
  InvalidPasswordException,
  ListUsersCommand,
  NotAuthorizedException,
  ResourceNotFoundException,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  UsernameExistsException,
  UserNotConfirmedException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretHash } from './client-checks.js';
import { FakeUserService } from '../test-support/fake-user-service.js';
import {
  confirmationCode,
  decodePayload,
  DEMO_PASSWORD,
  POOL_ID,
  startTestIdentity,
  type TestIdentity,
} from '../test-support/harness.js';

const API_CLIENT = 'helpline-api';
const API_SECRET = 'helpline-api-secret';
const hash = (username: string) => secretHash(API_SECRET, username, API_CLIENT);

describe('the Cognito JSON API, through @aws-sdk/client-cognito-identity-provider', () => {
  let identity: TestIdentity;
  let userService: FakeUserService;
  let cognito: CognitoIdentityProviderClient;

  beforeAll(async () => {
    userService = new FakeUserService();
    identity = await startTestIdentity({ userServiceUrl: await userService.start() });
    cognito = new CognitoIdentityProviderClient({
      endpoint: identity.url,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    cognito?.destroy();
    await identity?.dispose();
    await userService?.stop();
  });

  const passwordAuth = (username: string, password: string) =>
    cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: API_CLIENT,
        AuthParameters: { USERNAME: username, PASSWORD: password, SECRET_HASH: hash(username) },
      }),
    );

  it('signs up, confirms with the emailed code, signs in and refreshes', async () => {
    const email = 'new.customer@example.com';
    const signUp = await cognito.send(
      new SignUpCommand({
        ClientId: API_CLIENT,
        SecretHash: hash(email),
        Username: email,
        Password: 'Str0ng!pass',
        UserAttributes: [{ Name: 'name', Value: 'New Customer' }],
      }),
    );
    expect(signUp.UserConfirmed).toBe(false);
    expect(signUp.UserSub).toMatch(/^[0-9a-f-]{36}$/);
    expect(signUp.CodeDeliveryDetails).toEqual({
      Destination: 'n***@e***',
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });

    await expect(passwordAuth(email, 'Str0ng!pass')).rejects.toBeInstanceOf(UserNotConfirmedException);
    await expect(
      cognito.send(
        new ConfirmSignUpCommand({
          ClientId: API_CLIENT,
          SecretHash: hash(email),
          Username: email,
          ConfirmationCode: '000000',
        }),
      ),
    ).rejects.toBeInstanceOf(CodeMismatchException);

    const code = await confirmationCode(identity.url, email);
    expect(code).toMatch(/^\d{6}$/);
    await cognito.send(
      new ConfirmSignUpCommand({
        ClientId: API_CLIENT,
        SecretHash: hash(email),
        Username: email,
        ConfirmationCode: code,
      }),
    );

    const signIn = await passwordAuth(email, 'Str0ng!pass');
    const result = signIn.AuthenticationResult;
    expect(result?.TokenType).toBe('Bearer');
    expect(result?.ExpiresIn).toBe(3600);
    expect(result?.RefreshToken).toBeTruthy();
    const id = decodePayload(result?.IdToken ?? '');
    expect(id).toMatchObject({
      sub: signUp.UserSub,
      'cognito:username': signUp.UserSub,
      email,
      email_verified: true,
      name: 'New Customer',
    });

    const refreshed = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: API_CLIENT,
        // With email as the username, Cognito's username is the sub: the hash is over it.
        AuthParameters: {
          REFRESH_TOKEN: result?.RefreshToken ?? '',
          SECRET_HASH: hash(signUp.UserSub ?? ''),
        },
      }),
    );
    expect(refreshed.AuthenticationResult?.RefreshToken).toBeUndefined();
    const access = decodePayload(refreshed.AuthenticationResult?.AccessToken ?? '');
    expect(access).toMatchObject({
      sub: signUp.UserSub,
      token_use: 'access',
      client_id: API_CLIENT,
      origin_jti: id.origin_jti,
    });
  });

  it('refuses a wrong password, an unknown user and a missing SECRET_HASH with NotAuthorizedException', async () => {
    await expect(passwordAuth('user@example.com', 'Wrong-passw0rd')).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(passwordAuth('nobody@example.com', DEMO_PASSWORD)).rejects.toBeInstanceOf(
      NotAuthorizedException,
    );
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: API_CLIENT,
          AuthParameters: { USERNAME: 'user@example.com', PASSWORD: DEMO_PASSWORD },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Client helpline-api is configured with secret but SECRET_HASH was not received',
    });
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: API_CLIENT,
          AuthParameters: {
            USERNAME: 'user@example.com',
            PASSWORD: DEMO_PASSWORD,
            SECRET_HASH: hash('someone-else'),
          },
        }),
      ),
    ).rejects.toBeInstanceOf(NotAuthorizedException);
  });

  it('answers bad sign-ups with the named exceptions', async () => {
    const signUp = (username: string, password: string, clientId = API_CLIENT) =>
      cognito.send(
        new SignUpCommand({
          ClientId: clientId,
          SecretHash: hash(username),
          Username: username,
          Password: password,
        }),
      );
    await expect(signUp('user@example.com', 'Str0ng!pass')).rejects.toBeInstanceOf(UsernameExistsException);
    await expect(signUp('weak@example.com', 'password')).rejects.toMatchObject({
      name: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password must have uppercase characters',
    });
    await expect(signUp('short@example.com', 'Sh0rt!')).rejects.toBeInstanceOf(InvalidPasswordException);
    await expect(signUp('not-an-email', 'Str0ng!pass')).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(signUp('x@example.com', 'Str0ng!pass', 'no-such-client')).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('administers users and groups; group changes show in the next tokens', async () => {
    const email = 'staff.member@example.com';
    const created = await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: POOL_ID,
        Username: email,
        TemporaryPassword: 'Temp0rary!',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
      }),
    );
    expect(created.User).toMatchObject({ UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true });
    expect(created.User?.UserCreateDate).toBeInstanceOf(Date);

    await cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: POOL_ID,
        Username: email,
        Password: 'Perm4nent!',
        Permanent: true,
      }),
    );
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: POOL_ID, Username: email, GroupName: 'manager' }),
    );
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: POOL_ID, Username: email, GroupName: 'admin' }),
    );

    const tokens = (await passwordAuth(email, 'Perm4nent!')).AuthenticationResult;
    // Ordered by group precedence, as Cognito orders cognito:groups.
    expect(decodePayload(tokens?.IdToken ?? '')['cognito:groups']).toEqual(['admin', 'manager']);
    expect(decodePayload(tokens?.AccessToken ?? '')['cognito:groups']).toEqual(['admin', 'manager']);

    const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: email }));
    expect(user.UserStatus).toBe('CONFIRMED');
    expect(user.UserAttributes).toEqual(expect.arrayContaining([{ Name: 'email', Value: email }]));

    const listed = await cognito.send(
      new ListUsersCommand({ UserPoolId: POOL_ID, Filter: `email = "${email}"` }),
    );
    expect(listed.Users?.map((u) => u.Username)).toEqual([user.Username]);
    const demo = await cognito.send(
      new ListUsersCommand({ UserPoolId: POOL_ID, Filter: 'email ^= "manager@"' }),
    );
    expect(demo.Users?.map((u) => u.Username)).toEqual(['a0000000-0000-4000-8000-000000000002']);
    const paged = await cognito.send(new ListUsersCommand({ UserPoolId: POOL_ID, Limit: 2 }));
    expect(paged.Users).toHaveLength(2);
    expect(paged.PaginationToken).toBeTruthy();

    await cognito.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: POOL_ID, Username: email, GroupName: 'admin' }),
    );
    const after = (await passwordAuth(email, 'Perm4nent!')).AuthenticationResult;
    expect(decodePayload(after?.AccessToken ?? '')['cognito:groups']).toEqual(['manager']);

    await expect(
      cognito.send(new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'ghost@example.com' })),
    ).rejects.toBeInstanceOf(UserNotFoundException);
    await expect(
      cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: POOL_ID, Username: email, GroupName: 'root' }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      cognito.send(new AdminGetUserCommand({ UserPoolId: 'ap-northeast-1_other', Username: email })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('asks an invited user for a new password (NEW_PASSWORD_REQUIRED)', async () => {
    const email = 'invited@example.com';
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: POOL_ID,
        Username: email,
        TemporaryPassword: 'Temp0rary!',
        MessageAction: 'SUPPRESS',
      }),
    );
    const challenge = await passwordAuth(email, 'Temp0rary!');
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const answered = await cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: API_CLIENT,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: email, NEW_PASSWORD: 'Ch0sen-by-me', SECRET_HASH: hash(email) },
      }),
    );
    expect(answered.AuthenticationResult?.AccessToken).toBeTruthy();
    expect((await passwordAuth(email, 'Ch0sen-by-me')).AuthenticationResult).toBeDefined();
  });

  it('GlobalSignOut revokes the refresh tokens and access tokens of every session', async () => {
    const first = (await passwordAuth('manager@example.com', DEMO_PASSWORD)).AuthenticationResult;
    const second = (await passwordAuth('manager@example.com', DEMO_PASSWORD)).AuthenticationResult;
    const me = await cognito.send(new GetUserCommand({ AccessToken: first?.AccessToken }));
    expect(me.Username).toBe('a0000000-0000-4000-8000-000000000002');

    await cognito.send(new GlobalSignOutCommand({ AccessToken: first?.AccessToken }));

    for (const session of [first, second]) {
      await expect(
        cognito.send(
          new InitiateAuthCommand({
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            ClientId: API_CLIENT,
            AuthParameters: {
              REFRESH_TOKEN: session?.RefreshToken ?? '',
              SECRET_HASH: hash(me.Username ?? ''),
            },
          }),
        ),
      ).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Refresh Token has been revoked' });
    }
    await expect(
      cognito.send(new GetUserCommand({ AccessToken: second?.AccessToken })),
    ).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Access Token has been revoked',
    });
    // A new sign-in is a new session, unaffected.
    const again = (await passwordAuth('manager@example.com', DEMO_PASSWORD)).AuthenticationResult;
    await expect(
      cognito.send(new GetUserCommand({ AccessToken: again?.AccessToken })),
    ).resolves.toBeDefined();
  });
});
