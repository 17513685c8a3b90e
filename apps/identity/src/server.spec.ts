import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { secretHash } from './cognito-api/client-checks.js';
import { createLogger } from './logger.js';
import {
  basicAuth,
  cognitoCall,
  confirmationCode,
  DEMO_PASSWORD,
  outboxCode,
  postForm,
  startTestIdentity,
  type TestIdentity,
} from './test-support/harness.js';

describe('identity server', () => {
  let identity: TestIdentity | undefined;
  afterEach(async () => {
    await identity?.dispose();
    identity = undefined;
  });

  it('answers the readiness checks the launcher polls', async () => {
    identity = await startTestIdentity();
    for (const path of ['/health/live', '/health/ready']) {
      const response = await fetch(`${identity.url}${path}`);
      expect([response.status, await response.json()]).toEqual([200, { status: 'ok' }]);
    }
  });

  it('carries the correlation id: accepted when plain, generated otherwise, logged and returned', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    identity = await startTestIdentity({ logger: createLogger('info', sink) });
    const kept = await fetch(`${identity.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'x-correlation-id': 'corr-identity-1', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(kept.headers.get('x-correlation-id')).toBe('corr-identity-1');
    expect(lines.some((l) => l.includes('"correlationId":"corr-identity-1"'))).toBe(true);
    const replaced = await fetch(`${identity.url}/health/live`, {
      headers: { 'x-correlation-id': 'bad id"}' },
    });
    expect(replaced.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('does not serve the outbox when turned off (NODE_ENV=production)', async () => {
    identity = await startTestIdentity({ outbox: false });
    expect((await fetch(`${identity.url}/_local/outbox?username=user@example.com`)).status).toBe(404);
  });

  it('logs sign-up codes but never passwords, secrets or tokens', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    identity = await startTestIdentity({ logger: createLogger('debug', sink) });
    const email = 'logged@example.com';
    const hash = (name: string) => secretHash('helpline-api-secret', name, 'helpline-api');
    await cognitoCall(identity.url, 'SignUp', {
      ClientId: 'helpline-api',
      SecretHash: hash(email),
      Username: email,
      Password: 'Str0ng!pass',
    });
    const code = await confirmationCode(identity.url, email);
    const signIn = await cognitoCall(identity.url, 'InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: 'helpline-api',
      AuthParameters: {
        USERNAME: 'user@example.com',
        PASSWORD: DEMO_PASSWORD,
        SECRET_HASH: hash('user@example.com'),
      },
    });
    const tokens = signIn.body.AuthenticationResult as { AccessToken: string; RefreshToken: string };
    const m2m = await postForm(
      identity.tokenUrl,
      { grant_type: 'client_credentials' },
      {
        authorization: basicAuth('order-service', 'order-service-secret'),
      },
    );
    const { access_token } = (await m2m.json()) as { access_token: string };

    // Passwords set later (a change, a reset, SRP's proof) stay out of the log too.
    const changed = await cognitoCall(identity.url, 'ChangePassword', {
      AccessToken: tokens.AccessToken,
      PreviousPassword: DEMO_PASSWORD,
      ProposedPassword: 'Ch4nged!secret',
    });
    expect(changed.status).toBe(200);
    await cognitoCall(identity.url, 'ForgotPassword', {
      ClientId: 'helpline-api',
      SecretHash: hash('user@example.com'),
      Username: 'user@example.com',
    });
    const resetCode = await outboxCode(identity.url, 'user@example.com', 'PASSWORD_RESET');
    const reset = await cognitoCall(identity.url, 'ConfirmForgotPassword', {
      ClientId: 'helpline-api',
      SecretHash: hash('user@example.com'),
      Username: 'user@example.com',
      ConfirmationCode: resetCode,
      Password: 'R3set!secret',
    });
    expect(reset.status).toBe(200);

    const log = lines.join('');
    expect(log).toContain(`"confirmationCode":"${code}"`);
    expect(log).toContain(`"confirmationCode":"${resetCode}"`);
    for (const secret of [
      'Str0ng!pass',
      'Ch4nged!secret',
      'R3set!secret',
      DEMO_PASSWORD,
      'order-service-secret',
      tokens.AccessToken,
      tokens.RefreshToken,
      access_token,
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});
