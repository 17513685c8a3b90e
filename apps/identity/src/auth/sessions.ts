import type { RefreshTokenRecord, RefreshTokenStore } from '../tokens/refresh-token-store.js';
import type { UserStore } from '../users/user-store.js';
import type { UserRecord } from '../users/user.js';

/** Why a refresh token cannot continue its session; the JSON API and the token endpoint each word it. */
export type SessionRefusal = 'unknown' | 'revoked' | 'expired' | 'user-gone' | 'user-disabled';

export type SessionResumption =
  { ok: true; session: RefreshTokenRecord; user: UserRecord } | { ok: false; reason: SessionRefusal };

/** Why a refresh token cannot be revoked by this client. */
export type RevocationRefusal = 'other-client';

/**
 * Sessions, as refresh tokens carry them: one rule for continuing one (REFRESH_TOKEN_AUTH and the
 * refresh_token grant) and one for ending one (RevokeToken and /oauth2/revoke).
 */
export class Sessions {
  constructor(
    private readonly refreshTokens: RefreshTokenStore,
    private readonly users: UserStore,
  ) {}

  /**
   * The session of a refresh token presented by `clientId`, checked in one order: a token of another client
   * is unknown to this one; then revoked, expired; then its user must still exist and be enabled.
   */
  resume(token: string, clientId: string): SessionResumption {
    const session = this.refreshTokens.find(token);
    if (!session || session.clientId !== clientId) return { ok: false, reason: 'unknown' };
    if (session.revokedAt !== null) return { ok: false, reason: 'revoked' };
    if (this.refreshTokens.isExpired(session)) return { ok: false, reason: 'expired' };
    const user = this.users.bySub(session.sub);
    if (!user) return { ok: false, reason: 'user-gone' };
    if (!user.enabled) return { ok: false, reason: 'user-disabled' };
    return { ok: true, session, user };
  }

  /**
   * Ends the session of a refresh token (and with it its access tokens). A token nobody issued is
   * answered as revoked (RFC 7009); one issued to another client is refused.
   */
  async revoke(
    token: string,
    clientId: string,
  ): Promise<{ ok: true; session?: RefreshTokenRecord } | { ok: false; reason: RevocationRefusal }> {
    const session = this.refreshTokens.find(token);
    if (!session) return { ok: true };
    if (session.clientId !== clientId) return { ok: false, reason: 'other-client' };
    await this.refreshTokens.revoke(session);
    return { ok: true, session };
  }

  /** GlobalSignOut: every session of the user, on every client, which also revokes their access tokens. */
  signOutEverywhere(user: UserRecord): Promise<number> {
    return this.refreshTokens.revokeAllOf(user.sub);
  }
}
