import type { webcrypto } from 'node:crypto';
import { errors, jwtVerify, type JWTHeaderParameters, type JWTPayload } from 'jose';
import type { Clock } from '../clock.js';
import type { KeyStore } from '../keys/key-store.js';
import type { UserStore } from '../users/user-store.js';
import type { UserRecord } from '../users/user.js';
import type { RefreshTokenStore } from './refresh-token-store.js';

export type AccessTokenProblem = 'invalid' | 'expired' | 'revoked';

export type AccessTokenCheck =
  | { ok: true; claims: JWTPayload & { scope?: string; origin_jti?: string }; user: UserRecord }
  | { ok: false; problem: AccessTokenProblem };

/**
 * Checks a user's access token for identity's own endpoints (userInfo, GlobalSignOut): signature, issuer,
 * expiry, `token_use`, and — what a JWT verifier elsewhere cannot know — whether its session was revoked.
 */
export class AccessTokenVerifier {
  constructor(
    private readonly keys: KeyStore,
    private readonly users: UserStore,
    private readonly refreshTokens: RefreshTokenStore,
    private readonly clock: Clock,
    private readonly issuer: () => string,
  ) {}

  async verify(token: string): Promise<AccessTokenCheck> {
    let payload: JWTPayload;
    try {
      const result = await jwtVerify(token, (header: JWTHeaderParameters) => this.key(header), {
        issuer: this.issuer(),
        algorithms: ['RS256'],
        currentDate: new Date(this.clock.now()),
      });
      payload = result.payload;
    } catch (error) {
      return { ok: false, problem: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
    }
    if (
      payload.token_use !== 'access' ||
      typeof payload.username !== 'string' ||
      typeof payload.sub !== 'string'
    ) {
      return { ok: false, problem: 'invalid' };
    }
    const originJti = typeof payload.origin_jti === 'string' ? payload.origin_jti : undefined;
    if (originJti && this.refreshTokens.isSessionRevoked(originJti)) return { ok: false, problem: 'revoked' };
    const user = this.users.bySub(payload.sub);
    if (!user || !user.enabled) return { ok: false, problem: 'revoked' };
    return { ok: true, claims: payload, user };
  }

  private async key(header: JWTHeaderParameters): Promise<webcrypto.CryptoKey> {
    const key = header.kid ? await this.keys.verificationKey(header.kid, 'access') : undefined;
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  }
}
