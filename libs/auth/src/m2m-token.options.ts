import { checkObject, ConfigError, type ConfigPart, fromEnv, httpUrl, readEnv } from '@helpline/config';
import * as z from 'zod';
import { clock, optionalMilliseconds } from './option-schemas.js';

/** Client-credentials settings of one service (seed §4.3). */
export interface M2MTokenOptions {
  /** COGNITO_TOKEN_URL: the pool domain's `/oauth2/token`. */
  tokenUrl: string;
  /** SERVICE_CLIENT_ID */
  clientId: string;
  /** SERVICE_CLIENT_SECRET: sent only as HTTP Basic credentials, never logged or put in an error. */
  clientSecret: string;
  /** SERVICE_SCOPE: space-separated; omitted = every scope the app client is allowed. */
  scope?: string;
  /** Timeout of one token request. Default 5000 ms. */
  timeoutMs?: number;
  /** Fetch a new token this long before the cached one expires. Default 60 000 ms (seed §4.2). */
  refreshMarginMs?: number;
  /** The clock, in epoch milliseconds; tests inject one. Default `Date.now`. */
  now?: () => number;
}

export const M2M_TOKEN_DEFAULTS = { timeoutMs: 5_000, refreshMarginMs: 60_000 } as const;

const CLIENT_ID_REQUIRED = 'required (the app client used for client credentials)';
const CLIENT_SECRET_REQUIRED = 'required (the secret of that app client)';

/** Every rule of M2MTokenOptions, for options built in code and for those read from the environment. */
const m2mTokenOptionsSchema = z.object(
  {
    tokenUrl: httpUrl({ required: 'required (the token endpoint, e.g. https://<domain>/oauth2/token)' }),
    clientId: z.string({ error: CLIENT_ID_REQUIRED }).min(1, CLIENT_ID_REQUIRED),
    clientSecret: z.string({ error: CLIENT_SECRET_REQUIRED }).min(1, CLIENT_SECRET_REQUIRED),
    scope: z.string().optional(),
    timeoutMs: optionalMilliseconds(),
    refreshMarginMs: optionalMilliseconds(),
    now: clock().optional(),
  },
  { error: (issue) => (issue.input == null ? 'options are missing' : undefined) },
);

const m2mTokenEnvSchema = fromEnv(m2mTokenOptionsSchema, {
  variables: {
    tokenUrl: 'COGNITO_TOKEN_URL',
    clientId: 'SERVICE_CLIENT_ID',
    clientSecret: 'SERVICE_CLIENT_SECRET',
    scope: 'SERVICE_SCOPE',
  },
  read: (env) => ({
    tokenUrl: env.COGNITO_TOKEN_URL,
    clientId: env.SERVICE_CLIENT_ID?.trim(),
    clientSecret: env.SERVICE_CLIENT_SECRET,
    scope: env.SERVICE_SCOPE?.trim().split(/\s+/).join(' '),
  }),
});

/** Reads COGNITO_TOKEN_URL, SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET and SERVICE_SCOPE, reporting every problem at once. */
export function readM2MTokenOptions(env: Record<string, string | undefined>): {
  value?: M2MTokenOptions;
  problems: string[];
} {
  return readEnv(m2mTokenEnvSchema, env, {
    conceal: ['SERVICE_CLIENT_SECRET'],
  }) as ConfigPart<M2MTokenOptions>;
}

export function validateM2MTokenOptions(options: M2MTokenOptions): string[] {
  return checkObject(m2mTokenOptionsSchema, options);
}

/** Throws one ConfigError naming every problem; used where options enter the module or service. */
export function assertM2MTokenOptions(options: M2MTokenOptions): void {
  const problems = validateM2MTokenOptions(options);
  if (problems.length > 0) throw new ConfigError('M2M token options', problems);
}
