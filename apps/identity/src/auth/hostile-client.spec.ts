import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { secretHash } from '../cognito-api/client-checks.js';
import { loadConfig, serverOptionsFrom } from '../config.js';
import { CognitoJs } from '../test-support/cognito-js.js';
import { FakeUserService } from '../test-support/fake-user-service.js';
import {
  cognitoCall,
  confirmationCode,
  DEMO_PASSWORD,
  POOL_ID,
  postForm,
  startTestIdentity,
  type TestIdentity,
} from '../test-support/harness.js';
import { ManualClock } from '../test-support/manual-clock.js';

const API = 'helpline-api';
const hash = (username: string) => secretHash('helpline-api-secret', username, API);
const FIFTEEN_MINUTES = 15 * 60 * 1000;

const passwordSignIn = (identity: TestIdentity, username: string, password: string) =>
  cognitoCall(identity.url, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: API,
    AuthParameters: { USERNAME: username, PASSWORD: password, SECRET_HASH: hash(username) },
  });

/** The answer as a client sees it: the error's name and message, tokens, or another success. */
const outcome = (answer: { status: number; body: Record<string, unknown> }) => {
  if (answer.status !== 200) return `${String(answer.body.__type)}: ${String(answer.body.message)}`;
  return answer.body.AuthenticationResult ? 'tokens' : 'ok';
};

const INCORRECT = 'NotAuthorizedException: Incorrect username or password.';
const EXCEEDED = 'NotAuthorizedException: Password attempts exceeded';

describe('a hostile client', () => {
  let identity: TestIdentity;
  let userService: FakeUserService;
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);

  beforeAll(async () => {
    userService = new FakeUserService();
    identity = await startTestIdentity({ clock, userServiceUrl: await userService.start() });
  });
  afterEach(() => clock.advance(FIFTEEN_MINUTES + 1000)); // every lockout forgotten between tests
  afterAll(async () => {
    await identity?.dispose();
    await userService?.stop();
  });

  it('20 parallel sign-ups with one email create exactly one account', async () => {
    const spellings = ['racer@example.com', 'Racer@example.com', 'RACER@EXAMPLE.COM'];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const email = spellings[i % spellings.length] ?? 'racer@example.com';
        return cognitoCall(identity.url, 'SignUp', {
          ClientId: API,
          SecretHash: hash(email),
          Username: email,
          Password: 'Str0ng!pass',
        });
      }),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(new Set(answers.filter((a) => a.status !== 200).map(outcome))).toEqual(
      new Set(['UsernameExistsException: An account with the given email already exists.']),
    );
    const listed = await cognitoCall(identity.url, 'ListUsers', {
      UserPoolId: POOL_ID,
      Filter: 'email = "racer@example.com"',
    });
    expect(listed.body.Users).toHaveLength(1);

    // AdminCreateUser racing sign-ups for another email: still one account.
    const mixed = await Promise.all([
      cognitoCall(identity.url, 'AdminCreateUser', { UserPoolId: POOL_ID, Username: 'mixed@example.com' }),
      ...Array.from({ length: 5 }, () =>
        cognitoCall(identity.url, 'SignUp', {
          ClientId: API,
          SecretHash: hash('mixed@example.com'),
          Username: 'mixed@example.com',
          Password: 'Str0ng!pass',
        }),
      ),
    ]);
    expect(mixed.filter((a) => a.status === 200)).toHaveLength(1);
  });

  it('locks a user out after 5 wrong passwords, the right one included, as Cognito does; a name nobody has alike', async () => {
    const sequence = async (username: string) => {
      const seen: string[] = [];
      for (let i = 0; i < 5; i++)
        seen.push(outcome(await passwordSignIn(identity, username, `Wr0ng!pass${i}`)));
      seen.push(outcome(await passwordSignIn(identity, username, DEMO_PASSWORD)));
      clock.advance(1000); // the first lockout: 1 s
      seen.push(outcome(await passwordSignIn(identity, username, 'Wr0ng!again')));
      clock.advance(1000); // the next one doubles: 2 s
      seen.push(outcome(await passwordSignIn(identity, username, DEMO_PASSWORD)));
      clock.advance(1000);
      seen.push(outcome(await passwordSignIn(identity, username, DEMO_PASSWORD)));
      return seen;
    };
    const known = await sequence('user@example.com');
    expect(known).toEqual([
      INCORRECT,
      INCORRECT,
      INCORRECT,
      INCORRECT,
      INCORRECT,
      EXCEEDED,
      INCORRECT,
      EXCEEDED,
      'tokens',
    ]);
    // A name nobody has: the same answers, lockouts included (but no tokens at the end).
    const unknown = await sequence('nobody@example.com');
    expect(unknown).toEqual([...known.slice(0, -1), INCORRECT]);
  });

  it('counts attempts that run in parallel: of 30 at once, 5 are checked, the rest refused; then the right password too', async () => {
    for (const username of ['manager@example.com', 'ghost@example.com']) {
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => passwordSignIn(identity, username, `Wr0ng!pass${i}`)),
      );
      const counts = answers.map(outcome).reduce<Record<string, number>>((all, o) => {
        all[o] = (all[o] ?? 0) + 1;
        return all;
      }, {});
      expect(counts).toEqual({ [INCORRECT]: 5, [EXCEEDED]: 25 });
      expect(outcome(await passwordSignIn(identity, username, DEMO_PASSWORD))).toBe(EXCEEDED);
    }
  });

  it('locks out SRP sign-ins (amazon-cognito-identity-js) and the login form the same way', async () => {
    const js = new CognitoJs(identity.url);
    for (let i = 0; i < 5; i++) {
      await expect(js.signIn(js.user('admin@example.com'), `Wr0ng!pass${i}`)).rejects.toMatchObject({
        message: 'Incorrect username or password.',
      });
    }
    await expect(js.signIn(js.user('admin@example.com'), DEMO_PASSWORD)).rejects.toMatchObject({
      code: 'NotAuthorizedException',
      message: 'Password attempts exceeded',
    });
    // The lockout is the user's, whatever the way in: the login page refuses too.
    const page = await fetch(
      `${identity.url}/oauth2/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: 'helpline-spa',
        redirect_uri: 'http://localhost:5173/callback',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })}`,
    );
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const fields = Object.fromEntries(
      [...(await page.text()).matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    const form = await postForm(
      `${identity.url}/login`,
      { ...fields, username: 'admin@example.com', password: DEMO_PASSWORD },
      { cookie },
    );
    expect(form.status).toBe(401);
    expect(await form.text()).toContain('Password attempts exceeded');
  });

  it('limits wrong sign-up codes: the right code is refused while locked out, for a name nobody has alike', async () => {
    const email = 'coder@example.com';
    await cognitoCall(identity.url, 'SignUp', {
      ClientId: API,
      SecretHash: hash(email),
      Username: email,
      Password: 'Str0ng!pass',
    });
    const code = await confirmationCode(identity.url, email);
    const confirm = async (username: string, attempt: string) =>
      outcome(
        await cognitoCall(identity.url, 'ConfirmSignUp', {
          ClientId: API,
          SecretHash: hash(username),
          Username: username,
          ConfirmationCode: attempt,
        }),
      );
    const wrong = code === '000000' ? '111111' : '000000';
    const sequence = async (username: string) => {
      const seen: string[] = [];
      for (let i = 0; i < 5; i++) seen.push(await confirm(username, wrong));
      seen.push(await confirm(username, code));
      clock.advance(1000);
      seen.push(await confirm(username, code));
      return seen;
    };
    const MISMATCH = 'CodeMismatchException: Invalid verification code provided, please try again.';
    const LIMIT = 'LimitExceededException: Attempt limit exceeded, please try after some time.';
    expect(await sequence(email)).toEqual([MISMATCH, MISMATCH, MISMATCH, MISMATCH, MISMATCH, LIMIT, 'ok']);
    expect(await sequence('nobody.coder@example.com')).toEqual([
      MISMATCH,
      MISMATCH,
      MISMATCH,
      MISMATCH,
      MISMATCH,
      LIMIT,
      MISMATCH,
    ]);
  });

  it('ResendConfirmationCode and ForgotPassword answer a name nobody has as they answer real users', async () => {
    const call = async (operation: string, username: string) =>
      cognitoCall(identity.url, operation, { ClientId: API, SecretHash: hash(username), Username: username });
    const shape = (answer: { status: number; body: Record<string, unknown> }) =>
      answer.status === 200
        ? `delivery ${JSON.stringify(Object.keys(answer.body.CodeDeliveryDetails as object).sort())}`
        : outcome(answer);

    // What real users get: a confirmed user, and one who has not confirmed yet.
    await cognitoCall(identity.url, 'SignUp', {
      ClientId: API,
      SecretHash: hash('waiting@example.com'),
      Username: 'waiting@example.com',
      Password: 'Str0ng!pass',
    });
    for (const operation of ['ResendConfirmationCode', 'ForgotPassword']) {
      const real = new Set([
        shape(await call(operation, 'user@example.com')),
        shape(await call(operation, 'waiting@example.com')),
      ]);
      expect(real.size).toBe(2); // one of each kind: a delivery, and a refusal
      const unknown = new Set<string>();
      for (let i = 0; i < 16; i++) {
        const name = `stranger${i}@example.com`;
        const first = shape(await call(operation, name));
        expect(shape(await call(operation, name))).toBe(first); // the same every time for a name
        unknown.add(first);
      }
      expect(unknown).toEqual(real);
    }
  });
});

describe('the same work for a name nobody has (timing)', () => {
  let identity: TestIdentity;
  const clock = new ManualClock();

  beforeAll(async () => {
    // A hash cost high enough for a missing hash check to stand out above HTTP's own noise, and still cheap.
    identity = await startTestIdentity({ clock, passwordHashCost: 2 ** 13 });
  });
  afterAll(() => identity?.dispose());

  it('answers a wrong password and an unknown user in the same time range', async () => {
    const time = async (username: string) => {
      clock.advance(FIFTEEN_MINUTES + 1000); // no lockout in the way
      const started = performance.now();
      const answer = await passwordSignIn(identity, username, 'Wr0ng!password');
      const elapsed = performance.now() - started;
      expect(outcome(answer)).toBe(INCORRECT);
      return elapsed;
    };
    await time('user@example.com');
    await time('warm-up@example.com');
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 15; i++) {
      known.push(await time('user@example.com'));
      unknown.push(await time(`nobody${i}@example.com`));
    }
    const median = (values: number[]) =>
      [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    // Same work, so the same distribution: medians within a factor of 2, ranges overlapping. Without the
    // stand-in hash check an unknown user answers in a fraction of the time (no overlap at all).
    expect(median(unknown)).toBeGreaterThan(median(known) / 2);
    expect(median(unknown)).toBeLessThan(median(known) * 2);
    expect(Math.min(...unknown)).toBeLessThan(Math.max(...known));
    expect(Math.min(...known)).toBeLessThan(Math.max(...unknown));
  });
});

describe('NODE_ENV=production', () => {
  let dataDir: string;
  let identity: TestIdentity | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'identity-production-'));
  });
  afterAll(async () => {
    await identity?.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates no demo users (their password is public) and serves no outbox', async () => {
    const config = loadConfig(
      { NODE_ENV: 'production', IDENTITY_DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      '/',
    );
    const { issuerBaseUrl: _published, ...options } = serverOptionsFrom(config);
    identity = await startTestIdentity(options);
    expect(outcome(await passwordSignIn(identity, 'admin@example.com', DEMO_PASSWORD))).toBe(INCORRECT);
    const users = await cognitoCall(identity.url, 'ListUsers', { UserPoolId: POOL_ID });
    expect(users.body.Users).toEqual([]);
    expect((await fetch(`${identity.url}/_local/outbox`)).status).toBe(404);

    // The same options outside production do create them.
    const development = serverOptionsFrom(loadConfig({ IDENTITY_DATA_DIR: dataDir }, '/'));
    expect(development).toMatchObject({ demoUsers: true, outbox: true });
  });
});
