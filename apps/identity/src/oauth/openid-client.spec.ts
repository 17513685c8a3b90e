import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, postForm, startTestIdentity, type TestIdentity } from '../test-support/harness.js';

const SPA = 'helpline-spa';
const CALLBACK = 'http://localhost:5173/callback';
const SIGNED_OUT = 'http://localhost:5173/';

const unescapeHtml = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** openid-client (strict OIDC checks, PKCE) as a web front end uses it: sign in, userInfo, end the session. */
describe('openid-client against identity', () => {
  let identity: TestIdentity;
  let config: oidc.Configuration;

  beforeAll(async () => {
    identity = await startTestIdentity();
    config = await oidc.discovery(new URL(identity.issuer), SPA, undefined, oidc.None(), {
      execute: [oidc.allowInsecureRequests],
    });
  });
  afterAll(() => identity?.dispose());

  /** The authorization code flow with PKCE, the login form filled in as a browser would. */
  async function signIn(scope: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope,
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const page = await fetch(url);
    const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const fields = Object.fromEntries(
      [...(await page.text()).matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [
        unescapeHtml(m[1] ?? ''),
        unescapeHtml(m[2] ?? ''),
      ]),
    );
    const submitted = await postForm(
      `${identity.url}/login`,
      { ...fields, username: 'user@example.com', password: DEMO_PASSWORD },
      { cookie },
    );
    expect(submitted.status).toBe(302);
    return oidc.authorizationCodeGrant(config, new URL(submitted.headers.get('location') ?? ''), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
  }

  it('userInfo with the openid scope alone returns the attributes the client may read', async () => {
    const tokens = await signIn('openid');
    const sub = tokens.claims()?.sub ?? '';
    const info = await oidc.fetchUserInfo(config, tokens.access_token, sub);
    expect(info).toEqual({
      sub: 'a0000000-0000-4000-8000-000000000003',
      email: 'user@example.com',
      email_verified: 'true',
      name: 'Demo User',
      username: 'a0000000-0000-4000-8000-000000000003',
    });
  });

  it('buildEndSessionUrl (post_logout_redirect_uri + id_token_hint + state) signs out to the registered URL', async () => {
    const tokens = await signIn('openid email profile');
    const endSession = oidc.buildEndSessionUrl(config, {
      post_logout_redirect_uri: SIGNED_OUT,
      id_token_hint: tokens.id_token ?? '',
      state: 'after-logout',
    });
    expect(endSession.origin + endSession.pathname).toBe(`${identity.url}/logout`);
    const response = await fetch(endSession, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${SIGNED_OUT}?state=after-logout`);

    // Not a sign-out URL of the client, or a hint that is not identity's ID token: refused.
    const elsewhere = oidc.buildEndSessionUrl(config, {
      post_logout_redirect_uri: 'https://evil.example/',
      id_token_hint: tokens.id_token ?? '',
    });
    expect((await fetch(elsewhere, { redirect: 'manual' })).status).toBe(400);
    const forged = oidc.buildEndSessionUrl(config, {
      post_logout_redirect_uri: SIGNED_OUT,
      id_token_hint: tokens.access_token,
    });
    expect((await fetch(forged, { redirect: 'manual' })).status).toBe(400);
  });
});
