import {
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminListGroupsForUserCommand,
  AdminResetUserPasswordCommand,
  AdminRespondToAuthChallengeCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GetGroupCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListGroupsCommand,
  ListUsersInGroupCommand,
  PasswordResetRequiredException,
  ResourceNotFoundException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPoolFile, loadPoolFile } from '../pool/load-pool.js';
import {
  decodePayload,
  DEMO_PASSWORD,
  outboxCode,
  POOL_ID,
  startTestIdentity,
  type TestIdentity,
} from '../test-support/harness.js';
import { secretHash } from './client-checks.js';

const API_CLIENT = 'helpline-api';
const hash = (username: string) => secretHash('helpline-api-secret', username, API_CLIENT);
const USER_SUB = 'a0000000-0000-4000-8000-000000000003';

/** The server-side admin API through @aws-sdk/client-cognito-identity-provider (unauthenticated locally). */
describe('the admin API, through the AWS SDK v3', () => {
  let identity: TestIdentity;
  let cognito: CognitoIdentityProviderClient;

  beforeAll(async () => {
    // The shipped pool, with helpline-api also allowed the backend sign-in (ALLOW_ADMIN_USER_PASSWORD_AUTH).
    const definition = await loadPoolFile(defaultPoolFile());
    identity = await startTestIdentity({
      pool: {
        ...definition,
        clients: definition.clients.map((client) =>
          client.clientId === API_CLIENT
            ? {
                ...client,
                explicitAuthFlows: [...client.explicitAuthFlows, 'ALLOW_ADMIN_USER_PASSWORD_AUTH' as const],
              }
            : client,
        ),
      },
    });
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
  });

  const adminSignIn = (username: string, password: string) =>
    cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: POOL_ID,
        ClientId: API_CLIENT,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: password, SECRET_HASH: hash(username) },
      }),
    );
  const invite = (email: string) =>
    cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: POOL_ID,
        Username: email,
        TemporaryPassword: 'Temp0rary!',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
      }),
    );

  it('AdminInitiateAuth (ADMIN_USER_PASSWORD_AUTH) and AdminRespondToAuthChallenge (NEW_PASSWORD_REQUIRED)', async () => {
    const signedIn = await adminSignIn('user@example.com', DEMO_PASSWORD);
    expect(decodePayload(signedIn.AuthenticationResult?.AccessToken ?? '')).toMatchObject({
      sub: USER_SUB,
      client_id: API_CLIENT,
    });
    await expect(adminSignIn('user@example.com', 'Wrong-passw0rd')).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });

    await invite('backend.invite@example.com');
    const challenge = await adminSignIn('backend.invite@example.com', 'Temp0rary!');
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    const answered = await cognito.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: POOL_ID,
        ClientId: API_CLIENT,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenge.Session,
        ChallengeResponses: {
          USERNAME: 'backend.invite@example.com',
          NEW_PASSWORD: 'Ch0sen-by-me',
          SECRET_HASH: hash('backend.invite@example.com'),
        },
      }),
    );
    expect(answered.AuthenticationResult?.IdToken).toBeTruthy();

    // The flow is the client's to allow: helpline-spa does not.
    await expect(
      cognito.send(
        new AdminInitiateAuthCommand({
          UserPoolId: POOL_ID,
          ClientId: 'helpline-spa',
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'user@example.com', PASSWORD: DEMO_PASSWORD },
        }),
      ),
    ).rejects.toMatchObject({ message: 'ADMIN_USER_PASSWORD_AUTH flow not enabled for this client' });
  });

  it('AdminDisableUser ends the sessions and refuses sign-in; AdminEnableUser lets the user back', async () => {
    await invite('disabled.soon@example.com');
    const challenge = await adminSignIn('disabled.soon@example.com', 'Temp0rary!');
    expect(challenge.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    await cognito.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: POOL_ID,
        ClientId: API_CLIENT,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: challenge.Session,
        ChallengeResponses: {
          USERNAME: 'disabled.soon@example.com',
          NEW_PASSWORD: 'Perm4nent!',
          SECRET_HASH: hash('disabled.soon@example.com'),
        },
      }),
    );
    const tokens = (await adminSignIn('disabled.soon@example.com', 'Perm4nent!')).AuthenticationResult;
    await cognito.send(
      new AdminDisableUserCommand({ UserPoolId: POOL_ID, Username: 'disabled.soon@example.com' }),
    );
    expect(
      (
        await cognito.send(
          new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'disabled.soon@example.com' }),
        )
      ).Enabled,
    ).toBe(false);
    await expect(adminSignIn('disabled.soon@example.com', 'Perm4nent!')).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'User is disabled.',
    });
    await expect(
      cognito.send(new GetUserCommand({ AccessToken: tokens?.AccessToken })),
    ).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
    await cognito.send(
      new AdminEnableUserCommand({ UserPoolId: POOL_ID, Username: 'disabled.soon@example.com' }),
    );
    await expect(adminSignIn('disabled.soon@example.com', 'Perm4nent!')).resolves.toHaveProperty(
      'AuthenticationResult',
    );
  });

  it('AdminUpdateUserAttributes and AdminDeleteUserAttributes', async () => {
    await invite('attributes@example.com');
    await cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: POOL_ID,
        Username: 'attributes@example.com',
        UserAttributes: [
          { Name: 'name', Value: 'Attri Butes' },
          { Name: 'email', Value: 'attributes.new@example.com' },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    const updated = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'attributes.new@example.com' }),
    );
    expect(updated.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'name', Value: 'Attri Butes' },
        { Name: 'email', Value: 'attributes.new@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ]),
    );
    await expect(
      cognito.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: POOL_ID,
          Username: 'attributes.new@example.com',
          UserAttributes: [{ Name: 'email', Value: 'admin@example.com' }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'AliasExistsException' });
    await cognito.send(
      new AdminDeleteUserAttributesCommand({
        UserPoolId: POOL_ID,
        Username: 'attributes.new@example.com',
        UserAttributeNames: ['name'],
      }),
    );
    const trimmed = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'attributes.new@example.com' }),
    );
    expect(trimmed.UserAttributes?.map((a) => a.Name)).not.toContain('name');
    await expect(
      cognito.send(
        new AdminDeleteUserAttributesCommand({
          UserPoolId: POOL_ID,
          Username: 'attributes.new@example.com',
          UserAttributeNames: ['email'],
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('AdminResetUserPassword: sign-in answers PasswordResetRequiredException until the emailed code sets a new one', async () => {
    await cognito.send(
      new AdminResetUserPasswordCommand({ UserPoolId: POOL_ID, Username: 'manager@example.com' }),
    );
    const user = await cognito.send(
      new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'manager@example.com' }),
    );
    expect(user.UserStatus).toBe('RESET_REQUIRED');
    await expect(adminSignIn('manager@example.com', DEMO_PASSWORD)).rejects.toBeInstanceOf(
      PasswordResetRequiredException,
    );
    await expect(adminSignIn('manager@example.com', 'Wrong-passw0rd')).rejects.toMatchObject({
      name: 'NotAuthorizedException',
    });
    const code = await outboxCode(identity.url, 'manager@example.com', 'PASSWORD_RESET');
    await cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: API_CLIENT,
        SecretHash: hash('manager@example.com'),
        Username: 'manager@example.com',
        ConfirmationCode: code,
        Password: 'Aft3r-reset!',
      }),
    );
    await expect(adminSignIn('manager@example.com', 'Aft3r-reset!')).resolves.toHaveProperty(
      'AuthenticationResult',
    );
  });

  it('AdminDeleteUser: the user and their sessions are gone', async () => {
    await invite('deleted@example.com');
    await cognito.send(new AdminDeleteUserCommand({ UserPoolId: POOL_ID, Username: 'deleted@example.com' }));
    await expect(
      cognito.send(new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'deleted@example.com' })),
    ).rejects.toBeInstanceOf(UserNotFoundException);
    await expect(
      cognito.send(new AdminDeleteUserCommand({ UserPoolId: POOL_ID, Username: 'deleted@example.com' })),
    ).rejects.toBeInstanceOf(UserNotFoundException);
  });

  it('ListGroups, GetGroup, ListUsersInGroup, AdminListGroupsForUser: groups with their dates', async () => {
    const groups = await cognito.send(new ListGroupsCommand({ UserPoolId: POOL_ID }));
    expect(groups.Groups?.map((g) => g.GroupName)).toEqual(['admin', 'manager', 'user']);
    expect(groups.Groups?.[0]).toEqual({
      GroupName: 'admin',
      UserPoolId: POOL_ID,
      Description: 'Administrators: manage users, products and every order',
      Precedence: 1,
      CreationDate: expect.any(Date),
      LastModifiedDate: expect.any(Date),
    });
    const paged = await cognito.send(new ListGroupsCommand({ UserPoolId: POOL_ID, Limit: 2 }));
    expect(paged.Groups).toHaveLength(2);
    const rest = await cognito.send(
      new ListGroupsCommand({ UserPoolId: POOL_ID, Limit: 2, NextToken: paged.NextToken }),
    );
    expect(rest.Groups?.map((g) => g.GroupName)).toEqual(['user']);
    expect(rest.NextToken).toBeUndefined();

    const group = await cognito.send(new GetGroupCommand({ UserPoolId: POOL_ID, GroupName: 'user' }));
    expect(group.Group).toMatchObject({ GroupName: 'user', Precedence: 3, CreationDate: expect.any(Date) });
    await expect(
      cognito.send(new GetGroupCommand({ UserPoolId: POOL_ID, GroupName: 'root' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);

    const members = await cognito.send(
      new ListUsersInGroupCommand({ UserPoolId: POOL_ID, GroupName: 'user' }),
    );
    expect(members.Users?.map((u) => u.Username)).toEqual([USER_SUB]);
    expect(members.Users?.[0]?.Attributes).toEqual(
      expect.arrayContaining([{ Name: 'email', Value: 'user@example.com' }]),
    );

    const forUser = await cognito.send(
      new AdminListGroupsForUserCommand({ UserPoolId: POOL_ID, Username: 'user@example.com' }),
    );
    expect(forUser.Groups?.[0]).toMatchObject({
      GroupName: 'user',
      CreationDate: expect.any(Date),
      LastModifiedDate: expect.any(Date),
    });
  });

  it('DescribeUserPool and DescribeUserPoolClient describe pool.json', async () => {
    const { UserPool: pool } = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: POOL_ID }));
    expect(pool).toMatchObject({
      Id: POOL_ID,
      Name: 'helpline',
      Arn: `arn:aws:cognito-idp:ap-northeast-1:000000000000:userpool/${POOL_ID}`,
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      MfaConfiguration: 'OFF',
      Policies: {
        PasswordPolicy: {
          MinimumLength: 8,
          RequireUppercase: true,
          RequireLowercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 7,
        },
      },
      LambdaConfig: { PreTokenGenerationConfig: { LambdaVersion: 'V3_0' } },
      CreationDate: expect.any(Date),
    });
    expect(pool?.EstimatedNumberOfUsers).toBeGreaterThanOrEqual(3);
    expect(pool?.SchemaAttributes).toEqual(
      expect.arrayContaining([expect.objectContaining({ Name: 'email', Required: true, Mutable: true })]),
    );

    const { UserPoolClient: spa } = await cognito.send(
      new DescribeUserPoolClientCommand({ UserPoolId: POOL_ID, ClientId: 'helpline-spa' }),
    );
    expect(spa).toMatchObject({
      ClientId: 'helpline-spa',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      AllowedOAuthFlows: ['code'],
      CallbackURLs: ['http://localhost:5173/callback'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AccessTokenValidity: 3600,
      TokenValidityUnits: { AccessToken: 'seconds' },
    });
    expect(spa?.ClientSecret).toBeUndefined();
    await expect(
      cognito.send(new DescribeUserPoolClientCommand({ UserPoolId: POOL_ID, ClientId: 'nope' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('says locally what Cognito would need IAM credentials for: nothing is checked (README)', async () => {
    const unsigned = await fetch(`${identity.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSCognitoIdentityProviderService.DescribeUserPool',
      },
      body: JSON.stringify({ UserPoolId: POOL_ID }),
    });
    expect(unsigned.status).toBe(200);
    // USER_PASSWORD_AUTH still needs the client to allow it, whoever calls.
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          ClientId: API_CLIENT,
          AuthParameters: { USERNAME: 'user@example.com', PASSWORD: DEMO_PASSWORD },
        }),
      ),
    ).rejects.toMatchObject({ message: 'Initiate Auth method not supported.' });
  });
});
