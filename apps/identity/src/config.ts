import { isAbsolute, resolve } from 'node:path';
import { parseDomains } from '@helpline/cognito-triggers';
import { defaultPoolFile } from './pool/load-pool.js';

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
}

export interface TokenTtl {
  accessSeconds: number;
  idSeconds: number;
  refreshSeconds: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_PORT = 9229;
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

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(`identity cannot start, its configuration is invalid:\n  ${problems.join('\n  ')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): IdentityConfig {
  const problems: string[] = [];

  const integer = (name: string, fallback: number, [min, max]: readonly [number, number]): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return value;
  };
  const httpUrl = (name: string, fallback: string): string => {
    const value = (env[name] || fallback).replace(/\/+$/, '');
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
      if (url.pathname !== '/' || url.search || url.hash) {
        problems.push(`${name} must be a scheme, host and port only, got ${JSON.stringify(value)}`);
      }
    } catch {
      problems.push(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
    }
    return value;
  };

  const port = integer('PORT', DEFAULT_PORT, [0, 65_535]);
  const logLevel = (env.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(env.LOG_LEVEL)}`);
  }
  const config: IdentityConfig = {
    port,
    host: env.HOST || 'localhost',
    dataDir: absolute(env.IDENTITY_DATA_DIR || DEFAULT_DATA_DIR, cwd),
    poolFile: env.IDENTITY_POOL_FILE ? absolute(env.IDENTITY_POOL_FILE, cwd) : defaultPoolFile(),
    issuerBaseUrl: httpUrl('IDENTITY_ISSUER_BASE_URL', `http://localhost:${port}`),
    logLevel: LOG_LEVELS.includes(logLevel) ? logLevel : 'info',
    tokenTtl: {
      accessSeconds: integer(
        'IDENTITY_ACCESS_TOKEN_TTL',
        DEFAULT_TOKEN_TTL.accessSeconds,
        ID_ACCESS_TTL_RANGE,
      ),
      idSeconds: integer('IDENTITY_ID_TOKEN_TTL', DEFAULT_TOKEN_TTL.idSeconds, ID_ACCESS_TTL_RANGE),
      refreshSeconds: integer(
        'IDENTITY_REFRESH_TOKEN_TTL',
        DEFAULT_TOKEN_TTL.refreshSeconds,
        REFRESH_TTL_RANGE,
      ),
    },
    userServiceUrl: httpUrl('USER_SERVICE_URL', DEFAULT_USER_SERVICE_URL),
    allowedEmailDomains: parseDomains(env.ALLOWED_EMAIL_DOMAINS),
    production: env.NODE_ENV === 'production',
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function absolute(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}
