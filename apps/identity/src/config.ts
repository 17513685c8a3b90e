import { isAbsolute, resolve } from 'node:path';
import { LOCAL_IDENTITY_PORT } from '@helpline/cognito-pool';
import { parseDomains } from '@helpline/cognito-triggers';
import { booleanFlag, httpUrl, oneOf, parseEnv, wholeNumber } from '@helpline/config';
import { z } from 'zod';
import { defaultPoolFile } from './pool/load-pool.js';

export { ConfigError } from '@helpline/config';

/** Settings from env, read and checked once at start-up (see README for each variable). */
export interface IdentityConfig {
  port: number;
  /** Interface to listen on; `localhost` listens on both 127.0.0.1 and ::1. */
  host: string;
  dataDir: string;
  poolFile: string;
  /** Scheme, host and port the issuer and the OAuth endpoints are published under. */
  issuerBaseUrl: string;
  logLevel: LogLevel;
  tokenTtl: TokenTtl;
  userServiceUrl: string;
  allowedEmailDomains: string[];
  production: boolean;
  /** Create the pool definition's demo users in an empty data dir: on by default outside production only. */
  demoUsers: boolean;
}

export interface TokenTtl {
  accessSeconds: number;
  idSeconds: number;
  refreshSeconds: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where the launcher, the services' local defaults and the triggers expect identity (infra/cognito). */
export const DEFAULT_PORT = LOCAL_IDENTITY_PORT;
export const DEFAULT_DATA_DIR = '.data/identity';
export const DEFAULT_USER_SERVICE_URL = 'http://localhost:3000';
export const DEFAULT_TOKEN_TTL: TokenTtl = {
  accessSeconds: 3600,
  idSeconds: 3600,
  refreshSeconds: 30 * 24 * 3600,
};

// The ranges Cognito accepts for an app client's token validity.
const ID_ACCESS_TTL_RANGE = [300, 86_400] as const;
const REFRESH_TTL_RANGE = [3600, 315_360_000] as const;

/** Where a service is published: scheme, host and port, no path (trailing slashes dropped). */
const origin = () =>
  httpUrl()
    .transform((value) => value.replace(/\/+$/, ''))
    .refine((value) => {
      const url = new URL(value);
      return url.pathname === '/' && !url.search && !url.hash;
    }, 'must be a scheme, host and port only');

const seconds = ([min, max]: readonly [number, number]) => wholeNumber({ min, max });

/** Throws one ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): IdentityConfig {
  return parseEnv(
    'identity',
    z
      .object({
        PORT: wholeNumber({ min: 0, max: 65_535 }).default(DEFAULT_PORT),
        HOST: z.string().default('localhost'),
        IDENTITY_DATA_DIR: z.string().default(DEFAULT_DATA_DIR),
        IDENTITY_POOL_FILE: z.string().optional(),
        IDENTITY_ISSUER_BASE_URL: origin().optional(),
        LOG_LEVEL: oneOf(LOG_LEVELS).default('info'),
        IDENTITY_ACCESS_TOKEN_TTL: seconds(ID_ACCESS_TTL_RANGE).default(DEFAULT_TOKEN_TTL.accessSeconds),
        IDENTITY_ID_TOKEN_TTL: seconds(ID_ACCESS_TTL_RANGE).default(DEFAULT_TOKEN_TTL.idSeconds),
        IDENTITY_REFRESH_TOKEN_TTL: seconds(REFRESH_TTL_RANGE).default(DEFAULT_TOKEN_TTL.refreshSeconds),
        USER_SERVICE_URL: origin().default(DEFAULT_USER_SERVICE_URL),
        ALLOWED_EMAIL_DOMAINS: z.string().optional().transform(parseDomains),
        NODE_ENV: z.string().optional(),
        IDENTITY_DEMO_USERS: booleanFlag().optional(),
      })
      .transform((v): IdentityConfig => ({
        port: v.PORT,
        host: v.HOST,
        dataDir: absolute(v.IDENTITY_DATA_DIR, cwd),
        poolFile: v.IDENTITY_POOL_FILE ? absolute(v.IDENTITY_POOL_FILE, cwd) : defaultPoolFile(),
        issuerBaseUrl: v.IDENTITY_ISSUER_BASE_URL ?? `http://localhost:${v.PORT}`,
        logLevel: v.LOG_LEVEL,
        tokenTtl: {
          accessSeconds: v.IDENTITY_ACCESS_TOKEN_TTL,
          idSeconds: v.IDENTITY_ID_TOKEN_TTL,
          refreshSeconds: v.IDENTITY_REFRESH_TOKEN_TTL,
        },
        userServiceUrl: v.USER_SERVICE_URL,
        allowedEmailDomains: v.ALLOWED_EMAIL_DOMAINS,
        production: v.NODE_ENV === 'production',
        demoUsers: v.IDENTITY_DEMO_USERS ?? v.NODE_ENV !== 'production',
      })),
    env,
  );
}

/**
 * What main builds identity with. In production (`NODE_ENV=production`) the local conveniences are off: no
 * outbox route, and no demo users — their password is in the repository — unless IDENTITY_DEMO_USERS=true
 * asks for them explicitly.
 */
export function serverOptionsFrom(config: IdentityConfig) {
  return {
    dataDir: config.dataDir,
    poolFile: config.poolFile,
    issuerBaseUrl: config.issuerBaseUrl,
    tokenTtl: config.tokenTtl,
    userServiceUrl: config.userServiceUrl,
    allowedEmailDomains: config.allowedEmailDomains,
    outbox: !config.production,
    demoUsers: config.demoUsers,
  };
}

function absolute(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}
