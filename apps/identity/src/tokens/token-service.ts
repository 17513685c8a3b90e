import { createHash, randomUUID } from 'node:crypto';
import type { PreTokenGenerationTriggerSource } from '@helpline/cognito-triggers';
import { SignJWT } from 'jose';
import { epochSeconds, type Clock } from '../clock.js';
import type { TokenTtl } from '../config.js';
import type { KeyStore, KeyUse } from '../keys/key-store.js';
import type { Logger } from '../logger.js';
import type { Pool } from '../pool/pool.js';
import type { TriggerRunner } from '../triggers/trigger-runner.js';
import type { UserRecord } from '../users/user.js';
import {
  clientCredentialsClaims,
  idTokenClaims,
  userAccessTokenClaims,
  type Claims,
  type UserTokenContext,
} from './claims.js';
import { applyOverrides, finalizeClaims, type TokenDraft } from './pre-token-overrides.js';
import type { RefreshTokenRecord, RefreshTokenStore, TokenChannel } from './refresh-token-store.js';

export interface UserTokens {
  idToken: string;
  accessToken: string;
  /** Only when a session starts: a refresh grant does not rotate the refresh token (Cognito's default). */
  refreshToken?: string;
  expiresIn: number;
}

export interface SessionStart {
  user: UserRecord;
  clientId: string;
  scopes: string[];
  channel: TokenChannel;
  triggerSource: PreTokenGenerationTriggerSource;
  nonce?: string;
}

export interface TokenServiceDependencies {
  keys: KeyStore;
  pool: Pool;
  refreshTokens: RefreshTokenStore;
  triggers: TriggerRunner;
  clock: Clock;
  ttl: TokenTtl;
  issuer: () => string;
  logger: Logger;
}

/** Issues ID, access and refresh tokens with Cognito's claim sets, running Pre token generation on the way. */
export class TokenService {
  constructor(private readonly deps: TokenServiceDependencies) {}

  /** A sign-in: a new session (`origin_jti`), its refresh token, and the first ID and access tokens. */
  async startSession(start: SessionStart): Promise<UserTokens> {
    const originJti = randomUUID();
    const authTime = epochSeconds(this.deps.clock);
    const refreshToken = await this.deps.refreshTokens.issue({
      username: start.user.username,
      sub: start.user.sub,
      clientId: start.clientId,
      scopes: start.scopes,
      authTime,
      originJti,
      channel: start.channel,
    });
    const tokens = await this.userTokens(start, originJti, authTime);
    return { ...tokens, refreshToken };
  }

  /** New ID and access tokens in an existing session. */
  refreshSession(session: RefreshTokenRecord, user: UserRecord): Promise<UserTokens> {
    const start: SessionStart = {
      user,
      clientId: session.clientId,
      scopes: session.scopes,
      channel: session.channel,
      triggerSource: 'TokenGeneration_RefreshTokens',
    };
    return this.userTokens(start, session.originJti, session.authTime);
  }

  async clientCredentials(
    clientId: string,
    scopes: string[],
  ): Promise<{ accessToken: string; expiresIn: number }> {
    const { ttl, clock, issuer } = this.deps;
    const access = clientCredentialsClaims(
      clientId,
      issuer(),
      epochSeconds(clock),
      ttl.accessSeconds,
      randomUUID(),
    );
    const overrides = await this.deps.triggers.preTokenGeneration({
      triggerSource: 'TokenGeneration_ClientCredentials',
      clientId,
      groups: [],
      scopes,
    });
    const draft = applyOverrides({ access, scopes, groups: [] }, overrides, this.ignored);
    const claims = finalizeClaims(draft);
    return { accessToken: await this.sign(claims.access, 'access'), expiresIn: ttl.accessSeconds };
  }

  private async userTokens(start: SessionStart, originJti: string, authTime: number): Promise<UserTokens> {
    const { ttl, clock, issuer, pool } = this.deps;
    const context: UserTokenContext = {
      user: start.user,
      clientId: start.clientId,
      issuer: issuer(),
      now: epochSeconds(clock),
      authTime,
      originJti,
      channel: start.channel,
      ...(start.channel === 'api' ? { eventId: randomUUID() } : {}),
      ...(start.nonce ? { nonce: start.nonce } : {}),
    };
    const groups = pool.sortGroups(start.user.groups);
    const draft: TokenDraft = {
      id: idTokenClaims(context, ttl.idSeconds, randomUUID()),
      access: userAccessTokenClaims(context, ttl.accessSeconds, randomUUID()),
      scopes: start.scopes,
      groups,
    };
    const overrides = await this.deps.triggers.preTokenGeneration({
      triggerSource: start.triggerSource,
      clientId: start.clientId,
      user: start.user,
      groups,
      scopes: start.scopes,
    });
    const claims = finalizeClaims(applyOverrides(draft, overrides, this.ignored));
    const accessToken = await this.sign(claims.access, 'access');
    const id = claims.id as Claims;
    // OIDC: an ID token issued with an access token by the OAuth endpoints carries the access token's hash.
    if (start.channel === 'oauth') id.at_hash = accessTokenHash(accessToken);
    return { idToken: await this.sign(id, 'id'), accessToken, expiresIn: ttl.accessSeconds };
  }

  private async sign(claims: Claims, use: KeyUse): Promise<string> {
    const { kid, key } = await this.deps.keys.signingKey(use);
    return new SignJWT(claims).setProtectedHeader({ kid, alg: 'RS256' }).sign(key);
  }

  private readonly ignored = (what: string): void => {
    this.deps.logger.warn({ trigger: 'PreTokenGeneration' }, `ignored: ${what}`);
  };
}

function accessTokenHash(accessToken: string): string {
  const digest = createHash('sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
