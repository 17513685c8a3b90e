import { Inject, Injectable } from '@nestjs/common';
import { errors, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import { JWT_AUTH_OPTIONS } from './auth.constants.js';
import { AUTH_ERROR_CODES, AuthError } from './auth-error.js';
// A type-only import: JwtAuthOptions is an interface, injected by token, so no runtime metadata is needed.
import type { JwtAuthOptions } from './jwt-auth.options.js';
import { JWT_AUTH_DEFAULTS, assertJwtAuthOptions } from './jwt-auth.options.js';
import type { JwksKeySet, KeySetStatus } from './jwks-key-set.js';
import { createVerificationKey } from './key-resolver.js';
import { Principal, toPrincipal } from './principal.js';
import { VerificationCache, VerificationCacheStats } from './verification-cache.js';

const { TOKEN_MISSING, TOKEN_EXPIRED, TOKEN_NOT_YET_VALID, TOKEN_INVALID } = AUTH_ERROR_CODES;

const SECRET_STATUS: KeySetStatus = Object.freeze({
  mode: 'secret',
  keys: 1,
  lastSuccessAt: null,
  lastFailureAt: null,
  lastErrorKind: null,
  consecutiveFailures: 0,
  usableUntil: null,
  stale: false,
  unusable: false,
});

/**
 * Verifies bearer tokens (Cognito JWKS or an HS256 secret) and maps them to a Principal.
 * Successful results are cached per token until its `exp`; failures never are.
 * Usable without Nest: `new JwtVerificationService(options)`.
 */
@Injectable()
export class JwtVerificationService {
  private readonly key: Uint8Array | JWTVerifyGetKey;
  private readonly keySet: JwksKeySet | undefined;
  private readonly cache: VerificationCache;
  private readonly now: () => number;

  constructor(@Inject(JWT_AUTH_OPTIONS) private readonly options: JwtAuthOptions) {
    assertJwtAuthOptions(options);
    // Read at each call, not captured, so a test's faked Date applies here too.
    this.now = options.now ?? (() => Date.now());
    const verification = createVerificationKey(options, this.now);
    this.key = verification.key;
    this.keySet = verification.keySet;
    this.cache = new VerificationCache(options.cacheMaxEntries, this.now);
  }

  /**
   * The principal of a token verified before and still cached, without a promise: the gateway's
   * fast path. Undefined means "not known": `verify` decides (it may still be valid).
   */
  verifyCached(token: string): Principal | undefined {
    if (typeof token !== 'string' || token.length === 0 || token.length > this.options.maxTokenLength) {
      return undefined;
    }
    return this.cache.get(VerificationCache.keyOf(token), false);
  }

  /** The caller's principal, or an AuthError (401 TOKEN_*, or 503 JWKS_UNAVAILABLE). */
  async verify(token: string): Promise<Principal> {
    if (typeof token !== 'string' || token.length === 0) {
      throw new AuthError(TOKEN_MISSING, 'A bearer token is required');
    }
    // Before hashing or parsing anything: a huge header must cost nothing.
    if (token.length > this.options.maxTokenLength) {
      throw new AuthError(TOKEN_INVALID, `Token is longer than ${this.options.maxTokenLength} bytes`);
    }
    const cacheKey = VerificationCache.keyOf(token);
    const cached = this.cache.get(cacheKey);
    if (cached) return cached;

    const payload = await this.verifySignatureAndTimes(token);
    const principal = this.checkClaims(payload);
    // Capped at the JWKS refresh age too, so a key withdrawn from the JWKS stops being trusted
    // through the cache within the same bound as everywhere else; and at the keys' staleness
    // bound, past which a JWKS outage refuses every token, cached or not.
    const maxAge = this.options.jwksCacheMaxAgeMs ?? JWT_AUTH_DEFAULTS.jwksCacheMaxAgeMs;
    this.cache.set(
      cacheKey,
      principal,
      Math.min((payload.exp as number) * 1000, this.now() + maxAge, this.keySet?.usableUntil() ?? Infinity),
    );
    return principal;
  }

  /**
   * The signing keys' health, as plain data for readiness checks and metrics: no URL, no token.
   * In secret mode the key is always there.
   */
  keySetStatus(): KeySetStatus {
    return this.keySet?.status() ?? { ...SECRET_STATUS };
  }

  /** Cache counters, for metrics and tests. */
  cacheStats(): VerificationCacheStats {
    return this.cache.stats();
  }

  clearCache(): void {
    this.cache.clear();
  }

  private async verifySignatureAndTimes(token: string): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.key as JWTVerifyGetKey, {
        algorithms: this.options.algorithms,
        ...(this.options.issuer !== undefined ? { issuer: this.options.issuer } : {}),
        clockTolerance: this.options.clockToleranceSeconds,
        currentDate: new Date(this.now()),
        // Without `exp` a token would be valid forever, and the cache would have no bound.
        requiredClaims: ['exp'],
      });
      return payload;
    } catch (error) {
      throw toAuthError(error);
    }
  }

  private checkClaims(payload: JWTPayload): Principal {
    const { tokenUse, audience } = this.options;
    const use = payload.token_use;
    if (tokenUse !== 'any' && !(tokenUse as unknown[]).includes(use)) {
      // The accepted values only: the token's own value is attacker-controlled and not echoed.
      throw new AuthError(
        TOKEN_INVALID,
        `Only ${(tokenUse as string[]).join(' or ')} tokens are accepted here`,
      );
    }
    if (audience.length > 0) {
      // Cognito access tokens have no `aud`: their client is `client_id`. ID tokens name it in `aud`.
      const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      const candidates =
        use === 'id' ? aud : use === 'access' ? [payload.client_id] : [...aud, payload.client_id];
      if (!candidates.some((client) => typeof client === 'string' && audience.includes(client))) {
        throw new AuthError(TOKEN_INVALID, 'Token was issued to a client that is not accepted here');
      }
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) {
      throw new AuthError(TOKEN_INVALID, 'Token has no subject ("sub")');
    }
    return toPrincipal(payload as JWTPayload & { sub: string }, this.options);
  }
}

/** jose's failures, mapped to our codes. Anything unrecognised is the token's fault: never a 500. */
function toAuthError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  const cause = { cause: error };
  if (error instanceof errors.JWTExpired) return new AuthError(TOKEN_EXPIRED, 'Token has expired', cause);
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf' && error.reason === 'check_failed') {
      return new AuthError(TOKEN_NOT_YET_VALID, 'Token is not valid yet ("nbf" is in the future)', cause);
    }
    if (error.claim === 'iss' && error.reason === 'check_failed') {
      return new AuthError(TOKEN_INVALID, 'Token issuer is not accepted here', cause);
    }
    return new AuthError(
      TOKEN_INVALID,
      `Token claim "${error.claim}" is ${error.reason.replace('_', ' ')}`,
      cause,
    );
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new AuthError(TOKEN_INVALID, 'Token signing algorithm is not accepted', cause);
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new AuthError(TOKEN_INVALID, 'Token signing key is not known', cause);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthError(TOKEN_INVALID, 'Token signature is invalid', cause);
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new AuthError(TOKEN_INVALID, 'Token is malformed', cause);
  }
  return new AuthError(TOKEN_INVALID, 'Token is invalid', cause);
}
