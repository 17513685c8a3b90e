import type { Env } from './config.js';

/** The local Cognito-compatible identity service (apps/identity) and its pool. */
export const LOCAL_IDENTITY = {
  url: 'http://localhost:9229',
  poolId: 'ap-northeast-1_helplinelocal',
  issuer: 'http://localhost:9229/ap-northeast-1_helplinelocal',
  jwksUri: 'http://localhost:9229/ap-northeast-1_helplinelocal/.well-known/jwks.json',
  tokenUrl: 'http://localhost:9229/oauth2/token',
  /** Every client of the demo pool whose tokens the services accept. */
  clientIds: ['helpline-spa', 'helpline-api', 'order-service', 'user-provisioner'],
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
