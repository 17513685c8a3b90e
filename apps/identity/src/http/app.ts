import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { cognitoApiRoutes } from '../cognito-api/cognito-api.routes.js';
import type { IdentityContext } from '../context.js';
import { CORRELATION_ID_HEADER, correlationIdOf } from '../correlation-id.js';
import { healthRoutes } from '../health/health.routes.js';
import { oauthRoutes } from '../oauth/oauth.routes.js';
import { outboxRoutes } from '../outbox/outbox.routes.js';
import { wellKnownRoutes } from '../well-known/well-known.routes.js';

/**
 * The HTTP pipeline: correlation ids, JSON 404s and errors, and the route groups — each registered in its
 * own encapsulated context with its own error shape (OAuth's bodies, Cognito's `__type`).
 */
export async function buildHttpApp(
  context: IdentityContext,
  options: { outbox: boolean },
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: context.logger as FastifyBaseLogger,
    forceCloseConnections: true,
    return503OnClosing: true,
    // Correlation ids end to end, as in every service: accepted or generated, logged, returned.
    requestIdHeader: false,
    genReqId: correlationIdOf,
    logController: new LogController({
      requestIdLogLabel: 'correlationId',
      // The launcher polls readiness several times a second while starting: not worth a line each.
      disableRequestLogging: (request) => request.url.startsWith('/health/'),
    }),
  });
  app.addHook('onRequest', async (request, reply) => {
    void reply.header(CORRELATION_ID_HEADER, request.id);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ message: `No route for ${request.method} ${request.url}` }),
  );
  app.setErrorHandler((error, request, reply) => {
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500)
      return reply.code(status).send({ message: (error as Error).message });
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ message: 'Internal error' });
  });
  await app.register(healthRoutes);
  await app.register(async (scope) => wellKnownRoutes(scope, context));
  await app.register(async (scope) => oauthRoutes(scope, context));
  await app.register(async (scope) => cognitoApiRoutes(scope, context));
  if (options.outbox) await app.register(async (scope) => outboxRoutes(scope, context.outbox));
  await app.ready();
  return app;
}
