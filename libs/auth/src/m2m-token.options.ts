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

function read(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Reads COGNITO_TOKEN_URL, SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET and SERVICE_SCOPE, reporting every problem at once. */
export function readM2MTokenOptions(env: Record<string, string | undefined>): {
  value?: M2MTokenOptions;
  problems: string[];
} {
  const problems: string[] = [];
  const tokenUrl = read(env, 'COGNITO_TOKEN_URL');
  const clientId = read(env, 'SERVICE_CLIENT_ID');
  const clientSecret = env.SERVICE_CLIENT_SECRET ? env.SERVICE_CLIENT_SECRET : undefined;
  const scope = read(env, 'SERVICE_SCOPE');

  if (!tokenUrl)
    problems.push('COGNITO_TOKEN_URL is required (the token endpoint, e.g. https://<domain>/oauth2/token)');
  else if (!isHttpUrl(tokenUrl)) problems.push(`COGNITO_TOKEN_URL must be an http(s) URL, got "${tokenUrl}"`);
  if (!clientId) problems.push('SERVICE_CLIENT_ID is required (the app client used for client credentials)');
  if (!clientSecret) problems.push('SERVICE_CLIENT_SECRET is required (the secret of SERVICE_CLIENT_ID)');

  if (problems.length > 0) return { problems };
  return {
    value: {
      tokenUrl: tokenUrl as string,
      clientId: clientId as string,
      clientSecret: clientSecret as string,
      ...(scope ? { scope: scope.split(/\s+/).join(' ') } : {}),
    },
    problems,
  };
}

export function validateM2MTokenOptions(options: M2MTokenOptions): string[] {
  if (typeof options !== 'object' || options === null) return ['options are missing'];
  const problems: string[] = [];
  if (typeof options.tokenUrl !== 'string' || !isHttpUrl(options.tokenUrl)) {
    problems.push('tokenUrl must be an http(s) URL');
  }
  if (!options.clientId) problems.push('clientId is required');
  if (!options.clientSecret) problems.push('clientSecret is required');
  for (const name of ['timeoutMs', 'refreshMarginMs'] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      problems.push(`${name} must be a whole number of milliseconds ≥ 0`);
    }
  }
  return problems;
}
