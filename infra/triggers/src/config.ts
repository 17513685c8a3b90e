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

export const DEFAULT_USER_SERVICE_URL = 'http://localhost:3000';
export const DEFAULT_TOKEN_URL = 'http://localhost:9229/oauth2/token';
export const DEFAULT_PROVISIONER_CLIENT_ID = 'user-provisioner';
export const DEFAULT_PROVISIONER_SCOPE = 'service/user.write';
export const DEFAULT_TIMEOUT_MS = 5_000;

export class TriggerConfigError extends Error {
  readonly code = 'TRIGGER_CONFIG_INVALID';
}

/** Reads ALLOWED_EMAIL_DOMAINS, USER_SERVICE_URL, COGNITO_TOKEN_URL, SERVICE_CLIENT_ID/SECRET/SCOPE. */
export function readTriggerConfig(env: NodeJS.ProcessEnv = process.env): TriggerConfig {
  const problems: string[] = [];
  const url = (name: string, fallback: string): string => {
    const value = env[name] || fallback;
    if (!isHttpUrl(value)) problems.push(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
    return value;
  };
  const timeoutMs = Number(env.USER_SERVICE_TIMEOUT_MS || DEFAULT_TIMEOUT_MS);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    problems.push(
      `USER_SERVICE_TIMEOUT_MS must be a positive integer, got ${JSON.stringify(env.USER_SERVICE_TIMEOUT_MS)}`,
    );
  }
  const config: TriggerConfig = {
    allowedEmailDomains: parseDomains(env.ALLOWED_EMAIL_DOMAINS),
    userServiceUrl: url('USER_SERVICE_URL', DEFAULT_USER_SERVICE_URL),
    tokenUrl: url('COGNITO_TOKEN_URL', DEFAULT_TOKEN_URL),
    clientId: env.SERVICE_CLIENT_ID || DEFAULT_PROVISIONER_CLIENT_ID,
    clientSecret: env.SERVICE_CLIENT_SECRET || undefined,
    scope: env.SERVICE_SCOPE || DEFAULT_PROVISIONER_SCOPE,
    timeoutMs,
  };
  if (problems.length > 0)
    throw new TriggerConfigError(`invalid trigger configuration: ${problems.join('; ')}`);
  return config;
}

/** `"example.com, Example.org"` → `['example.com', 'example.org']`. */
export function parseDomains(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((domain) => domain.trim().toLowerCase().replace(/^@/, ''))
    .filter((domain) => domain.length > 0);
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
