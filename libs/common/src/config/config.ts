import { z } from 'zod';

/** What a config reader returns: a value when the input was good, and one sentence per problem. */
export interface ConfigPart<T> {
  value?: T;
  problems: string[];
}

export type Env = Record<string, string | undefined>;

/** Thrown when configuration is bad: carries every problem found, not just the first. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly serviceName: string,
    readonly problems: string[],
  ) {
    super(`${serviceName}: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads env vars through a zod object schema, naming each bad variable in its problem sentence
 * with the value given — except for `conceal`ed variables (URLs with passwords, secrets), whose
 * values never reach a message.
 */
export function readWithSchema<S extends z.ZodObject>(
  schema: S,
  env: Env,
  options: { conceal?: readonly string[] } = {},
): ConfigPart<z.infer<S>> {
  const result = schema.safeParse(env);
  if (result.success) return { value: result.data, problems: [] };
  return {
    problems: result.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      const variable = issue.path[0];
      const given =
        typeof variable === 'string' && !options.conceal?.includes(variable) ? env[variable] : undefined;
      return given === undefined
        ? `${name}: ${issue.message}`
        : `${name}=${JSON.stringify(given)}: ${issue.message}`;
    }),
  };
}

/**
 * Combines config parts read separately (service basics, auth, database...) into one value, or
 * throws one ConfigError naming every problem of every part.
 */
export function assembleConfig<P extends Record<string, ConfigPart<unknown>>>(
  serviceName: string,
  parts: P,
): { [K in keyof P]: NonNullable<P[K]['value']> } {
  const problems = Object.values(parts).flatMap((part) => part.problems);
  if (problems.length > 0) throw new ConfigError(serviceName, problems);
  const out: Record<string, unknown> = {};
  for (const [key, part] of Object.entries(parts)) out[key] = part.value;
  return out as { [K in keyof P]: NonNullable<P[K]['value']> };
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface ServiceConfig {
  name: string;
  nodeEnv: 'development' | 'test' | 'production';
  host: string;
  port: number;
  logLevel: (typeof LOG_LEVELS)[number];
  bodyLimitBytes: number;
  /** Trust X-Forwarded-* from the gateway or load balancer in front. */
  trustProxy: boolean;
  /**
   * After SIGTERM, in-flight requests may finish for this long; then the process exits anyway.
   * Below ECS's 30 s stop timeout, so that the exit is ours and logged, not a SIGKILL.
   */
  shutdownTimeoutMs: number;
}

const portSchema = z.coerce.number().int().min(0).max(65535);

/**
 * The variables every service reads: PORT, HOST, LOG_LEVEL, NODE_ENV, BODY_LIMIT_BYTES,
 * TRUST_PROXY, SHUTDOWN_TIMEOUT_MS.
 */
export function readServiceConfig(
  env: Env,
  defaults: { name: string; port: number },
): ConfigPart<ServiceConfig> {
  const part = readWithSchema(
    z.object({
      NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
      HOST: z.string().min(1).default('0.0.0.0'),
      PORT: portSchema.default(defaults.port),
      LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
      BODY_LIMIT_BYTES: z.coerce
        .number()
        .int()
        .min(1024)
        .default(1024 * 1024),
      TRUST_PROXY: z.enum(['true', 'false']).default('true'),
      SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(25_000),
    }),
    env,
  );
  if (!part.value) return { problems: part.problems };
  const v = part.value;
  return {
    problems: [],
    value: {
      name: defaults.name,
      nodeEnv: v.NODE_ENV,
      host: v.HOST,
      port: v.PORT,
      logLevel: v.LOG_LEVEL,
      bodyLimitBytes: v.BODY_LIMIT_BYTES,
      trustProxy: v.TRUST_PROXY === 'true',
      shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    },
  };
}
