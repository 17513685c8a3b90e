import { LOCAL_POOL } from '@helpline/cognito-pool';
import { booleanFlag, type Env, httpUrl, oneOf, parseEnv, wholeNumber } from '@helpline/config';
import { z } from 'zod';
import { BRIDGE_DISCOVERY_PATH } from './identity-bridge.js';

/** The SPA client of the pool (infra/cognito/pool.json) and where the console listens locally. */
export const DEFAULT_PORT = 5173;
export const DEFAULT_CLIENT_ID = 'helpline-spa';
const DEFAULT_API_URL = 'http://localhost:8080';
const DEFAULT_SCOPE = 'openid email profile';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * What the browser app is told at start-up (`GET /config.json`): the same build runs against the
 * local identity or Cognito, on any address, by these values alone.
 */
export interface ConsoleConfig {
  /** The API gateway, as the browser reaches it. */
  apiUrl: string;
  oidc: {
    /** The issuer: identity's `http://localhost:9229/<pool id>`, or `https://cognito-idp.<region>.amazonaws.com/<pool id>`. */
    authority: string;
    clientId: string;
    scope: string;
    /** Cognito's `/logout` of the pool's domain (Cognito's discovery document names none). */
    logoutUrl: string;
    /** Set when the console relays the identity provider's endpoints (see identity-bridge.ts). */
    metadataUrl?: string;
  };
}

export interface WebConfig {
  port: number;
  host: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** The built app (index.html and assets/). */
  appDir: string;
  console: ConsoleConfig;
  /** Relay the provider's discovery, token and revocation endpoints through this server. */
  identityBridge: boolean;
}

/** Reads and checks the environment once; throws one ConfigError naming every problem. */
export function readWebConfig(env: Env, appDir: string): WebConfig {
  const production = env.NODE_ENV === 'production';
  // Outside production the local identity is the default; in production every value must be given.
  const local = <T extends z.ZodType>(schema: T, value: string) =>
    production ? schema : schema.default(value as never);
  return parseEnv(
    'web',
    z
      .object({
        PORT: wholeNumber({ min: 0, max: 65_535 }).default(DEFAULT_PORT),
        HOST: z.string().default('localhost'),
        LOG_LEVEL: oneOf(LOG_LEVELS).default('info'),
        WEB_API_URL: local(
          httpUrl({ required: 'required (the API gateway, e.g. https://api.example.com)' }),
          DEFAULT_API_URL,
        ),
        WEB_OIDC_AUTHORITY: local(
          httpUrl({
            required: 'required (the issuer, e.g. https://cognito-idp.<region>.amazonaws.com/<pool id>)',
          }),
          LOCAL_POOL.issuer,
        ),
        WEB_OIDC_CLIENT_ID: z.string().trim().min(1).default(DEFAULT_CLIENT_ID),
        WEB_OIDC_SCOPE: z.string().trim().min(1).default(DEFAULT_SCOPE),
        WEB_OIDC_LOGOUT_URL: local(
          httpUrl({ required: 'required (the hosted UI sign-out, e.g. https://<domain>/logout)' }),
          `${LOCAL_POOL.url}/logout`,
        ),
        WEB_IDENTITY_BRIDGE: booleanFlag().default(!production),
      })
      .transform((v): WebConfig => ({
        port: v.PORT,
        host: v.HOST,
        logLevel: v.LOG_LEVEL,
        appDir,
        console: {
          apiUrl: trimSlash(v.WEB_API_URL),
          oidc: {
            authority: trimSlash(v.WEB_OIDC_AUTHORITY),
            clientId: v.WEB_OIDC_CLIENT_ID,
            scope: v.WEB_OIDC_SCOPE,
            logoutUrl: v.WEB_OIDC_LOGOUT_URL,
            ...(v.WEB_IDENTITY_BRIDGE ? { metadataUrl: BRIDGE_DISCOVERY_PATH } : {}),
          },
        },
        identityBridge: v.WEB_IDENTITY_BRIDGE,
      })),
    env,
  );
}

/**
 * The page's Content-Security-Policy: scripts and styles from this origin only, and calls to this
 * origin, the gateway, the issuer (discovery) and the hosted UI's domain (token, revocation).
 */
export function contentSecurityPolicy(config: ConsoleConfig): string {
  const origins = [config.apiUrl, config.oidc.authority, config.oidc.logoutUrl].map(
    (url) => new URL(url).origin,
  );
  return [
    "default-src 'self'",
    `connect-src 'self' ${[...new Set(origins)].join(' ')}`,
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
