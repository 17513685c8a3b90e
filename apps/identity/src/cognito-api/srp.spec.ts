import {
  AdminCreateUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type InitiateAuthCommandOutput,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CognitoJs, promised } from '../test-support/cognito-js.js';
import {
  decodePayload,
  DEMO_PASSWORD,
  POOL_ID,
  startTestIdentity,
  type TestIdentity,
} from '../test-support/harness.js';
import { ManualClock } from '../test-support/manual-clock.js';
import { SrpClient, srpTimestamp } from '../test-support/srp-client.js';

const SPA = 'helpline-spa';
const USER_SUB = 'a0000000-0000-4000-8000-000000000003';
/** RFC 5054's 3072-bit prime, as hex: an SRP_A that is 0 mod N. */
const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';

const sdkClient = (endpoint: string) =>
  new CognitoIdentityProviderClient({
    endpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

describe('USER_SRP_AUTH through amazon-cognito-identity-js, against the shipped helpline-spa client', () => {
  let identity: TestIdentity;
  let js: CognitoJs;
  let cognito: CognitoIdentityProviderClient;

  beforeAll(async () => {
    identity = await startTestIdentity();
    js = new CognitoJs(identity.url);
    cognito = sdkClient(identity.url);
  });
  afterAll(async () => {
    cognito?.destroy();
    await identity?.dispose();
  });

  it('authenticateUser signs a demo user in by SRP, with Cognito tokens; the session refreshes', async () => {
    const user = js.user('user@example.com');
    const outcome = await js.signIn(user, DEMO_PASSWORD);
    if (!('session' in outcome)) throw new Error('expected a session');
    const { session } = outcome;
    expect(session.isValid()).toBe(true);
    expect(user.getUsername()).toBe(USER_SUB);
    expect(decodePayload(session.getIdToken().getJwtToken())).toMatchObject({
      sub: USER_SUB,
      aud: SPA,
      token_use: 'id',
      email: 'user@example.com',
      'cognito:groups': ['user'],
    });
    const access = decodePayload(session.getAccessToken().getJwtToken());
    expect(access).toMatchObject({ client_id: SPA, scope: 'aws.cognito.signin.user.admin' });

    const refreshed = await promised<typeof session>((done) =>
      user.refreshSession(session.getRefreshToken(), done),
    );
    expect(decodePayload(refreshed.getAccessToken().getJwtToken()).origin_jti).toBe(access.origin_jti);
  });

  it('answers USER_SRP_AUTH with Cognito’s PASSWORD_VERIFIER challenge: the username (sub) to hash, no Session', async () => {
    const answer = await cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_SRP_AUTH',
        ClientId: SPA,
        AuthParameters: { USERNAME: 'USER@example.com', SRP_A: await new SrpClient().srpA() },
      }),
    );
    expect(answer.ChallengeName).toBe('PASSWORD_VERIFIER');
    expect(answer.Session).toBeUndefined();
    expect(answer.ChallengeParameters).toEqual({
      SALT: expect.stringMatching(/^[0-9a-f]+$/),
      SRP_B: expect.stringMatching(/^[0-9a-f]{500,}$/),
      SECRET_BLOCK: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/),
      USERNAME: USER_SUB,
      USER_ID_FOR_SRP: USER_SUB,
    });
  });

  it('refuses a wrong password and an unknown user alike: NotAuthorizedException', async () => {
    await expect(js.signIn(js.user('manager@example.com'), 'Wrong-passw0rd')).rejects.toMatchObject({
      code: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    await expect(js.signIn(js.user('nobody@example.com'), DEMO_PASSWORD)).rejects.toMatchObject({
      code: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });

  it('tells an unconfirmed user so only once the password is proven', async () => {
    await js.signUp('unconfirmed.srp@example.com', 'Str0ng!pass', { name: 'Pending' });
    await expect(js.signIn(js.user('unconfirmed.srp@example.com'), 'Wr0ng!pass')).rejects.toMatchObject({
      code: 'NotAuthorizedException',
    });
    await expect(js.signIn(js.user('unconfirmed.srp@example.com'), 'Str0ng!pass')).rejects.toMatchObject({
      code: 'UserNotConfirmedException',
    });
  });

  it('asks an invited user for a new password after SRP (newPasswordRequired), then signs them in', async () => {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: POOL_ID,
        Username: 'invited.srp@example.com',
        TemporaryPassword: 'Temp0rary!',
        MessageAction: 'SUPPRESS',
      }),
    );
    const user = js.user('invited.srp@example.com');
    const first = await js.signIn(user, 'Temp0rary!');
    expect(first).toMatchObject({ newPasswordRequired: { email: 'invited.srp@example.com' } });
    const session = await js.completeNewPassword(user, 'Ch0sen-by-me');
    expect(session.isValid()).toBe(true);
    const again = await js.signIn(js.user('invited.srp@example.com'), 'Ch0sen-by-me');
    expect('session' in again).toBe(true);
  });

  it('helpline-spa gains no flow it does not have: USER_PASSWORD_AUTH stays refused', async () => {
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_PASSWORD_AUTH',
          ClientId: SPA,
          AuthParameters: { USERNAME: 'user@example.com', PASSWORD: DEMO_PASSWORD },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'USER_PASSWORD_AUTH flow not enabled for this client',
    });
    await expect(
      cognito.send(
        new InitiateAuthCommand({
          AuthFlow: 'USER_SRP_AUTH',
          ClientId: 'helpline-api',
          AuthParameters: { USERNAME: 'user@example.com', SRP_A: 'ab' },
        }),
      ),
    ).rejects.toMatchObject({ message: 'USER_SRP_AUTH flow not enabled for this client' });
  });
});

describe('SRP claims that must be refused, with Cognito’s errors', () => {
  let identity: TestIdentity;
  let cognito: CognitoIdentityProviderClient;
  // 1 November 2026, 09:00 UTC, frozen: the claims' TIMESTAMPs are written for identity's clock.
  const clock = new ManualClock();

  beforeAll(async () => {
    identity = await startTestIdentity({ clock });
    cognito = sdkClient(identity.url);
  });
  afterAll(async () => {
    cognito?.destroy();
    await identity?.dispose();
  });

  const start = async (client: SrpClient, username = 'admin@example.com', srpA?: string) =>
    cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_SRP_AUTH',
        ClientId: SPA,
        AuthParameters: { USERNAME: username, SRP_A: srpA ?? (await client.srpA()) },
      }),
    );
  const challengeOf = (answer: InitiateAuthCommandOutput) => {
    const parameters = answer.ChallengeParameters ?? {};
    return {
      SRP_B: parameters.SRP_B ?? '',
      SALT: parameters.SALT ?? '',
      USER_ID_FOR_SRP: parameters.USER_ID_FOR_SRP ?? '',
      SECRET_BLOCK: parameters.SECRET_BLOCK ?? '',
    };
  };
  const respond = (responses: Record<string, string>) =>
    cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: SPA,
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeResponses: responses,
      }),
    );
  const claim = async (
    client: SrpClient,
    challenge: ReturnType<typeof challengeOf>,
    options: { password?: string; timestamp?: string; secretBlock?: string } = {},
  ) => {
    const timestamp = options.timestamp ?? srpTimestamp(clock.now());
    const secretBlock = options.secretBlock ?? challenge.SECRET_BLOCK;
    return {
      USERNAME: challenge.USER_ID_FOR_SRP,
      PASSWORD_CLAIM_SECRET_BLOCK: secretBlock,
      TIMESTAMP: timestamp,
      PASSWORD_CLAIM_SIGNATURE: await client.signature(
        challenge,
        options.password ?? DEMO_PASSWORD,
        secretBlock,
        timestamp,
      ),
    };
  };
  const incorrect = { name: 'NotAuthorizedException', message: 'Incorrect username or password.' };

  it('the right claim signs in (so that each refusal below is the claim’s fault)', async () => {
    const client = new SrpClient();
    const challenge = challengeOf(await start(client));
    const answer = await respond(await claim(client, challenge));
    expect(answer.AuthenticationResult?.AccessToken).toBeTruthy();
  });

  it('a wrong password', async () => {
    const client = new SrpClient();
    const challenge = challengeOf(await start(client));
    await expect(
      respond(await claim(client, challenge, { password: 'Wrong-Passw0rd' })),
    ).rejects.toMatchObject(incorrect);
  });

  it('a tampered SRP_A (0 mod N): InvalidParameterException before any challenge', async () => {
    for (const srpA of [
      N_HEX,
      '0',
      `${N_HEX}`.padStart(800, '0'),
      (BigInt(`0x${N_HEX}`) * 2n).toString(16),
    ]) {
      await expect(start(new SrpClient(), 'admin@example.com', srpA)).rejects.toMatchObject({
        name: 'InvalidParameterException',
      });
    }
  });

  it('a replayed claim: each challenge is answered once', async () => {
    const client = new SrpClient();
    const challenge = challengeOf(await start(client));
    const responses = await claim(client, challenge);
    await expect(respond(responses)).resolves.toMatchObject({ AuthenticationResult: expect.any(Object) });
    await expect(respond(responses)).rejects.toMatchObject(incorrect);
  });

  it('a stale or future TIMESTAMP, a non-canonical one, and one not in Cognito’s format', async () => {
    for (const timestamp of [
      srpTimestamp(clock.now() - 10 * 60 * 1000),
      srpTimestamp(clock.now() + 10 * 60 * 1000),
    ]) {
      const client = new SrpClient();
      const challenge = challengeOf(await start(client));
      await expect(respond(await claim(client, challenge, { timestamp }))).rejects.toMatchObject(incorrect);
    }
    // "Nov 01": the day with a leading zero is signed as sent, but it is not the TIMESTAMP Cognito reads.
    const padded = new SrpClient();
    const paddedChallenge = challengeOf(await start(padded));
    await expect(
      respond(
        await claim(padded, paddedChallenge, { timestamp: srpTimestamp(clock.now(), { padDay: true }) }),
      ),
    ).rejects.toMatchObject(incorrect);
    const malformed = new SrpClient();
    const malformedChallenge = challengeOf(await start(malformed));
    await expect(
      respond(await claim(malformed, malformedChallenge, { timestamp: new Date(clock.now()).toISOString() })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.',
    });
  });

  it('a SECRET_BLOCK from another session', async () => {
    const client = new SrpClient();
    const mine = challengeOf(await start(client));
    const other = challengeOf(await start(new SrpClient()));
    // Signed for this session's B, but naming the other session's block: the other session's B and b apply.
    await expect(
      respond(await claim(client, mine, { secretBlock: other.SECRET_BLOCK })),
    ).rejects.toMatchObject(incorrect);
    // And this session, whose block was not used, still works.
    await expect(respond(await claim(client, mine))).resolves.toMatchObject({
      AuthenticationResult: expect.any(Object),
    });
  });

  it('a name nobody has gets a challenge like anyone’s (the same one each time), then the wrong-password answer', async () => {
    const client = new SrpClient();
    const first = challengeOf(await start(client, 'ghost@example.com'));
    const second = challengeOf(await start(new SrpClient(), 'ghost@example.com'));
    expect(first.USER_ID_FOR_SRP).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(second.USER_ID_FOR_SRP).toBe(first.USER_ID_FOR_SRP);
    expect(second.SALT).toBe(first.SALT);
    expect(first.SALT).toHaveLength(32);
    await expect(respond(await claim(client, first))).rejects.toMatchObject(incorrect);
  });
});
