import { type ConfigPart, type Env, milliseconds, oneOf, readEnv, wholeNumber } from '@helpline/config';
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
  /**
   * Whom to believe about the client's address (X-Forwarded-For) and protocol: everyone (`true`:
   * behind the gateway, on a private network), no one (`false`: facing clients), or the proxies
   * at the given addresses and CIDR ranges (a load balancer in front: its subnets).
   */
  trustProxy: boolean | string[];
  /**
   * After SIGTERM, in-flight requests may finish for this long; then the process exits anyway.
   * Below ECS's 30 s stop timeout, so that the exit is ours and logged, not a SIGKILL.
   */
  shutdownTimeoutMs: number;
}

const HOP_OR_CIDR = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]+)(?:\/\d{1,3})?$/i;

/**
 * TRUST_PROXY: true, false, or a comma-separated list of addresses and CIDR ranges. Not a hop
 * count: a count cannot tell the proxy from a client that connects directly and sends its own
 * X-Forwarded-For, and Fastify 5 (5.12 here) trusts nobody when given one. Refused, rather than
 * silently believing no one where the operator meant to believe the load balancer.
 */
function trustProxySetting() {
  return z
    .string()
    .trim()
    .transform((text, ctx): boolean | string[] => {
      const lower = text.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      if (/^\d+$/.test(text)) {
        ctx.issues.push({
          code: 'custom',
          message:
            "is a hop count, which cannot tell a proxy from a client sending its own X-Forwarded-For: give the proxy's addresses or CIDR ranges (a load balancer's subnets), or true if every connection comes through it",
          input: text,
        });
        return z.NEVER;
      }
      const entries = text.split(',').map((entry) => entry.trim());
      if (entries.every((entry) => HOP_OR_CIDR.test(entry))) return entries;
      ctx.issues.push({
        code: 'custom',
        message: 'must be true, false, a number of proxy hops, or addresses/CIDR ranges separated by commas',
        input: text,
      });
      return z.NEVER;
    });
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
        TRUST_PROXY: trustProxySetting().default(true),
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
