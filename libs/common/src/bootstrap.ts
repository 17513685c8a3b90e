import type { IncomingMessage } from 'node:http';
import type { DynamicModule, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { ConfigError, type ServiceConfig } from './config/config.js';
import { CORRELATION_ID_HEADER, resolveCorrelationId } from './context/correlation-id.js';
import { RequestContext } from './context/request-context.js';
import { BadRequestError, ServiceUnavailableError } from './errors/app-error.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from './errors/problem.js';
import { sendProblem } from './errors/problem-details.filter.js';
import { ReadinessRegistry } from './health/readiness.js';
import { handleClientError, handleFrameworkError } from './http/client-errors.js';
import { registerJsonBodyParser } from './http/json-body.js';
import { ACCESS_LOGGER, type AccessLogger } from './logging/logger.js';
import { MetricsService } from './metrics/metrics.service.js';
import { type OpenApiOptions, setupOpenApi } from './openapi/openapi.js';

const ignore = (): void => undefined;
const SILENT_LOGGER: LoggerService = {
  log: ignore,
  error: ignore,
  warn: ignore,
  debug: ignore,
  verbose: ignore,
  fatal: ignore,
};

export interface ServiceAppOptions {
  service: ServiceConfig;
  openApi?: OpenApiOptions;
  /**
   * Runs once the app's providers exist and before it initialises: where an app adds routes of
   * its own to the Fastify instance (the gateway's proxy routes, which skip Nest's per-request
   * machinery) or replaces the OpenAPI document.
   */
  beforeInit?: (app: NestFastifyApplication, fastify: FastifyInstance) => Promise<void> | void;
  /**
   * Whether requests run in the request context (`RequestContext`: the correlation id on every
   * log line written while handling them, and the caller's token for outgoing calls). On by
   * default. Node 20 carries it with async hooks, which, once entered, run on every promise and
   * async resource of the process; an app that makes no outgoing calls and names the id on its
   * lines itself (the gateway) can leave it off. Error lines name the id either way.
   */
  requestContext?: boolean;
}

/**
 * A NestJS-on-Fastify app with the service defaults wired in, initialised but not yet listening.
 * The module must import `ServiceDefaultsModule.forRoot(...)`.
 */
export async function createServiceApp(
  module: DynamicModule,
  options: ServiceAppOptions,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.service.bodyLimitBytes,
    // true, false, or the proxies' addresses and CIDR ranges (a hop count is refused by the config).
    trustProxy: options.service.trustProxy,
    genReqId: assignCorrelationId,
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError,
  });
  // abortOnError off: a start-up failure reaches runService, which reports it in one line. Until
  // pino takes over, Nest's lines are buffered (and handed to pino once it does); when start-up
  // fails they go to a logger that drops them, instead of 20-30 coloured lines of stack trace.
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    bufferLogs: true,
    abortOnError: false,
    logger: SILENT_LOGGER,
    // Ours instead (registerJsonBodyParser): JSON objects only, depth and NUL checked.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  // On SIGTERM/SIGINT, once closed, the process ends with process.exit rather than the signal
  // raised again: 'exit' then fires, and pino writes out the lines its asynchronous destination
  // still holds (the last 100 ms of them, the shutdown's own lines among them), which a death by
  // signal loses.
  app.enableShutdownHooks([], { useProcessExit: true });

  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  registerJsonBodyParser(fastify, { bodyLimit: options.service.bodyLimitBytes });
  registerRequestContext(fastify, options.requestContext ?? true);
  registerResponseHook(fastify, app.get(MetricsService), app.get<AccessLogger>(ACCESS_LOGGER));
  registerHealth(fastify, app.get(ReadinessRegistry));
  if (options.openApi) setupOpenApi(app, options.openApi);
  await options.beforeInit?.(app, fastify);
  await app.init();
  return app;
}

export interface RunServiceOptions<C extends { service: ServiceConfig }> {
  readConfig: (env: NodeJS.ProcessEnv) => C;
  module: (config: C) => DynamicModule;
  openApi?: OpenApiOptions;
  beforeInit?: (config: C) => ServiceAppOptions['beforeInit'];
  requestContext?: boolean;
}

/** A service's whole `main`: read config (exit naming every problem), build, listen. */
export async function runService<C extends { service: ServiceConfig }>(
  options: RunServiceOptions<C>,
): Promise<NestFastifyApplication> {
  let config: C;
  try {
    config = options.readConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  try {
    const app = await createServiceApp(options.module(config), {
      service: config.service,
      openApi: options.openApi,
      beforeInit: options.beforeInit?.(config),
      requestContext: options.requestContext,
    });
    await app.listen({ port: config.service.port, host: config.service.host });
    app.get(Logger).log(`${config.service.name} listening on ${await app.getUrl()}`, 'Bootstrap');
    exitAfterDrainDeadline(config.service, app.get(Logger));
    return app;
  } catch (error) {
    // A database that cannot be reached or a port already taken: one line that says so, exit 1.
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${config.service.name} failed to start: ${reason}\n`);
    process.exit(1);
  }
}

const ENCODED_NUL = /%00/i;

/**
 * Fastify's `genReqId`: the caller's correlation id when acceptable, else a new one. Resolved
 * before anything else runs, and written back on the raw request so that every later reader
 * (pino-http, outgoing calls, a proxied request's headers) sees the same id.
 */
export function assignCorrelationId(req: IncomingMessage): string {
  const id = resolveCorrelationId(req.headers[CORRELATION_ID_HEADER]);
  req.headers[CORRELATION_ID_HEADER] = id;
  return id;
}

/**
 * What every request meets first, on any of an app's Fastify instances: its correlation id echoed,
 * and a 400 for a NUL in the path or query, which would reach PostgreSQL, whose text cannot hold
 * one. False when it has answered the request.
 */
export function admitRequest(request: FastifyRequest, reply: FastifyReply): boolean {
  void reply.header(CORRELATION_ID_HEADER, request.id);
  if (!ENCODED_NUL.test(request.url)) return true;
  const error = new BadRequestError('INVALID_CHARACTER', 'The URL contains a NUL character (%00)');
  sendProblem(error, request, reply, { error: () => undefined });
  return false;
}

/**
 * Nest's shutdown hooks close the server on SIGTERM, which waits for in-flight requests; one that
 * hangs (a lock held elsewhere) would keep the process alive until the orchestrator's SIGKILL.
 * Drain for `shutdownTimeoutMs`, then exit, saying so.
 */
function exitAfterDrainDeadline(service: ServiceConfig, logger: Pick<Logger, 'warn'>): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        logger.warn(
          `${service.name} did not finish its requests within ${service.shutdownTimeoutMs} ms of ${signal}; exiting`,
          'Shutdown',
        );
        process.exit(1);
      }, service.shutdownTimeoutMs).unref();
    });
  }
}

/** When the request arrived (performance.now()), for the line of one its caller gives up on. */
interface StartedRequest extends FastifyRequest {
  startedAt: number;
}

function registerRequestContext(fastify: FastifyInstance, withContext: boolean): void {
  fastify.decorateRequest('startedAt', 0);
  fastify.addHook('onRequest', (request, reply, done) => {
    (request as StartedRequest).startedAt = performance.now();
    if (!admitRequest(request, reply)) return;
    if (!withContext) return done();
    RequestContext.run({ correlationId: request.id, authorization: request.headers.authorization }, done);
  });
}

/** Every request: its metrics and its access line. */
function registerResponseHook(fastify: FastifyInstance, metrics: MetricsService, access: AccessLogger): void {
  const lineOf = (request: FastifyRequest, statusCode: number, responseTimeMs: number) => ({
    method: request.method,
    url: request.url,
    remoteAddress: request.raw.socket?.remoteAddress,
    userAgent: request.headers['user-agent'],
    statusCode,
    responseTimeMs,
    correlationId: request.id,
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const elapsedMs = reply.elapsedTime;
    metrics.observe(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      elapsedMs / 1000,
    );
    access(lineOf(request, reply.statusCode, elapsedMs));
    done();
  });
  // The caller closed the connection before the answer: no onResponse follows.
  fastify.addHook('onRequestAbort', (request, done) => {
    const elapsedMs = performance.now() - (request as StartedRequest).startedAt;
    access({ ...lineOf(request, 0, elapsedMs), aborted: true });
    done();
  });
  fastify.get('/metrics', async (_request, reply) => {
    void reply.header('content-type', metrics.registry.contentType);
    return metrics.render();
  });
}

function registerHealth(fastify: FastifyInstance, readiness: ReadinessRegistry): void {
  fastify.get('/health/live', async () => ({ status: 'ok' }));
  fastify.get('/health/ready', async (request, reply) => {
    try {
      return await readiness.check();
    } catch (error) {
      // terminus rejects with the per-check results; they say which dependency is down.
      const checks = (error as { getResponse?: () => unknown }).getResponse?.();
      const problem = toProblem(
        new ServiceUnavailableError('NOT_READY', 'A dependency is not ready'),
        request.id,
      );
      return reply
        .status(503)
        .header('content-type', PROBLEM_CONTENT_TYPE)
        .send({ ...problem, checks });
    }
  });
}
