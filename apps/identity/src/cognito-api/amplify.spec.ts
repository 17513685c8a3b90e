import { CognitoIdentityProviderClient, GetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import {
  confirmResetPassword,
  confirmSignIn,
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  resetPassword,
  signIn,
  signOut,
  updatePassword,
} from 'aws-amplify/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPoolFile, loadPoolFile } from '../pool/load-pool.js';
import {
  DEMO_PASSWORD,
  outboxCode,
  POOL_ID,
  startTestIdentity,
  type TestIdentity,
} from '../test-support/harness.js';

/**
 * Amplify v6 (`aws-amplify/auth`), configured as a front end would be, with `userPoolEndpoint` pointing it at
 * identity instead of cognito-idp.<region>.amazonaws.com. Everything below is Amplify's own requests.
 */
describe('Amplify v6 against identity (userPoolEndpoint)', () => {
  let identity: TestIdentity;
  let choiceBased: TestIdentity;
  let cognito: CognitoIdentityProviderClient;

  const configure = (endpoint: string) =>
    Amplify.configure({
      Auth: {
        Cognito: { userPoolId: POOL_ID, userPoolClientId: 'helpline-spa', userPoolEndpoint: endpoint },
      },
    });

  beforeAll(async () => {
    identity = await startTestIdentity();
    // The same pool, but helpline-spa also allows choice-based sign-in (USER_AUTH).
    const definition = await loadPoolFile(defaultPoolFile());
    choiceBased = await startTestIdentity({
      pool: {
        ...definition,
        clients: definition.clients.map((client) =>
          client.clientId === 'helpline-spa'
            ? { ...client, explicitAuthFlows: [...client.explicitAuthFlows, 'ALLOW_USER_AUTH' as const] }
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
    configure(identity.url);
  });
  afterAll(async () => {
    cognito?.destroy();
    await identity?.dispose();
    await choiceBased?.dispose();
  });

  it('signIn (USER_SRP_AUTH), fetchAuthSession, signOut (RevokeToken)', async () => {
    const result = await signIn({ username: 'manager@example.com', password: DEMO_PASSWORD });
    expect(result).toMatchObject({ isSignedIn: true, nextStep: { signInStep: 'DONE' } });
    expect(await getCurrentUser()).toMatchObject({ username: 'a0000000-0000-4000-8000-000000000002' });

    const { tokens } = await fetchAuthSession();
    expect(tokens?.idToken?.payload).toMatchObject({ email: 'manager@example.com', aud: 'helpline-spa' });
    expect(tokens?.accessToken.payload).toMatchObject({
      'cognito:groups': ['manager'],
      scope: 'aws.cognito.signin.user.admin',
    });
    expect(await fetchUserAttributes()).toMatchObject({ email: 'manager@example.com', name: 'Demo Manager' });
    const accessToken = tokens?.accessToken.toString() ?? '';

    await signOut();
    expect((await fetchAuthSession()).tokens).toBeUndefined();
    // The session was revoked at identity, not only forgotten by Amplify.
    await expect(cognito.send(new GetUserCommand({ AccessToken: accessToken }))).rejects.toMatchObject({
      message: 'Access Token has been revoked',
    });
  });

  it('refuses a wrong password with NotAuthorizedException', async () => {
    await expect(
      signIn({ username: 'manager@example.com', password: 'Wrong-passw0rd' }),
    ).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });

  it('updatePassword, then resetPassword + confirmResetPassword with the emailed code', async () => {
    await signIn({ username: 'admin@example.com', password: DEMO_PASSWORD });
    await updatePassword({ oldPassword: DEMO_PASSWORD, newPassword: 'Upd4ted!pass' });
    await signOut();
    await expect(signIn({ username: 'admin@example.com', password: 'Upd4ted!pass' })).resolves.toMatchObject({
      isSignedIn: true,
    });
    await signOut();

    const reset = await resetPassword({ username: 'admin@example.com' });
    expect(reset.nextStep).toMatchObject({
      resetPasswordStep: 'CONFIRM_RESET_PASSWORD_WITH_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'a***@e***', attributeName: 'email' },
    });
    const code = await outboxCode(identity.url, 'admin@example.com', 'PASSWORD_RESET');
    await confirmResetPassword({
      username: 'admin@example.com',
      confirmationCode: code,
      newPassword: 'R3set!pass',
    });
    await expect(signIn({ username: 'admin@example.com', password: 'R3set!pass' })).resolves.toMatchObject({
      isSignedIn: true,
    });
    await signOut();
  });

  it('USER_AUTH, where the client allows it: PASSWORD_SRP and PASSWORD as the preferred challenge', async () => {
    configure(choiceBased.url);
    try {
      for (const preferredChallenge of ['PASSWORD_SRP', 'PASSWORD'] as const) {
        const result = await signIn({
          username: 'user@example.com',
          password: DEMO_PASSWORD,
          options: { authFlowType: 'USER_AUTH', preferredChallenge },
        });
        expect(result).toMatchObject({ isSignedIn: true });
        expect((await fetchAuthSession()).tokens?.accessToken.payload.client_id).toBe('helpline-spa');
        await signOut();
      }
      // No preference: SELECT_CHALLENGE, answered with the factor, then the password (or SRP).
      for (const factor of ['PASSWORD', 'PASSWORD_SRP'] as const) {
        const first = await signIn({ username: 'user@example.com', options: { authFlowType: 'USER_AUTH' } });
        expect(first.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
        const second = await confirmSignIn({ challengeResponse: factor });
        expect(second.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_PASSWORD');
        await expect(confirmSignIn({ challengeResponse: DEMO_PASSWORD })).resolves.toMatchObject({
          isSignedIn: true,
        });
        await signOut();
      }
    } finally {
      configure(identity.url);
    }
  });
});
