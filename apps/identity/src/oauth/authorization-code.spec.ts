import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodePayload,
  DEMO_PASSWORD,
  postForm,
  startTestIdentity,
  type TestIdentity,
} from '../test-support/harness.js';
import { ManualClock } from '../test-support/manual-clock.js';

const SPA = 'helpline-spa';
const CALLBACK = 'http://localhost:5173/callback';

/** What a browser keeps between the authorize page and the login POST. */
interface LoginPage {
  status: number;
  html: string;
  cookie: string;
  fields: Record<string, string>;
}

const unescapeHtml = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('authorization code + PKCE, as a browser does it', () => {
  let identity: TestIdentity;

  beforeAll(async () => {
    identity = await startTestIdentity();
  });
  afterAll(() => identity?.dispose());

  async function openLoginPage(params: Record<string, string>): Promise<LoginPage> {
    const response = await fetch(`${identity.url}/oauth2/authorize?${new URLSearchParams(params)}`, {
      redirect: 'manual',
    });
    const html = await response.text();
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const fields: Record<string, string> = {};
    for (const match of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
      fields[unescapeHtml(match[1] ?? '')] = unescapeHtml(match[2] ?? '');
    }
    return { status: response.status, html, cookie, fields };
  }

  const submit = (page: LoginPage, username: string, password: string) =>
    postForm(`${identity.url}/login`, { ...page.fields, username, password }, { cookie: page.cookie });

  async function signIn(challenge: string, state = 'state-123') {
    const page = await openLoginPage({
      response_type: 'code',
      client_id: SPA,
      redirect_uri: CALLBACK,
      state,
      scope: 'openid email profile',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      nonce: 'n-0S6_WzA2Mj',
    });
    expect(page.status).toBe(200);
    const response = await submit(page, 'user@example.com', DEMO_PASSWORD);
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location') ?? '');
  }

  const exchange = (code: string, verifier: string) =>
    postForm(identity.tokenUrl, {
      grant_type: 'authorization_code',
      client_id: SPA,
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    });

  it('authorize → login form → callback with code and state → tokens', async () => {
    const { verifier, challenge } = pkce();
    const callback = await signIn(challenge);
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    expect(callback.searchParams.get('state')).toBe('state-123');
    const code = callback.searchParams.get('code') ?? '';
    expect(code).toMatch(/^[0-9a-f-]{36}$/);

    const response = await exchange(code, verifier);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, string | number>;
    expect(body).toEqual({
      id_token: expect.any(String),
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: 3600,
      token_type: 'Bearer',
    });
    const access = decodePayload(body.access_token as string);
    expect(access).toMatchObject({
      client_id: SPA,
      token_use: 'access',
      scope: 'openid email profile',
      version: 2,
      'cognito:groups': ['user'],
    });
    expect(access.aud).toBeUndefined();
    const id = decodePayload(body.id_token as string);
    expect(id).toMatchObject({
      aud: SPA,
      token_use: 'id',
      nonce: 'n-0S6_WzA2Mj',
      at_hash: expect.any(String),
      email: 'user@example.com',
    });

    // The same code a second time: refused, even with the right verifier.
    const reused = await exchange(code, verifier);
    expect([reused.status, await reused.json()]).toEqual([400, { error: 'invalid_grant' }]);
  });

  it('refuses a wrong code_verifier with invalid_grant, and the code is spent by the attempt', async () => {
    const { verifier, challenge } = pkce();
    const code = (await signIn(challenge)).searchParams.get('code') ?? '';
    const wrong = await exchange(code, pkce().verifier);
    expect([wrong.status, await wrong.json()]).toEqual([400, { error: 'invalid_grant' }]);
    const right = await exchange(code, verifier);
    expect([right.status, await right.json()]).toEqual([400, { error: 'invalid_grant' }]);
  });

  it('expires codes after 5 minutes', async () => {
    const clock = new ManualClock();
    const local = await startTestIdentity({ clock });
    try {
      const { verifier, challenge } = pkce();
      const code = local.context.authorizationCodes.issue({
        clientId: SPA,
        redirectUri: CALLBACK,
        sub: 'a0000000-0000-4000-8000-000000000003',
        scopes: ['openid'],
        codeChallenge: challenge,
      });
      clock.advance(5 * 60 * 1000);
      const response = await postForm(local.tokenUrl, {
        grant_type: 'authorization_code',
        client_id: SPA,
        code,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
      });
      expect([response.status, await response.json()]).toEqual([400, { error: 'invalid_grant' }]);
    } finally {
      await local.dispose();
    }
  });

  it('serves userInfo for the access token, refreshes, and revokes the session', async () => {
    const { verifier, challenge } = pkce();
    const code = (await signIn(challenge)).searchParams.get('code') ?? '';
    const tokens = (await (await exchange(code, verifier)).json()) as Record<string, string>;
    const userInfo = (token: string) =>
      fetch(`${identity.url}/oauth2/userInfo`, { headers: { authorization: `Bearer ${token}` } });

    const info = await userInfo(tokens.access_token ?? '');
    expect(info.status).toBe(200);
    expect(await info.json()).toEqual({
      sub: 'a0000000-0000-4000-8000-000000000003',
      email: 'user@example.com',
      email_verified: 'true',
      name: 'Demo User',
      username: 'a0000000-0000-4000-8000-000000000003',
    });

    const refreshed = await postForm(identity.tokenUrl, {
      grant_type: 'refresh_token',
      client_id: SPA,
      refresh_token: tokens.refresh_token ?? '',
    });
    expect(refreshed.status).toBe(200);
    const again = (await refreshed.json()) as Record<string, string>;
    expect(again.refresh_token).toBeUndefined();
    expect(decodePayload(again.access_token ?? '').origin_jti).toBe(
      decodePayload(tokens.access_token ?? '').origin_jti,
    );

    const revoke = await postForm(`${identity.url}/oauth2/revoke`, {
      token: tokens.refresh_token ?? '',
      client_id: SPA,
    });
    expect(revoke.status).toBe(200);
    const afterRevoke = await postForm(identity.tokenUrl, {
      grant_type: 'refresh_token',
      client_id: SPA,
      refresh_token: tokens.refresh_token ?? '',
    });
    expect([afterRevoke.status, await afterRevoke.json()]).toEqual([400, { error: 'invalid_grant' }]);
    const revokedInfo = await userInfo(again.access_token ?? '');
    expect(revokedInfo.status).toBe(401);
    expect(revokedInfo.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const accessRevoke = await postForm(`${identity.url}/oauth2/revoke`, {
      token: tokens.access_token ?? '',
      client_id: SPA,
    });
    expect([accessRevoke.status, await accessRevoke.json()]).toEqual([
      400,
      { error: 'unsupported_token_type' },
    ]);
  });

  it('shows the form again on a wrong password, escaping what it reflects', async () => {
    const hostile = '"><script>alert(1)</script>';
    const page = await openLoginPage({
      response_type: 'code',
      client_id: SPA,
      redirect_uri: CALLBACK,
      state: hostile,
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    });
    expect(page.html).not.toContain('<script>');
    expect(page.fields.state).toBe(hostile);
    const response = await submit(page, hostile, 'wrong');
    expect(response.status).toBe(401);
    const html = await response.text();
    expect(html).toContain('Incorrect username or password.');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
  });

  it('refuses a login POST without the CSRF cookie', async () => {
    const page = await openLoginPage({
      response_type: 'code',
      client_id: SPA,
      redirect_uri: CALLBACK,
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    });
    const response = await submit({ ...page, cookie: '' }, 'user@example.com', DEMO_PASSWORD);
    expect(response.status).toBe(403);
  });

  it('answers bad authorize requests: a page when it cannot redirect, else an error at the callback', async () => {
    const base = { response_type: 'code', client_id: SPA, redirect_uri: CALLBACK, state: 's1' };
    expect((await openLoginPage({ ...base, redirect_uri: 'https://evil.example/cb' })).status).toBe(400);
    expect((await openLoginPage({ ...base, client_id: 'nope' })).status).toBe(400);
    const redirectError = async (params: Record<string, string>) => {
      const response = await fetch(`${identity.url}/oauth2/authorize?${new URLSearchParams(params)}`, {
        redirect: 'manual',
      });
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get('location') ?? '');
      expect(location.searchParams.get('state')).toBe('s1');
      return location.searchParams.get('error');
    };
    expect(await redirectError(base)).toBe('invalid_request'); // a public client without PKCE
    expect(
      await redirectError({ ...base, code_challenge: pkce().challenge, code_challenge_method: 'plain' }),
    ).toBe('invalid_request');
    expect(
      await redirectError({
        ...base,
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
        scope: 'service/user.write',
      }),
    ).toBe('invalid_scope');
    expect(await redirectError({ ...base, response_type: 'token' })).toBe('unsupported_response_type');
  });

  it('logs out to a registered sign-out URL only', async () => {
    const ok = await fetch(
      `${identity.url}/logout?client_id=${SPA}&logout_uri=${encodeURIComponent('http://localhost:5173/')}`,
      {
        redirect: 'manual',
      },
    );
    expect([ok.status, ok.headers.get('location')]).toEqual([302, 'http://localhost:5173/']);
    const bad = await fetch(
      `${identity.url}/logout?client_id=${SPA}&logout_uri=${encodeURIComponent('https://evil.example/')}`,
      {
        redirect: 'manual',
      },
    );
    expect(bad.status).toBe(400);
  });
});
