import {
  booleanFlag,
  type ConfigPart,
  type Env,
  milliseconds,
  oneOf,
  readEnv,
  wholeNumber,
} from '@helpline/config';
import { z } from 'zod';

// One config dialect for every package: @helpline/config. Its names stay available from here, so
// that a service imports its config tools from @helpline/common alone.
export {
  assembleConfig,
  booleanFlag,
  ConfigError,
  httpUrl,
  isHttpUrl,
  list,
  milliseconds,
  oneOf,
  parseEnv,
  readEnv,
  splitList,
  wholeNumber,
} from '@helpline/config';
export type { ConfigPart, Env, ReadEnvOptions } from '@helpline/config';
/** The name this function had here before @helpline/config: `readEnv`. */
export { readEnv as readWithSchema } from '@helpline/config';

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

/**
 * The variables every service reads: PORT, HOST, LOG_LEVEL, NODE_ENV, BODY_LIMIT_BYTES,
 * TRUST_PROXY, SHUTDOWN_TIMEOUT_MS.
 */
export function readServiceConfig(
  env: Env,
  defaults: { name: string; port: number },
): ConfigPart<ServiceConfig> {
  return readEnv(
    z
      .object({
        NODE_ENV: oneOf(['development', 'test', 'production']).default('development'),
        HOST: z.string().trim().default('0.0.0.0'),
        PORT: wholeNumber({ min: 0, max: 65535 }).default(defaults.port),
        LOG_LEVEL: oneOf(LOG_LEVELS).default('info'),
        BODY_LIMIT_BYTES: wholeNumber({ min: 1024 }).default(1024 * 1024),
        TRUST_PROXY: booleanFlag().default(true),
        SHUTDOWN_TIMEOUT_MS: milliseconds({ min: 0, max: 600_000 }).default(25_000),
      })
      .transform((v): ServiceConfig => ({
        name: defaults.name,
        nodeEnv: v.NODE_ENV,
        host: v.HOST,
        port: v.PORT,
        logLevel: v.LOG_LEVEL,
        bodyLimitBytes: v.BODY_LIMIT_BYTES,
        trustProxy: v.TRUST_PROXY,
        shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
      })),
    env,
  );
}
