import { LOCAL_POOL } from '@helpline/cognito-pool';
import { httpUrl, milliseconds, parseEnv } from '@helpline/config';
import * as z from 'zod';

/** The triggers' settings, from env in Lambda (names as the seed's M2M section) or given by identity locally. */
export interface TriggerConfig {
  /** Lower-case domains a new user's email may have; empty admits every domain. */
  allowedEmailDomains: string[];
  /** Where Post confirmation creates the user. */
  userServiceUrl: string;
  /** The user pool's OAuth token endpoint, for the client-credentials token of `clientId`. */
  tokenUrl: string;
  clientId: string;
  /** Only Post confirmation needs it, so its absence fails that trigger alone, when it runs. */
  clientSecret: string | undefined;
  scope: string;
  /** Bound on each call to user-service. */
  timeoutMs: number;
}

// The local defaults: user-service's port, and the local pool's token URL and provisioner client
// (infra/cognito/pool.json, inlined by a bundler: the Lambda reads no file).
export const DEFAULT_USER_SERVICE_URL = 'http://localhost:3000';
export const DEFAULT_TOKEN_URL = LOCAL_POOL.tokenUrl;
export const DEFAULT_PROVISIONER_CLIENT_ID = LOCAL_POOL.provisioner.clientId;
export const DEFAULT_PROVISIONER_SCOPE = LOCAL_POOL.provisioner.scope;
export const DEFAULT_TIMEOUT_MS = 5_000;

const triggerEnv = z
  .object({
    ALLOWED_EMAIL_DOMAINS: z.string().optional().transform(parseDomains),
    USER_SERVICE_URL: httpUrl().default(DEFAULT_USER_SERVICE_URL),
    COGNITO_TOKEN_URL: httpUrl().default(DEFAULT_TOKEN_URL),
    SERVICE_CLIENT_ID: z.string().trim().default(DEFAULT_PROVISIONER_CLIENT_ID),
    SERVICE_CLIENT_SECRET: z.string().optional(),
    SERVICE_SCOPE: z.string().trim().default(DEFAULT_PROVISIONER_SCOPE),
    USER_SERVICE_TIMEOUT_MS: milliseconds().default(DEFAULT_TIMEOUT_MS),
  })
  .transform((v): TriggerConfig => ({
    allowedEmailDomains: v.ALLOWED_EMAIL_DOMAINS,
    userServiceUrl: v.USER_SERVICE_URL,
    tokenUrl: v.COGNITO_TOKEN_URL,
    clientId: v.SERVICE_CLIENT_ID,
    clientSecret: v.SERVICE_CLIENT_SECRET,
    scope: v.SERVICE_SCOPE,
    timeoutMs: v.USER_SERVICE_TIMEOUT_MS,
  }));

/**
 * Reads ALLOWED_EMAIL_DOMAINS, USER_SERVICE_URL, COGNITO_TOKEN_URL, SERVICE_CLIENT_ID/SECRET/SCOPE
 * and USER_SERVICE_TIMEOUT_MS; throws one ConfigError (CONFIG_INVALID) naming every bad variable.
 */
export function readTriggerConfig(env: NodeJS.ProcessEnv = process.env): TriggerConfig {
  return parseEnv('cognito triggers', triggerEnv, env, { conceal: ['SERVICE_CLIENT_SECRET'] });
}

/** `"example.com, Example.org"` → `['example.com', 'example.org']`. */
export function parseDomains(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((domain) => domain.trim().toLowerCase().replace(/^@/, ''))
    .filter((domain) => domain.length > 0);
}
