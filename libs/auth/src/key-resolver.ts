import { createRemoteJWKSet, errors, JWTVerifyGetKey } from 'jose';
import { AUTH_ERROR_CODES, AuthError } from './auth-error.js';
import { JWT_AUTH_DEFAULTS, JwtAuthOptions } from './jwt-auth.options.js';

/** Failures that say something about the token (its `kid` or `alg`), not about the key server. */
const TOKEN_KEY_ERRORS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported];

/**
 * The verification key for `options.mode`: the shared secret's bytes, or a resolver over the
 * remote JWKS. jose's remote set caches the keys, refetches on an unknown `kid` at most once per
 * cooldown (the rate limit that stops a flood of made-up kids from hammering the issuer), and
 * shares one fetch between concurrent callers.
 */
export function createVerificationKey(options: JwtAuthOptions): Uint8Array | JWTVerifyGetKey {
  if (options.mode === 'secret') return new TextEncoder().encode(options.secret);

  const jwksUrl = new URL(options.jwksUri as string);
  const remote = createRemoteJWKSet(jwksUrl, {
    cooldownDuration: options.jwksCooldownMs ?? JWT_AUTH_DEFAULTS.jwksCooldownMs,
    cacheMaxAge: options.jwksCacheMaxAgeMs ?? JWT_AUTH_DEFAULTS.jwksCacheMaxAgeMs,
    timeoutDuration: options.jwksTimeoutMs ?? JWT_AUTH_DEFAULTS.jwksTimeoutMs,
  });
  return async (protectedHeader, token) => {
    try {
      return await remote(protectedHeader, token);
    } catch (error) {
      if (TOKEN_KEY_ERRORS.some((type) => error instanceof type)) throw error;
      // Network failure, timeout, non-200, or a malformed key set: the issuer's side is at fault.
      throw new AuthError(
        AUTH_ERROR_CODES.JWKS_UNAVAILABLE,
        `The token signing keys could not be fetched from ${jwksUrl.host}; try again shortly`,
        { cause: error },
      );
    }
  };
}
