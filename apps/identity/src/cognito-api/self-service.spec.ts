import {
  CognitoIdentityProviderClient,
  GetUserCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CognitoUser, CognitoUserAttribute, CognitoUserSession } from 'amazon-cognito-identity-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoJs, promised, settled } from '../test-support/cognito-js.js';
import { FakeUserService } from '../test-support/fake-user-service.js';
import {
  confirmationCode,
  decodePayload,
  outboxCode,
  startTestIdentity,
  type TestIdentity,
} from '../test-support/harness.js';

/**
 * What a profile or password-reset page built on amazon-cognito-identity-js does, against the shipped
 * helpline-spa client: every call below is the library's.
 */
describe('self-service through amazon-cognito-identity-js', () => {
  let identity: TestIdentity;
  let js: CognitoJs;
  let cognito: CognitoIdentityProviderClient;
  let userService: FakeUserService;

  beforeAll(async () => {
    userService = new FakeUserService();
    identity = await startTestIdentity({ userServiceUrl: await userService.start() });
    js = new CognitoJs(identity.url);
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

  /** signUp(…, null, cb), confirmRegistration with the emailed code, authenticateUser (SRP). */
  async function newUser(
    email: string,
    password = 'Str0ng!pass',
  ): Promise<{ user: CognitoUser; session: CognitoUserSession }> {
    const signedUp = await js.signUp(email, password, { name: 'Self Service' });
    expect(signedUp.userConfirmed).toBe(false);
    const code = await confirmationCode(identity.url, email);
    await promised((done) => js.user(email).confirmRegistration(code, false, done));
    const user = js.user(email);
    const outcome = await js.signIn(user, password);
    if (!('session' in outcome)) throw new Error('expected a session');
    return { user, session: outcome.session };
  }

  const attributesOf = async (user: CognitoUser) =>
    Object.fromEntries(
      (await promised<CognitoUserAttribute[]>((done) => user.getUserAttributes(done))).map((a) => [
        a.getName(),
        a.getValue(),
      ]),
    );

  it('signs up with signUp(…, null, cb) — ValidationData null — confirms, and signs in', async () => {
    const { session } = await newUser('null.validation@example.com');
    expect(decodePayload(session.getIdToken().getJwtToken())).toMatchObject({
      email: 'null.validation@example.com',
      email_verified: true,
      name: 'Self Service',
    });
  });

  it('changePassword: the old password must be right; then only the new one works', async () => {
    const { user } = await newUser('changer@example.com');
    await expect(
      promised((done) => user.changePassword('Not-the-0ld!', 'N3w-password!', done)),
    ).rejects.toMatchObject({ code: 'NotAuthorizedException', message: 'Incorrect username or password.' });
    await expect(promised((done) => user.changePassword('Str0ng!pass', 'weak', done))).rejects.toMatchObject({
      code: 'InvalidPasswordException',
    });
    await expect(promised((done) => user.changePassword('Str0ng!pass', 'N3w-password!', done))).resolves.toBe(
      'SUCCESS',
    );
    await expect(js.signIn(js.user('changer@example.com'), 'Str0ng!pass')).rejects.toMatchObject({
      code: 'NotAuthorizedException',
    });
    await expect(js.signIn(js.user('changer@example.com'), 'N3w-password!')).resolves.toHaveProperty(
      'session',
    );
  });

  it('forgotPassword + confirmPassword with the emailed code', async () => {
    await newUser('forgetful@example.com');
    const user = js.user('forgetful@example.com');
    const delivery = await new Promise<unknown>((resolve, reject) =>
      user.forgotPassword({ onSuccess: resolve, onFailure: reject, inputVerificationCode: resolve }),
    );
    expect(delivery).toEqual({
      CodeDeliveryDetails: { Destination: 'f***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' },
    });
    await expect(
      settled((callbacks) => user.confirmPassword('000000', 'Rec0vered!pass', callbacks)),
    ).rejects.toMatchObject({ code: 'CodeMismatchException' });
    const code = await outboxCode(identity.url, 'forgetful@example.com', 'PASSWORD_RESET');
    await expect(
      settled((callbacks) => user.confirmPassword(code, 'Rec0vered!pass', callbacks)),
    ).resolves.toBe('SUCCESS');
    await expect(js.signIn(js.user('forgetful@example.com'), 'Rec0vered!pass')).resolves.toHaveProperty(
      'session',
    );
    // A code works once.
    await expect(
      settled((callbacks) => js.user('forgetful@example.com').confirmPassword(code, 'Ag4in!pass', callbacks)),
    ).rejects.toMatchObject({ code: 'CodeMismatchException' });
  });

  it('updateAttributes: a new email is unverified until its code is confirmed (verifyAttribute)', async () => {
    const { user } = await newUser('mover@example.com');
    const result = await promised((done) =>
      user.updateAttributes(
        [
          { Name: 'name', Value: 'Moved Person' },
          { Name: 'email', Value: 'moved@example.com' },
        ],
        done,
      ),
    );
    expect(result).toBe('SUCCESS');
    expect(await attributesOf(user)).toMatchObject({
      name: 'Moved Person',
      email: 'moved@example.com',
      email_verified: 'false',
    });
    const code = await outboxCode(identity.url, 'moved@example.com', 'ATTRIBUTE_VERIFICATION');
    await expect(
      settled((callbacks) => user.verifyAttribute('email', '123', callbacks)),
    ).rejects.toMatchObject({ code: 'CodeMismatchException' });
    await expect(settled((callbacks) => user.verifyAttribute('email', code, callbacks))).resolves.toBe(
      'SUCCESS',
    );
    expect((await attributesOf(user)).email_verified).toBe('true');

    // A new code on request, then verified again; and the new email is the sign-in name now.
    await new Promise((resolve, reject) =>
      user.getAttributeVerificationCode('email', {
        onSuccess: resolve,
        onFailure: reject,
        inputVerificationCode: resolve,
      }),
    );
    const again = await outboxCode(identity.url, 'moved@example.com', 'ATTRIBUTE_VERIFICATION');
    await expect(settled((callbacks) => user.verifyAttribute('email', again, callbacks))).resolves.toBe(
      'SUCCESS',
    );
    await expect(js.signIn(js.user('moved@example.com'), 'Str0ng!pass')).resolves.toHaveProperty('session');

    // Another user's email cannot be taken, and email_verified is not the user's to set.
    await expect(
      promised((done) => user.updateAttributes([{ Name: 'email', Value: 'user@example.com' }], done)),
    ).rejects.toMatchObject({ code: 'AliasExistsException' });
    await expect(
      promised((done) => user.updateAttributes([{ Name: 'email_verified', Value: 'true' }], done)),
    ).rejects.toMatchObject({ code: 'NotAuthorizedException' });
  });

  it('deleteAttributes: optional ones go, required ones stay', async () => {
    const { user } = await newUser('trimmer@example.com');
    await expect(promised((done) => user.deleteAttributes(['name'], done))).resolves.toBe('SUCCESS');
    expect(await attributesOf(user)).not.toHaveProperty('name');
    await expect(promised((done) => user.deleteAttributes(['email'], done))).rejects.toMatchObject({
      code: 'InvalidParameterException',
    });
  });

  it('signOut(cb) revokes the session (RevokeToken): its refresh and access tokens stop working', async () => {
    const { user, session } = await newUser('leaver@example.com');
    const refreshToken = session.getRefreshToken();
    const accessToken = session.getAccessToken().getJwtToken();
    await new Promise<void>((resolve, reject) =>
      user.signOut(((error?: Error) => (error ? reject(error) : resolve())) as () => void),
    );
    // (Through the SDK: the library retries a failed refresh with backoff for several seconds.)
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          ClientId: 'helpline-spa',
          AuthParameters: { REFRESH_TOKEN: refreshToken.getToken() },
        }),
      ),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException', message: 'Refresh Token has been revoked' });
    await expect(cognito.send(new GetUserCommand({ AccessToken: accessToken }))).rejects.toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Access Token has been revoked',
    });
  });

  it('globalSignOut ends every session of the user', async () => {
    const { user, session } = await newUser('everywhere@example.com');
    const other = await js.signIn(js.user('everywhere@example.com'), 'Str0ng!pass');
    if (!('session' in other)) throw new Error('expected a session');
    await expect(settled((callbacks) => user.globalSignOut(callbacks))).resolves.toBe('SUCCESS');
    for (const token of [session, other.session].map((s) => s.getRefreshToken().getToken())) {
      await expect(
        cognito.send(
          new InitiateAuthCommand({
            AuthFlow: 'REFRESH_TOKEN_AUTH',
            ClientId: 'helpline-spa',
            AuthParameters: { REFRESH_TOKEN: token },
          }),
        ),
      ).rejects.toMatchObject({ message: 'Refresh Token has been revoked' });
    }
  });

  it('deleteUser: the account and its sessions are gone; the email can sign up again', async () => {
    const { user, session } = await newUser('goner@example.com');
    await expect(promised((done) => user.deleteUser(done))).resolves.toBe('SUCCESS');
    await expect(js.signIn(js.user('goner@example.com'), 'Str0ng!pass')).rejects.toMatchObject({
      code: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    await expect(
      cognito.send(new GetUserCommand({ AccessToken: session.getAccessToken().getJwtToken() })),
    ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
    await expect(js.signUp('goner@example.com', 'Str0ng!pass')).resolves.toMatchObject({
      userConfirmed: false,
    });
  });
});
