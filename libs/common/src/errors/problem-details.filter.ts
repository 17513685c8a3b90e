import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestContext } from '../context/request-context.js';
import { CORRELATION_ID_HEADER } from '../context/correlation-id.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';

/** Every error a handler throws, known or not, leaves as application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    sendProblem(exception, request, reply, this.logger);
  }
}

/** Shared by the Nest filter and Fastify's own error handler (body parsing errors and the like). */
export function sendProblem(
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Pick<Logger, 'error'>,
): void {
  const correlationId =
    RequestContext.correlationId() ?? (request.headers[CORRELATION_ID_HEADER] as string | undefined);
  const problem = toProblem(exception, correlationId);
  if (problem.status >= 500) {
    logger.error({ err: exception, code: problem.code }, `request failed: ${problem.code}`);
  }
  if (reply.sent) return;
  // RFC 9110 §10.2.3: what HTTP clients and proxies act on; the body member is for scripts.
  if (problem.retryAfterSeconds !== undefined)
    void reply.header('retry-after', String(problem.retryAfterSeconds));
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}
