import { type JwtAuthOptions, readJwtAuthOptions } from '@helpline/auth';
import {
  assembleConfig,
  type DatabaseConfig,
  type Env,
  list,
  milliseconds,
  readDatabaseConfig,
  readServiceConfig,
  readWithSchema,
  type ServiceConfig,
  wholeNumber,
  withLocalIdentityDefaults,
} from '@helpline/common';
import { availableParallelism } from 'node:os';
import { readUpstreamUrls } from '@helpline/http';
import { z } from 'zod';
import { DEFAULT_PLANS_FILE } from './limits/plans.js';

export const SERVICE_NAME = 'api-gateway';
export const UPSTREAMS = ['user-service', 'order-service', 'product-service'] as const;
export type UpstreamName = (typeof UPSTREAMS)[number];

/** API Gateway's payload limit. */
const DEFAULT_BODY_LIMIT_BYTES = 10 * 1024 * 1024;
const LOCAL_CONSOLE_ORIGIN = 'http://localhost:5173';

export interface PublicRoute {
  method: string;
  /** A route path: `/products` or `/products/*`. */
  path: string;
}

export interface EdgeConfig {
  /** An upstream slower than this gets 504. */
  upstreamTimeoutMs: number;
  /** Consecutive upstream failures (refused, timed out, 5xx) that open its circuit, and for how long. */
  breakerFailures: number;
  breakerHalfOpenMs: number;
  /** Origins the browser may call from (CORS); `*` for any. */
  corsOrigins: string[];
  /** Routes that need no token (the services still decide what they serve without one). */
  publicRoutes: PublicRoute[];
  /** Counters in Redis when set, shared by every gateway instance; in memory otherwise. */
  redisUrl?: string;
  plansFile: string;
}

export interface GatewayConfig {
  /** Processes serving the port (node:cluster); 1: this process serves it alone. */
  workers: number;
  service: ServiceConfig;
  database: DatabaseConfig;
  auth: JwtAuthOptions;
  upstreams: Record<UpstreamName, string>;
  edge: EdgeConfig;
}

const ROUTE = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\s+(\/[A-Za-z0-9._~\-/]*\*?)$/;

/** Reads and checks every variable once; throws a ConfigError naming all problems. */
export function readGatewayConfig(env: Env): GatewayConfig {
  const withDefaults = withLocalIdentityDefaults({
    BODY_LIMIT_BYTES: String(DEFAULT_BODY_LIMIT_BYTES),
    // The edge faces clients: an X-Forwarded-For they send is theirs to invent, and the per-IP
    // budget would be theirs to escape. Behind a load balancer, TRUST_PROXY names its subnets.
    TRUST_PROXY: 'false',
    ...env,
  });
  const production = env.NODE_ENV === 'production';
  const parts = assembleConfig(SERVICE_NAME, {
    service: readServiceConfig(withDefaults, { name: SERVICE_NAME, port: 8080 }),
    database: readDatabaseConfig(withDefaults),
    auth: readJwtAuthOptions(withDefaults),
    upstreams: readUpstreamUrls(withDefaults, UPSTREAMS),
    edge: readWithSchema(
      z.object({
        GATEWAY_UPSTREAM_TIMEOUT_MS: milliseconds({ max: 600_000 }).default(15_000),
        GATEWAY_BREAKER_FAILURES: wholeNumber({ min: 1, max: 1_000 }).default(5),
        GATEWAY_BREAKER_HALF_OPEN_MS: milliseconds({ max: 3_600_000 }).default(10_000),
        GATEWAY_CORS_ORIGINS: list().default(production ? [] : [LOCAL_CONSOLE_ORIGIN]),
        GATEWAY_PUBLIC_ROUTES: z
          .string()
          .transform((text, ctx) =>
            text
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
              .flatMap((entry) => {
                const match = ROUTE.exec(entry);
                if (match) return [{ method: match[1] as string, path: match[2] as string }];
                ctx.issues.push({
                  code: 'custom',
                  message: `"${entry}" is not "METHOD /path" or "METHOD /path/*"`,
                  input: text,
                });
                return [];
              }),
          )
          .default([]),
        REDIS_URL: z
          .string()
          .refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// or rediss:// URL')
          .optional(),
        GATEWAY_USAGE_PLANS_FILE: z.string().default(DEFAULT_PLANS_FILE),
        GATEWAY_WORKERS: z
          .string()
          .trim()
          .transform((text, ctx) => {
            if (text === 'auto') return availableParallelism();
            if (/^\d{1,2}$/.test(text) && Number(text) >= 1 && Number(text) <= 64) return Number(text);
            ctx.issues.push({
              code: 'custom',
              message: 'must be auto or a number of processes from 1 to 64',
              input: text,
            });
            return z.NEVER;
          })
          .default(1),
      }),
      withDefaults,
      { conceal: ['REDIS_URL'] },
    ),
  });
  const e = parts.edge;
  return {
    ...parts,
    workers: e.GATEWAY_WORKERS,
    edge: {
      upstreamTimeoutMs: e.GATEWAY_UPSTREAM_TIMEOUT_MS,
      breakerFailures: e.GATEWAY_BREAKER_FAILURES,
      breakerHalfOpenMs: e.GATEWAY_BREAKER_HALF_OPEN_MS,
      corsOrigins: e.GATEWAY_CORS_ORIGINS,
      publicRoutes: e.GATEWAY_PUBLIC_ROUTES,
      ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
      plansFile: e.GATEWAY_USAGE_PLANS_FILE,
    },
  };
}
