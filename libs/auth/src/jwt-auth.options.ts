import {
  checkObject,
  ConfigError,
  type ConfigPart,
  fromEnv,
  httpUrl,
  readEnv,
  splitList,
  withRules,
} from '@helpline/config';
import * as z from 'zod';
import { clock, count, optionalMilliseconds } from './option-schemas.js';

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

const isLogger = (value: unknown): value is AuthLogger | false =>
  value === false ||
  (typeof value === 'object' &&
    value !== null &&
    ['log', 'warn', 'error'].every(
      (level) => typeof (value as Record<string, unknown>)[level] === 'function',
    ));

const isTokenUse = (value: unknown): value is JwtAuthOptions['tokenUse'] =>
  value === 'any' ||
  (Array.isArray(value) && value.length > 0 && value.every((use) => use === 'access' || use === 'id'));

const isWhole = (value: unknown): value is number => Number.isSafeInteger(value);

const claimName = z.string({ error: 'must be a claim name' }).min(1, 'must be a claim name');
const ALGORITHMS_MISSING = 'must list at least one algorithm';

/**
 * Every rule of JwtAuthOptions, for options built in code and (through `readJwtAuthOptions`) for
 * those read from the JWT_* variables. Keys in the order problems are reported.
 */
const jwtAuthOptionsSchema = withRules(
  z.object(
    {
      mode: z.enum(['jwks', 'secret'], { error: 'must be "jwks" or "secret"' }),
      jwksUri: httpUrl().optional(),
      issuer: z.string().optional(),
      secret: z
        .string()
        .refine(
          (secret) => Buffer.byteLength(secret, 'utf8') >= JWT_AUTH_DEFAULTS.minSecretBytes,
          `must be at least ${JWT_AUTH_DEFAULTS.minSecretBytes} bytes long for HS256`,
        )
        .optional(),
      audience: z.array(z.string(), { error: 'must be an array of client ids ([] = not checked)' }),
      rolesClaim: claimName,
      scopesClaim: claimName,
      algorithms: z.array(z.string(), { error: ALGORITHMS_MISSING }).min(1, ALGORITHMS_MISSING),
      tokenUse: z.custom<JwtAuthOptions['tokenUse']>(isTokenUse, {
        error: 'must be "any", or "access" and/or "id"',
        abort: false,
      }),
      clockToleranceSeconds: count(0),
      cacheMaxEntries: count(0),
      maxTokenLength: count(1),
      jwksCooldownMs: optionalMilliseconds(),
      jwksCacheMaxAgeMs: optionalMilliseconds(),
      jwksTimeoutMs: optionalMilliseconds(),
      jwksMaxStalenessMs: optionalMilliseconds(),
      logger: z
        .custom<AuthLogger | false>(isLogger, {
          error: 'must have log, warn and error methods, or be false',
          abort: false,
        })
        .optional(),
      now: clock().optional(),
    },
    {
      error: (issue) =>
        issue.input == null ? 'options are missing (did readJwtAuthOptions report problems?)' : undefined,
    },
  ),
  (options, problem) => {
    const { mode, jwksUri, secret, issuer, algorithms } = options;
    if (mode === 'jwks' && jwksUri === undefined) problem('jwksUri', 'required in jwks mode');
    if (mode === 'secret' && secret === undefined) problem('secret', 'required in secret mode');
    if ((mode === 'jwks' || jwksUri !== undefined) && !issuer) {
      problem('issuer', 'required when tokens are verified with a JWKS');
    }
    if (Array.isArray(algorithms)) {
      for (const alg of algorithms) {
        const why = algorithmProblem(String(alg), mode === 'jwks' || mode === 'secret' ? mode : undefined);
        if (why) problem('algorithms', `must not contain ${why}`);
      }
    }
    const maxAge = options.jwksCacheMaxAgeMs ?? JWT_AUTH_DEFAULTS.jwksCacheMaxAgeMs;
    const maxStaleness = options.jwksMaxStalenessMs ?? JWT_AUTH_DEFAULTS.jwksMaxStalenessMs;
    // A shorter bound would refuse keys before they are even due for a refresh.
    if (isWhole(maxAge) && isWhole(maxStaleness) && maxStaleness < maxAge) {
      problem(
        'jwksMaxStalenessMs',
        `must be at least the key refresh age, jwksCacheMaxAgeMs (${maxAge / 1000} s)`,
      );
    }
  },
);

/** `"42"` → 42; anything else goes on as it is, for the schema to refuse. */
const numeral = (text: string | undefined): number | string | undefined =>
  text !== undefined && /^\s*-?\d+\s*$/.test(text) ? Number(text) : text;

/** The JWT_* variables, read into JwtAuthOptions and checked by the same schema. */
const jwtAuthEnvSchema = fromEnv(jwtAuthOptionsSchema, {
  variables: {
    jwksUri: 'JWT_JWKS_URI',
    issuer: 'JWT_ISSUER',
    secret: 'JWT_SECRET',
    audience: 'JWT_AUDIENCE',
    rolesClaim: 'JWT_ROLES_CLAIM',
    scopesClaim: 'JWT_SCOPES_CLAIM',
    algorithms: 'JWT_ALGORITHMS',
    tokenUse: 'JWT_TOKEN_USE',
    clockToleranceSeconds: 'JWT_CLOCK_TOLERANCE',
    cacheMaxEntries: 'JWT_CACHE_MAX_ENTRIES',
    maxTokenLength: 'JWT_MAX_TOKEN_LENGTH',
    jwksMaxStalenessMs: 'JWT_JWKS_MAX_STALENESS',
  },
  read(env, problem) {
    const { JWT_JWKS_URI: jwksUri, JWT_SECRET: secret } = env;
    let mode: JwtAuthOptions['mode'] | undefined;
    if (jwksUri && secret) {
      problem(
        'mode',
        'JWT_JWKS_URI and JWT_SECRET are both set: set JWT_JWKS_URI to verify tokens with a JWKS (Cognito) or JWT_SECRET to verify HS256 tokens, not both',
      );
    } else if (jwksUri || secret) {
      mode = jwksUri ? 'jwks' : 'secret';
    } else {
      problem(
        'mode',
        'JWT_JWKS_URI or JWT_SECRET must be set: JWT_JWKS_URI to verify tokens with a JWKS (Cognito), JWT_SECRET to verify HS256 tokens',
      );
    }
    const tokenUse = env.JWT_TOKEN_USE?.trim().toLowerCase();
    // Seconds here, milliseconds in the options; the bound is the schema's.
    const staleness = env.JWT_JWKS_MAX_STALENESS?.trim();
    let stalenessMs = staleness === undefined ? undefined : Number(staleness) * 1000;
    if (staleness !== undefined && (!/^\d+$/.test(staleness) || !Number.isSafeInteger(stalenessMs))) {
      problem('jwksMaxStalenessMs', 'must be a whole number of seconds');
      stalenessMs = undefined;
    }
    return {
      mode,
      jwksUri,
      secret,
      issuer: env.JWT_ISSUER?.trim(),
      audience: splitList(env.JWT_AUDIENCE),
      rolesClaim: env.JWT_ROLES_CLAIM?.trim() ?? JWT_AUTH_DEFAULTS.rolesClaim,
      scopesClaim: env.JWT_SCOPES_CLAIM?.trim() ?? JWT_AUTH_DEFAULTS.scopesClaim,
      algorithms:
        env.JWT_ALGORITHMS === undefined
          ? [...(mode === 'secret' ? JWT_AUTH_DEFAULTS.secretAlgorithms : JWT_AUTH_DEFAULTS.jwksAlgorithms)]
          : splitList(env.JWT_ALGORITHMS),
      tokenUse:
        tokenUse === undefined
          ? [...JWT_AUTH_DEFAULTS.tokenUse]
          : tokenUse === 'any'
            ? 'any'
            : splitList(tokenUse),
      clockToleranceSeconds: numeral(env.JWT_CLOCK_TOLERANCE) ?? JWT_AUTH_DEFAULTS.clockToleranceSeconds,
      cacheMaxEntries: numeral(env.JWT_CACHE_MAX_ENTRIES) ?? JWT_AUTH_DEFAULTS.cacheMaxEntries,
      maxTokenLength: numeral(env.JWT_MAX_TOKEN_LENGTH) ?? JWT_AUTH_DEFAULTS.maxTokenLength,
      jwksMaxStalenessMs: stalenessMs,
    };
  },
});

/**
 * Reads the JWT_* variables. Returns every problem at once (one sentence each, naming the
 * variable) so the service's config loader can stop with a single message.
 */
export function readJwtAuthOptions(env: Record<string, string | undefined>): {
  value?: JwtAuthOptions;
  problems: string[];
} {
  // Never echo the secret itself.
  return readEnv(jwtAuthEnvSchema, env, { conceal: ['JWT_SECRET'] }) as ConfigPart<JwtAuthOptions>;
}

/**
 * Checks options built in code (not from the environment) where they enter, so a bad setting
 * fails at start-up rather than at the first request.
 */
export function validateJwtAuthOptions(options: JwtAuthOptions): string[] {
  return checkObject(jwtAuthOptionsSchema, options);
}

/** Throws one ConfigError naming every problem; used where options enter the module or service. */
export function assertJwtAuthOptions(options: JwtAuthOptions): void {
  const problems = validateJwtAuthOptions(options);
  if (problems.length > 0) throw new ConfigError('JWT auth options', problems);
}
