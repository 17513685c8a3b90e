import { JwtVerificationService } from '@helpline/auth';
import { CORRELATION_ID_HEADER, MetricsService } from '@helpline/common';
import cors from '@fastify/cors';
import type { INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { type DestinationStream, pino } from 'pino';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { shareMetricsWithPrimary } from '../cluster/worker.js';
import type { GatewayConfig } from '../config.js';
import { USAGE_LIMITER } from '../gateway.constants.js';
import type { UsageLimiter } from '../limits/usage-limiter.js';
import { EdgeMetrics } from './edge.metrics.js';
import { registerEdge } from './edge.plugin.js';

/** Headers a browser script may read from the gateway's answers. */
const EXPOSED_HEADERS = [
  CORRELATION_ID_HEADER,
  'ratelimit',
  'ratelimit-policy',
  'retry-after',
  'location',
  'www-authenticate',
];

/**
 * CORS for every answer (the gateway's own errors included: a 401 or 429 a browser cannot read is
 * no use to the web console), then the proxy routes.
 */
export async function mountEdge(
  app: INestApplication,
  fastify: FastifyInstance,
  config: GatewayConfig,
): Promise<void> {
  const origins = config.edge.corsOrigins;
  await fastify.register(cors, {
    origin: origins.includes('*') ? true : origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-api-key', CORRELATION_ID_HEADER],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  shareMetricsWithPrimary(app.get(MetricsService));
  const root = PinoLogger.root;
  // The access log: the same stream as every other line, without the redaction pass (its fields
  // are chosen, and hold no secret), which would otherwise cost a few per cent of every request.
  const access = pino(
    { level: config.service.logLevel, base: { service: config.service.name } },
    (root as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym]!,
  );
  await registerEdge(fastify, {
    edge: config.edge,
    upstreams: config.upstreams,
    bodyLimitBytes: config.service.bodyLimitBytes,
    verifier: app.get(JwtVerificationService),
    limiter: app.get<UsageLimiter>(USAGE_LIMITER),
    apiKeys: app.get(ApiKeysService),
    metrics: app.get(EdgeMetrics),
    accessLog: access.child({ context: 'Access' }),
    log: root.child({ context: 'Edge' }),
  });
}
