import { type ArgumentsHost, Catch, type ExceptionFilter, Inject, Logger, Optional } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestContext } from '../context/request-context.js';
import { CORRELATION_ID_HEADER } from '../context/correlation-id.js';
import type { ErrorCatalog } from './domain-error.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';

/** Injection token of the service's error catalog (`ServiceDefaultsModule.forRoot({ errors })`). */
export const ERROR_CATALOG = 'helpline:error-catalog';

/** Every error a handler throws, known or not, leaves as application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  constructor(@Optional() @Inject(ERROR_CATALOG) private readonly catalog: ErrorCatalog = {}) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    sendProblem(exception, request, reply, this.logger, this.catalog);
  }
}

/** Shared by the Nest filter and Fastify's own error handler (body parsing errors and the like). */
export function sendProblem(
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Pick<Logger, 'error'>,
  catalog?: ErrorCatalog,
): void {
  const correlationId =
    RequestContext.correlationId() ?? (request.headers[CORRELATION_ID_HEADER] as string | undefined);
  const problem = toProblem(exception, correlationId, catalog);
  if (problem.status >= 500) {
    // The id is named here as well as by the logger's mixin: an app without the request context
    // (the gateway) has no other way to put it on the line.
    logger.error({ err: exception, code: problem.code, correlationId }, `request failed: ${problem.code}`);
  }
  if (reply.sent) return;
  // RFC 9110 §10.2.3: what HTTP clients and proxies act on; the body member is for scripts.
  if (problem.retryAfterSeconds !== undefined)
    void reply.header('retry-after', String(problem.retryAfterSeconds));
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}
