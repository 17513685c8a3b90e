import type { AppClient } from '../pool/pool-definition.js';
import type { Pool } from '../pool/pool.js';
import { isCodeChallenge } from './pkce.js';

/** The parameters of `/oauth2/authorize` this provider reads (and carries through the login form). */
export const AUTHORIZE_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'scope',
  'code_challenge',
  'code_challenge_method',
  'nonce',
] as const;

export interface AuthorizeRequest {
  client: AppClient;
  redirectUri: string;
  scopes: string[];
  state?: string;
  codeChallenge?: string;
  nonce?: string;
  params: Record<string, string>;
}

export type AuthorizeCheck =
  | { ok: true; request: AuthorizeRequest }
  /** Client or redirect URI unknown: nowhere safe to send the error, so it is shown as a page. */
  | { ok: false; page: string }
  /** Anything else goes back to the client's redirect URI, as Cognito does. */
  | { ok: false; redirect: string };

export function checkAuthorizeRequest(input: Record<string, unknown>, pool: Pool): AuthorizeCheck {
  const params: Record<string, string> = {};
  for (const name of AUTHORIZE_PARAMS) {
    const value = input[name];
    if (typeof value === 'string' && value !== '') params[name] = value;
  }
  const client = pool.client(params.client_id);
  if (!client)
    return { ok: false, page: 'The client_id is missing or names no app client of this user pool.' };
  const redirectUri = params.redirect_uri;
  if (!redirectUri || !client.callbackUrls.includes(redirectUri)) {
    return {
      ok: false,
      page: 'redirect_mismatch: redirect_uri is missing or is not a callback URL of this app client.',
    };
  }
  const fail = (error: string, description: string) => ({
    ok: false as const,
    redirect: errorRedirect(redirectUri, error, description, params.state),
  });

  if (params.response_type !== 'code') return fail('unsupported_response_type', 'response_type must be code');
  if (!client.allowedOAuthFlows.includes('code'))
    return fail('unauthorized_client', 'the code flow is not allowed for this client');
  const asked = (params.scope ?? '').split(/\s+/).filter((s) => s.length > 0);
  if (asked.some((scope) => !client.allowedOAuthScopes.includes(scope)))
    return fail('invalid_scope', 'a requested scope is not allowed');
  const scopes = asked.length > 0 ? [...new Set(asked)] : [...client.allowedOAuthScopes];
  const challenge = params.code_challenge;
  if (challenge !== undefined) {
    if (params.code_challenge_method !== 'S256')
      return fail('invalid_request', 'code_challenge_method must be S256');
    if (!isCodeChallenge(challenge))
      return fail('invalid_request', 'code_challenge is not a base64url SHA-256');
  } else if (!client.clientSecret) {
    // A public client cannot keep a secret, so PKCE is what binds the code to it (stricter than Cognito).
    return fail('invalid_request', 'a public client must send a PKCE code_challenge (S256)');
  }
  return {
    ok: true,
    request: {
      client,
      redirectUri,
      scopes,
      params,
      ...(params.state !== undefined ? { state: params.state } : {}),
      ...(challenge !== undefined ? { codeChallenge: challenge } : {}),
      ...(params.nonce !== undefined ? { nonce: params.nonce } : {}),
    },
  };
}

export function errorRedirect(
  redirectUri: string,
  error: string,
  description: string,
  state?: string,
): string {
  const url = new URL(redirectUri);
  url.searchParams.set('error', error);
  url.searchParams.set('error_description', description);
  if (state !== undefined) url.searchParams.set('state', state);
  return url.toString();
}
