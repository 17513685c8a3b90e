import {
  type JwtAuthOptions,
  type M2MTokenOptions,
  readJwtAuthOptions,
  readM2MTokenOptions,
} from '@helpline/auth';
import {
  assembleConfig,
  type DatabaseConfig,
  type Env,
  readDatabaseConfig,
  readServiceConfig,
  readWithSchema,
  type ServiceConfig,
  withLocalIdentityDefaults,
} from '@helpline/common';
import { type HttpClientTuning, readHttpClientTuning, readUpstreamUrls } from '@helpline/http';
import { z } from 'zod';
import { BUYER_CACHE_DEFAULTS, type BuyerCacheOptions } from './orders/users.gateway.js';
import {
  RESERVATION_WORKER_DEFAULTS,
  type ReservationWorkerOptions,
} from './orders/reservation-tasks.worker.js';

export const SERVICE_NAME = 'order-service';
export const UPSTREAMS = ['user-service', 'product-service'] as const;

export interface OrderServiceConfig {
  service: ServiceConfig;
  database: DatabaseConfig;
  auth: JwtAuthOptions;
  m2m: M2MTokenOptions;
  upstreams: Record<(typeof UPSTREAMS)[number], string>;
  http: HttpClientTuning;
  worker: ReservationWorkerOptions;
  buyers: BuyerCacheOptions;
}

const ms = (fallback: number) => z.coerce.number().int().min(1).max(86_400_000).default(fallback);

/** Reads and checks every variable once; throws a ConfigError naming all problems. */
export function readOrderServiceConfig(env: Env): OrderServiceConfig {
  const withDefaults = withLocalIdentityDefaults(env);
  const parts = assembleConfig(SERVICE_NAME, {
    service: readServiceConfig(withDefaults, { name: SERVICE_NAME, port: 3001 }),
    database: readDatabaseConfig(withDefaults),
    auth: readJwtAuthOptions(withDefaults),
    m2m: readM2MTokenOptions(withDefaults),
    upstreams: readUpstreamUrls(withDefaults, UPSTREAMS),
    http: readHttpClientTuning(withDefaults),
    worker: readWithSchema(
      z.object({
        RESERVATION_RETRY_MAX_MS: ms(RESERVATION_WORKER_DEFAULTS.retryMaxMs),
        ORDER_ABANDON_AFTER_MS: ms(RESERVATION_WORKER_DEFAULTS.abandonAfterMs),
        RESERVATION_WORKER: z.enum(['on', 'off']).default('on'),
        BUYER_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(BUYER_CACHE_DEFAULTS.ttlMs),
      }),
      withDefaults,
    ),
  });
  return {
    ...parts,
    worker: {
      ...RESERVATION_WORKER_DEFAULTS,
      retryMaxMs: parts.worker.RESERVATION_RETRY_MAX_MS,
      abandonAfterMs: parts.worker.ORDER_ABANDON_AFTER_MS,
      autoStart: parts.worker.RESERVATION_WORKER === 'on',
    },
    buyers: { ...BUYER_CACHE_DEFAULTS, ttlMs: parts.worker.BUYER_CACHE_TTL_MS },
  };
}
