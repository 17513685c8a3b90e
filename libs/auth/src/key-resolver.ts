import { Logger } from '@nestjs/common';
import type { JWTVerifyGetKey } from 'jose';
import { JwksKeySet } from './jwks-key-set.js';
import { JWT_AUTH_DEFAULTS, JwtAuthOptions } from './jwt-auth.options.js';

/**
 * The verification key for `options.mode`: the shared secret's bytes, or a resolver over the
 * issuer's JWKS (see JwksKeySet for how it is fetched, refreshed and kept through an outage).
 */
export function createVerificationKey(
  options: JwtAuthOptions,
  now: () => number,
): { key: Uint8Array | JWTVerifyGetKey; keySet?: JwksKeySet } {
  if (options.mode === 'secret') return { key: new TextEncoder().encode(options.secret) };

  const keySet = new JwksKeySet({
    url: new URL(options.jwksUri as string),
    cooldownMs: options.jwksCooldownMs ?? JWT_AUTH_DEFAULTS.jwksCooldownMs,
    maxAgeMs: options.jwksCacheMaxAgeMs ?? JWT_AUTH_DEFAULTS.jwksCacheMaxAgeMs,
    maxStalenessMs: options.jwksMaxStalenessMs ?? JWT_AUTH_DEFAULTS.jwksMaxStalenessMs,
    timeoutMs: options.jwksTimeoutMs ?? JWT_AUTH_DEFAULTS.jwksTimeoutMs,
    now,
    // Silence must be asked for: an identity-provider outage nobody hears about is the worse default.
    ...(options.logger === false ? {} : { logger: options.logger ?? new Logger('JwtVerification') }),
  });
  return { key: (header, token) => keySet.getKey(header, token), keySet };
}
