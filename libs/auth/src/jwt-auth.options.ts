/** How incoming bearer tokens are verified. Built from the environment by `readJwtAuthOptions`. */
export interface JwtAuthOptions {
  /** 'jwks': asymmetric keys from `jwksUri` (Cognito); 'secret': HS256 with `secret` (the seed's "Secret方式"). */
  mode: 'jwks' | 'secret';
  /** JWT_JWKS_URI (mode jwks). */
  jwksUri?: string;
  /** JWT_SECRET (mode secret); at least 32 bytes. */
  secret?: string;
  /** JWT_ISSUER, matched exactly against `iss`; required in jwks mode. */
  issuer?: string;
  /** JWT_AUDIENCE: accepted client ids, matched against `aud` (ID tokens) or `client_id` (access tokens); [] = not checked. */
  audience: string[];
  /** JWT_ROLES_CLAIM: an array claim, or a string of space/comma separated roles. */
  rolesClaim: string;
  /** JWT_SCOPES_CLAIM: a space-separated string claim. */
  scopesClaim: string;
  /** JWT_ALGORITHMS: the only `alg` values accepted. */
  algorithms: string[];
  /** JWT_TOKEN_USE: accepted `token_use` values; a token without `token_use` passes only with 'any'. */
  tokenUse: Array<'access' | 'id'> | 'any';
  /** JWT_CLOCK_TOLERANCE: seconds of clock skew allowed on `exp` and `nbf`. */
  clockToleranceSeconds: number;
  /** JWT_CACHE_MAX_ENTRIES: size of the verified-token cache; 0 disables it. */
  cacheMaxEntries: number;
  /** JWT_MAX_TOKEN_LENGTH: longer tokens are refused before any parsing. */
  maxTokenLength: number;
  /** Minimum time between two JWKS fetches caused by an unknown `kid` (the refetch rate limit). Default 30 s. */
  jwksCooldownMs?: number;
  /** The JWKS is fetched again after this age even without an unknown `kid`, so removed keys stop working. Default 10 min. */
  jwksCacheMaxAgeMs?: number;
  /** Timeout of one JWKS fetch. Default 5 s. */
  jwksTimeoutMs?: number;
  /**
   * JWT_JWKS_MAX_STALENESS (seconds in the environment, ms here): while the JWKS cannot be
   * fetched, the last known keys keep verifying tokens until they are this old; after that,
   * 503 JWKS_UNAVAILABLE. At least `jwksCacheMaxAgeMs`. Default 24 h.
   */
  jwksMaxStalenessMs?: number;
  /**
   * Where key-set events go (the JWKS starts failing, recovers, or its keys are past the
   * staleness bound); never a token. Default: Nest's `Logger`; `false` for none.
   */
  logger?: AuthLogger | false;
  /** The clock, in epoch milliseconds; tests inject one instead of sleeping. Default `Date.now`. */
  now?: () => number;
}

/** What the verifier logs through: Nest's `Logger` and `console` fit as they are. */
export interface AuthLogger {
  log(message: string): unknown;
  warn(message: string): unknown;
  error(message: string): unknown;
}

export const JWT_AUTH_DEFAULTS = {
  rolesClaim: 'cognito:groups',
  scopesClaim: 'scope',
  jwksAlgorithms: ['RS256'],
  secretAlgorithms: ['HS256'],
  tokenUse: ['access'] as Array<'access' | 'id'>,
  clockToleranceSeconds: 5,
  cacheMaxEntries: 10_000,
  maxTokenLength: 16_384,
  jwksCooldownMs: 30_000,
  jwksCacheMaxAgeMs: 600_000,
  jwksTimeoutMs: 5_000,
  // An identity-provider outage of up to a day must not take down every service.
  jwksMaxStalenessMs: 86_400_000,
  // RFC 7518 §3.2: an HMAC key must be at least as long as the hash output.
  minSecretBytes: 32,
} as const;

const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
const SECRET_ALGORITHMS = ['HS256', 'HS384', 'HS512'];

/** Why `alg` cannot be used in `mode`, or undefined when it can. */
function algorithmProblem(alg: string, mode: 'jwks' | 'secret' | undefined): string | undefined {
  if (alg.toLowerCase() === 'none') return '"none" (unsigned tokens are never accepted)';
  const secret = SECRET_ALGORITHMS.includes(alg);
  if (!secret && !ASYMMETRIC_ALGORITHMS.includes(alg)) {
    return `unknown algorithm "${alg}" (supported: ${[...ASYMMETRIC_ALGORITHMS, ...SECRET_ALGORITHMS].join(', ')})`;
  }
  // HS* against a JWKS is the classic key-confusion attack: the "secret" would be the public key.
  if (mode === 'jwks' && secret)
    return `"${alg}", which cannot be used with a JWKS (asymmetric algorithms only)`;
  if (mode === 'secret' && !secret)
    return `"${alg}", which cannot be used with a shared secret (HS256, HS384, HS512 only)`;
  return undefined;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Empty strings count as unset: compose files and CI often export `VAR=`. */
function read(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function list(value: string): string[] {
  return [
    ...new Set(
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
}

function readCount(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  problems: string[],
  min = 0,
): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) {
    problems.push(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
    return fallback;
  }
  return Number(raw);
}

/** JWT_JWKS_MAX_STALENESS, in seconds; no shorter than the key refresh age, which it extends. */
function readMaxStaleness(env: Record<string, string | undefined>, problems: string[]): number | undefined {
  const raw = read(env, 'JWT_JWKS_MAX_STALENESS');
  if (raw === undefined) return undefined;
  const min = JWT_AUTH_DEFAULTS.jwksCacheMaxAgeMs / 1000;
  const ms = Number(raw) * 1000;
  if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(ms)) {
    problems.push(
      `JWT_JWKS_MAX_STALENESS must be a whole number of seconds ≥ ${min} (the key refresh age), got "${raw}"`,
    );
    return undefined;
  }
  return ms;
}

function readTokenUse(raw: string | undefined, problems: string[]): JwtAuthOptions['tokenUse'] {
  if (raw === undefined) return [...JWT_AUTH_DEFAULTS.tokenUse];
  if (raw.toLowerCase() === 'any') return 'any';
  const values = list(raw.toLowerCase());
  const bad = values.filter((v) => v !== 'access' && v !== 'id');
  if (bad.length > 0 || values.length === 0) {
    problems.push(`JWT_TOKEN_USE must be "access", "id", "access,id" or "any", got "${raw}"`);
    return [...JWT_AUTH_DEFAULTS.tokenUse];
  }
  return values as Array<'access' | 'id'>;
}

/**
 * Reads the JWT_* variables. Returns every problem at once (one sentence each, naming the
 * variable) so the service's config loader can stop with a single message.
 */
export function readJwtAuthOptions(env: Record<string, string | undefined>): {
  value?: JwtAuthOptions;
  problems: string[];
} {
  const problems: string[] = [];
  const jwksUri = read(env, 'JWT_JWKS_URI');
  const secret = env.JWT_SECRET ? env.JWT_SECRET : undefined;
  const issuer = read(env, 'JWT_ISSUER');

  let mode: JwtAuthOptions['mode'] | undefined;
  if (jwksUri && secret) {
    problems.push(
      'JWT_JWKS_URI and JWT_SECRET are both set: set JWT_JWKS_URI to verify tokens with a JWKS (Cognito) or JWT_SECRET to verify HS256 tokens, not both',
    );
  } else if (jwksUri) {
    mode = 'jwks';
  } else if (secret) {
    mode = 'secret';
  } else {
    problems.push(
      'JWT_JWKS_URI or JWT_SECRET must be set: JWT_JWKS_URI to verify tokens with a JWKS (Cognito), JWT_SECRET to verify HS256 tokens',
    );
  }

  if (jwksUri && !isHttpUrl(jwksUri)) problems.push(`JWT_JWKS_URI must be an http(s) URL, got "${jwksUri}"`);
  if (jwksUri && !issuer) problems.push('JWT_ISSUER is required when JWT_JWKS_URI is set');
  if (secret && Buffer.byteLength(secret, 'utf8') < JWT_AUTH_DEFAULTS.minSecretBytes) {
    // Never echo the secret itself.
    problems.push(`JWT_SECRET must be at least ${JWT_AUTH_DEFAULTS.minSecretBytes} bytes long for HS256`);
  }

  const rawAlgorithms = read(env, 'JWT_ALGORITHMS');
  const algorithms = rawAlgorithms
    ? list(rawAlgorithms)
    : [...(mode === 'secret' ? JWT_AUTH_DEFAULTS.secretAlgorithms : JWT_AUTH_DEFAULTS.jwksAlgorithms)];
  if (rawAlgorithms && algorithms.length === 0) problems.push('JWT_ALGORITHMS is set but lists no algorithm');
  for (const alg of algorithms) {
    const problem = algorithmProblem(alg, mode);
    if (problem) problems.push(`JWT_ALGORITHMS must not contain ${problem}`);
  }

  const jwksMaxStalenessMs = readMaxStaleness(env, problems);
  const value: JwtAuthOptions = {
    mode: mode ?? 'jwks',
    ...(jwksUri ? { jwksUri } : {}),
    ...(secret ? { secret } : {}),
    ...(issuer ? { issuer } : {}),
    audience: list(read(env, 'JWT_AUDIENCE') ?? ''),
    rolesClaim: read(env, 'JWT_ROLES_CLAIM') ?? JWT_AUTH_DEFAULTS.rolesClaim,
    scopesClaim: read(env, 'JWT_SCOPES_CLAIM') ?? JWT_AUTH_DEFAULTS.scopesClaim,
    algorithms,
    tokenUse: readTokenUse(read(env, 'JWT_TOKEN_USE'), problems),
    clockToleranceSeconds: readCount(
      env,
      'JWT_CLOCK_TOLERANCE',
      JWT_AUTH_DEFAULTS.clockToleranceSeconds,
      problems,
    ),
    cacheMaxEntries: readCount(env, 'JWT_CACHE_MAX_ENTRIES', JWT_AUTH_DEFAULTS.cacheMaxEntries, problems),
    maxTokenLength: readCount(env, 'JWT_MAX_TOKEN_LENGTH', JWT_AUTH_DEFAULTS.maxTokenLength, problems, 1),
    ...(jwksMaxStalenessMs !== undefined ? { jwksMaxStalenessMs } : {}),
  };
  return problems.length > 0 ? { problems } : { value, problems };
}

/**
 * Checks options built in code (not from the environment) where they enter, so a bad setting
 * fails at start-up rather than at the first request.
 */
export function validateJwtAuthOptions(options: JwtAuthOptions): string[] {
  if (typeof options !== 'object' || options === null) {
    return ['options are missing (did readJwtAuthOptions report problems?)'];
  }
  const problems: string[] = [];
  const { mode } = options;
  if (mode !== 'jwks' && mode !== 'secret')
    problems.push(`mode must be "jwks" or "secret", got "${String(mode)}"`);
  if (mode === 'jwks') {
    if (!options.jwksUri || !isHttpUrl(options.jwksUri))
      problems.push('jwksUri must be an http(s) URL in jwks mode');
    if (!options.issuer) problems.push('issuer is required in jwks mode');
  }
  if (mode === 'secret') {
    if (!options.secret || Buffer.byteLength(options.secret, 'utf8') < JWT_AUTH_DEFAULTS.minSecretBytes) {
      problems.push(`secret must be at least ${JWT_AUTH_DEFAULTS.minSecretBytes} bytes long in secret mode`);
    }
  }
  if (!Array.isArray(options.algorithms) || options.algorithms.length === 0) {
    problems.push('algorithms must list at least one algorithm');
  } else {
    for (const alg of options.algorithms) {
      const problem = algorithmProblem(alg, mode);
      if (problem) problems.push(`algorithms must not contain ${problem}`);
    }
  }
  if (!Array.isArray(options.audience))
    problems.push('audience must be an array of client ids ([] = not checked)');
  if (!options.rolesClaim) problems.push('rolesClaim must be a claim name');
  if (!options.scopesClaim) problems.push('scopesClaim must be a claim name');
  if (
    options.tokenUse !== 'any' &&
    (!Array.isArray(options.tokenUse) ||
      options.tokenUse.length === 0 ||
      options.tokenUse.some((use) => use !== 'access' && use !== 'id'))
  ) {
    problems.push('tokenUse must be "any" or a non-empty array of "access" and "id"');
  }
  const counts: Array<[keyof JwtAuthOptions, number]> = [
    ['clockToleranceSeconds', 0],
    ['cacheMaxEntries', 0],
    ['maxTokenLength', 1],
  ];
  for (const [name, min] of counts) {
    const value = options[name];
    if (!Number.isSafeInteger(value) || (value as number) < min)
      problems.push(`${name} must be a whole number ≥ ${min}`);
  }
  for (const name of [
    'jwksCooldownMs',
    'jwksCacheMaxAgeMs',
    'jwksTimeoutMs',
    'jwksMaxStalenessMs',
  ] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      problems.push(`${name} must be a whole number of milliseconds ≥ 0`);
    }
  }
  const maxAge = options.jwksCacheMaxAgeMs ?? JWT_AUTH_DEFAULTS.jwksCacheMaxAgeMs;
  const maxStaleness = options.jwksMaxStalenessMs ?? JWT_AUTH_DEFAULTS.jwksMaxStalenessMs;
  // A shorter bound would refuse keys before they are even due for a refresh.
  if (Number.isSafeInteger(maxAge) && Number.isSafeInteger(maxStaleness) && maxStaleness < maxAge) {
    problems.push(`jwksMaxStalenessMs must be at least jwksCacheMaxAgeMs (${maxAge} ms)`);
  }
  const { logger } = options;
  if (
    logger !== undefined &&
    logger !== false &&
    !['log', 'warn', 'error'].every(
      (level) => typeof (logger as unknown as Record<string, unknown>)?.[level] === 'function',
    )
  ) {
    problems.push('logger must have log, warn and error methods, or be false');
  }
  return problems;
}

/** Throws one error naming every problem; used where options enter the module or service. */
export function assertJwtAuthOptions(options: JwtAuthOptions): void {
  const problems = validateJwtAuthOptions(options);
  if (problems.length > 0) throw new Error(`Invalid JWT auth options: ${problems.join('; ')}`);
}
