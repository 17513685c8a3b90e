import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { JwtVerificationService } from '@helpline/auth';
import {
  admitRequest,
  assignCorrelationId,
  CORRELATION_ID_HEADER,
  handleFrameworkError,
  MetricsService,
  NotFoundError,
  sendProblem,
} from '@helpline/common';
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { INestApplication } from '@nestjs/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { type DestinationStream, pino } from 'pino';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { shareMetricsWithPrimary } from '../cluster/worker.js';
import type { GatewayConfig } from '../config.js';
import { USAGE_LIMITER } from '../gateway.constants.js';
import type { UsageLimiter } from '../limits/usage-limiter.js';
import { AccessLog } from './access-log.js';
import { EdgeMetrics } from './edge.metrics.js';
import { registerEdge } from './edge.plugin.js';
import { ROUTE_PREFIXES } from './routes.js';

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
 * The proxy routes, on a Fastify instance of their own that shares the gateway's port: a request
 * under `/users`, `/orders` or `/products` goes straight to it, and everything else (the admin
 * API, health, metrics, docs, and the 404 for unknown paths) to the Nest application.
 *
 * A proxied request so pays only for what the edge does. On Nest's instance it would also run the
 * adapter's root hooks, `@fastify/middie` and Nest's middleware chain, and the request context's
 * AsyncLocalStorage: about 25 µs of CPU per request, measured, of the ~200 µs the gateway then
 * cost. Both instances answer with CORS, the same correlation id, and problem+json errors; closing
 * the Nest application closes this one.
 */
export async function mountEdge(
  app: INestApplication,
  fastify: FastifyInstance,
  config: GatewayConfig,
): Promise<void> {
  const origins = config.edge.corsOrigins;
  const corsOptions: FastifyCorsOptions = {
    origin: origins.includes('*') ? true : origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-api-key', CORRELATION_ID_HEADER],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  };
  // The gateway's own routes: a 401 or 429 a browser cannot read is no use to the web console.
  await fastify.register(cors, corsOptions);
  const metrics = app.get(MetricsService);
  shareMetricsWithPrimary(metrics);

  const edge = Fastify({
    logger: false,
    // true, false, or the proxies' addresses and CIDR ranges, as the service config parsed them.
    trustProxy: config.service.trustProxy,
    genReqId: assignCorrelationId,
    frameworkErrors: handleFrameworkError,
    // Bodies are streamed, never parsed: the edge meters them against the limit itself.
    bodyLimit: config.service.bodyLimitBytes,
    // Never listened on: requests reach it through the Nest application's server, below.
    serverFactory: () => createServer(),
  });
  // CORS on the edge: preflights (OPTIONS) are @fastify/cors's, in a context of their own; every
  // other answer gets its headers from the one hook below. @fastify/cors on every request would
  // copy its options and take the slow path of Fastify's hooks each time: measured, a sixth of
  // the edge's CPU per request. The headers are the ones it sends: `Vary: Origin` always, the
  // caller's origin and the exposed headers when the origin is allowed.
  await edge.register(async (preflight) => {
    await preflight.register(cors, corsOptions);
  });
  const allowed = originMatcher(origins);
  const exposed = EXPOSED_HEADERS.join(', ');
  edge.addHook('onRequest', (request, reply, done) => {
    if (request.method !== 'OPTIONS') {
      // The answer depends on the Origin, whether the request has one or not; only a browser's
      // cross-origin request has one, and only such a request reads the other two.
      void reply.header('vary', 'Origin');
      const origin = request.headers.origin;
      if (origin !== undefined && allowed(origin)) {
        void reply
          .header('access-control-allow-origin', origin)
          .header('access-control-expose-headers', exposed);
      }
    }
    if (admitRequest(request, reply)) done();
  });

  const root = PinoLogger.root;
  // The access log: the same stream as every other line, without the redaction pass (its fields
  // are chosen, and hold no secret).
  const accessLog = new AccessLog(
    (root as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym]!,
    config.service.name,
    config.service.logLevel,
  );
  // Its lines are written in batches (access-log.ts): the last one too, however the process ends.
  const flushAccessLog = () => accessLog.flushOnExit();
  process.once('exit', flushAccessLog);
  await registerEdge(edge, {
    edge: config.edge,
    upstreams: config.upstreams,
    bodyLimitBytes: config.service.bodyLimitBytes,
    verifier: app.get(JwtVerificationService),
    limiter: app.get<UsageLimiter>(USAGE_LIMITER),
    apiKeys: app.get(ApiKeysService),
    metrics: app.get(EdgeMetrics),
    accessLog,
    observe: metrics.observe.bind(metrics),
    log: root.child({ context: 'Edge' }),
  });
  // A method no route takes (`PROPFIND /users`): the same 404 problem as an unknown path.
  edge.setNotFoundHandler((request, reply) =>
    sendProblem(
      new NotFoundError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`),
      request,
      reply,
      {
        error: () => undefined,
      },
    ),
  );
  await edge.ready();
  divert(fastify.server, isProxied, edge.routing);
  // Once the Nest application closes, the edge answers 503 to what still arrives, as Nest's does.
  fastify.addHook('onClose', async () => {
    await edge.close();
    accessLog.flush();
    process.removeListener('exit', flushAccessLog);
  });
}

/** Whether a request target is under one of the proxy prefixes: `/users`, `/users/…`, `/users?…`. */
export function isProxied(url: string): boolean {
  for (const prefix of PREFIXES) {
    if (url.startsWith(prefix)) {
      const next = url.charCodeAt(prefix.length);
      // The end, '/' or '?': `/usersx` is not under `/users`.
      if (Number.isNaN(next) || next === 0x2f || next === 0x3f) return true;
    }
  }
  return false;
}

const PREFIXES = Object.keys(ROUTE_PREFIXES);

/** Whether an `Origin` may read the edge's answers: one of the configured origins, or any for `*`. */
export function originMatcher(origins: readonly string[]): (origin: string) => boolean {
  if (origins.includes('*')) return () => true;
  const set = new Set(origins);
  return (origin) => set.has(origin);
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Hands the requests `takes` picks to `handler`; the server's own handler gets the rest. */
function divert(server: Server, takes: (url: string) => boolean, handler: Handler): void {
  const own = server.listeners('request') as Handler[];
  if (own.length !== 1) throw new Error(`expected one request handler on the server, found ${own.length}`);
  const rest = own[0]!;
  server.removeListener('request', rest);
  server.on('request', (req: IncomingMessage, res: ServerResponse) =>
    takes(req.url ?? '') ? handler(req, res) : rest(req, res),
  );
}
