import { LOCAL_POOL } from '@helpline/cognito-pool';
import type { Env } from '@helpline/config';

/** The local Cognito-compatible identity service (apps/identity) and its pool (infra/cognito/pool.json). */
export const LOCAL_IDENTITY = {
  url: LOCAL_POOL.url,
  poolId: LOCAL_POOL.poolId,
  issuer: LOCAL_POOL.issuer,
  jwksUri: LOCAL_POOL.jwksUri,
  tokenUrl: LOCAL_POOL.tokenUrl,
  /** Every client of the demo pool whose tokens the services accept. */
  clientIds: LOCAL_POOL.clientIds,
} as const;

/**
 * Outside production, a service started with no JWT settings trusts the local identity service,
 * so `node dist/main.js` works on a laptop as is. In production nothing is assumed: a missing
 * JWT_* variable stops start-up.
 */
export function withLocalIdentityDefaults(env: Env): Env {
  if (env.NODE_ENV === 'production' || env.JWT_JWKS_URI || env.JWT_SECRET) return env;
  return {
    ...env,
    JWT_JWKS_URI: LOCAL_IDENTITY.jwksUri,
    JWT_ISSUER: env.JWT_ISSUER ?? LOCAL_IDENTITY.issuer,
    JWT_AUDIENCE: env.JWT_AUDIENCE ?? LOCAL_IDENTITY.clientIds.join(','),
  };
}
