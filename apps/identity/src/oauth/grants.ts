import type { SessionRefusal } from '../auth/sessions.js';
import type { IdentityContext } from '../context.js';
import { OAuthError } from '../errors/oauth-error.js';
import type { AppClient } from '../pool/pool-definition.js';
import type { UserTokens } from '../tokens/token-service.js';
import { field, type FormBody } from './client-auth.js';
import { verifiesChallenge } from './pkce.js';
import { grantedScopes } from './scopes.js';

export type TokenResponse = Record<string, string | number>;

const bearer = (tokens: UserTokens, withIdToken: boolean): TokenResponse => ({
  ...(withIdToken ? { id_token: tokens.idToken } : {}),
  access_token: tokens.accessToken,
  ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}),
  expires_in: tokens.expiresIn,
  token_type: 'Bearer',
});

const required = (body: FormBody, name: string): string => {
  const value = field(body, name);
  if (!value) throw new OAuthError('invalid_request', `${name} is required`);
  return value;
};

/** authorization_code (+ PKCE): the code is used up by the first attempt, right or wrong. */
export async function authorizationCodeGrant(context: IdentityContext, client: AppClient, body: FormBody) {
  if (!client.allowedOAuthFlows.includes('code')) {
    throw new OAuthError('unauthorized_client', `client ${client.clientId} may not use the code flow`);
  }
  const code = required(body, 'code');
  const redirectUri = required(body, 'redirect_uri');
  const grant = context.authorizationCodes.redeem(code);
  if (!grant) throw new OAuthError('invalid_grant', 'unknown, used or expired code');
  if (grant.clientId !== client.clientId)
    throw new OAuthError('invalid_grant', 'code issued to another client');
  if (grant.redirectUri !== redirectUri)
    throw new OAuthError('invalid_grant', 'redirect_uri differs from the authorize request');
  if (grant.codeChallenge) {
    const verifier = field(body, 'code_verifier');
    if (!verifier || !verifiesChallenge(verifier, grant.codeChallenge)) {
      throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge');
    }
  }
  const user = context.users.bySub(grant.sub);
  if (!user || !user.enabled)
    throw new OAuthError('invalid_grant', 'the user no longer exists or is disabled');
  const tokens = await context.tokens.startSession({
    user,
    clientId: client.clientId,
    scopes: grant.scopes,
    channel: 'oauth',
    triggerSource: 'TokenGeneration_HostedAuth',
    ...(grant.nonce ? { nonce: grant.nonce } : {}),
  });
  // Without openid there is no OIDC, so no ID token (Cognito's rule).
  return bearer(tokens, grant.scopes.includes('openid'));
}

/** Why the token endpoint refuses a refresh token: every reason is `invalid_grant`, the log says which. */
const REFRESH_REFUSALS: Record<SessionRefusal, string> = {
  unknown: 'unknown refresh token',
  revoked: 'refresh token revoked',
  expired: 'refresh token expired',
  'user-gone': 'the user no longer exists',
  'user-disabled': 'the user is disabled',
};

/** refresh_token: new ID and access tokens in the same session; the refresh token itself is not rotated. */
export async function refreshTokenGrant(context: IdentityContext, client: AppClient, body: FormBody) {
  const resumed = context.sessions.resume(required(body, 'refresh_token'), client.clientId);
  if (!resumed.ok) throw new OAuthError('invalid_grant', REFRESH_REFUSALS[resumed.reason]);
  const { session, user } = resumed;
  const tokens = await context.tokens.refreshSession(session, user);
  return bearer(tokens, session.channel === 'api' || session.scopes.includes('openid'));
}

/** client_credentials: a token for the client itself, with resource-server scopes it is allowed. */
export async function clientCredentialsGrant(context: IdentityContext, client: AppClient, body: FormBody) {
  if (!client.allowedOAuthFlows.includes('client_credentials')) {
    throw new OAuthError('unauthorized_client', `client ${client.clientId} may not use client_credentials`);
  }
  const scopes = grantedScopes(client, field(body, 'scope'));
  const { accessToken, expiresIn } = await context.tokens.clientCredentials(client.clientId, scopes);
  return { access_token: accessToken, expires_in: expiresIn, token_type: 'Bearer' };
}
