import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { ConsoleConfig } from '../config';

export const CALLBACK_PATH = '/callback';

/**
 * Authorization code + PKCE with oidc-client-ts, against whatever `config.oidc` names: the local
 * identity or Cognito's hosted UI. Tokens live in sessionStorage (this tab only, gone when it
 * closes); the access token is renewed with the refresh token a minute before it expires.
 */
export function createUserManager(config: ConsoleConfig): UserManager {
  const origin = window.location.origin;
  const { authority, clientId, scope, metadataUrl } = config.oidc;
  return new UserManager({
    authority,
    client_id: clientId,
    scope,
    response_type: 'code',
    redirect_uri: `${origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${origin}/`,
    ...(metadataUrl ? { metadataUrl: new URL(metadataUrl, origin).href } : {}),
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: true,
    accessTokenExpiringNotificationTimeInSeconds: 60,
    revokeTokenTypes: ['refresh_token'],
    // A revocation answers 200 with an empty body, which some providers label text/plain.
    revokeTokenAdditionalContentTypes: ['text/plain'],
    loadUserInfo: false,
    monitorSession: false,
    requestTimeoutInSeconds: 10,
  });
}

/** Cognito's sign-out: `/logout?client_id=…&logout_uri=…`, back to the start page. */
export function logoutUrl(config: ConsoleConfig): string {
  const url = new URL(config.oidc.logoutUrl);
  url.searchParams.set('client_id', config.oidc.clientId);
  url.searchParams.set('logout_uri', `${window.location.origin}/`);
  return url.href;
}
