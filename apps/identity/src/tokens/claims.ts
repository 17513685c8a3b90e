import type { UserRecord } from '../users/user.js';
import type { TokenChannel } from './refresh-token-store.js';

export type Claims = Record<string, unknown>;

export interface UserTokenContext {
  user: UserRecord;
  clientId: string;
  issuer: string;
  /** Epoch seconds. */
  now: number;
  authTime: number;
  originJti: string;
  /**
   * Cognito's claim sets differ by where tokens come from: the JSON API (InitiateAuth) adds `event_id`;
   * the OAuth endpoints add `version: 2` to access tokens instead.
   */
  channel: TokenChannel;
  eventId?: string;
  nonce?: string;
}

// Booleans in tokens, strings in the API and in trigger events.
const BOOLEAN_ATTRIBUTES = new Set(['email_verified', 'phone_number_verified']);

/** The ID token's claims before groups and trigger overrides: the user's attributes plus Cognito's own. */
export function idTokenClaims(context: UserTokenContext, lifetimeSeconds: number, jti: string): Claims {
  const { user } = context;
  const attributes: Claims = {};
  for (const [name, value] of Object.entries(user.attributes)) {
    if (name === 'sub') continue;
    attributes[name] = BOOLEAN_ATTRIBUTES.has(name) ? value === 'true' : value;
  }
  return {
    sub: user.sub,
    ...attributes,
    iss: context.issuer,
    'cognito:username': user.username,
    origin_jti: context.originJti,
    aud: context.clientId,
    ...(context.eventId ? { event_id: context.eventId } : {}),
    token_use: 'id',
    auth_time: context.authTime,
    ...(context.nonce ? { nonce: context.nonce } : {}),
    exp: context.now + lifetimeSeconds,
    iat: context.now,
    jti,
  };
}

/** A user's access token: no `aud` (Cognito's have none), `client_id`, `username`, `scope`. */
export function userAccessTokenClaims(
  context: UserTokenContext,
  lifetimeSeconds: number,
  jti: string,
): Claims {
  return {
    sub: context.user.sub,
    iss: context.issuer,
    ...(context.channel === 'oauth' ? { version: 2 } : {}),
    client_id: context.clientId,
    origin_jti: context.originJti,
    ...(context.eventId ? { event_id: context.eventId } : {}),
    token_use: 'access',
    auth_time: context.authTime,
    exp: context.now + lifetimeSeconds,
    iat: context.now,
    jti,
    username: context.user.username,
  };
}

/** A client-credentials access token: the client is the subject; no user, no groups, no `aud`. */
export function clientCredentialsClaims(
  clientId: string,
  issuer: string,
  now: number,
  lifetimeSeconds: number,
  jti: string,
): Claims {
  return {
    sub: clientId,
    token_use: 'access',
    auth_time: now,
    iss: issuer,
    exp: now + lifetimeSeconds,
    iat: now,
    version: 2,
    jti,
    client_id: clientId,
  };
}
