import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CORRELATION_ID_HEADER } from '../context/correlation-id.js';
import { AppError } from '../errors/app-error.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../errors/problem.js';
import { sendProblem } from '../errors/problem-details.filter.js';

const NO_LOGGING = { error: () => undefined };

/** What Fastify's router refuses before any hook runs, as problems with codes. */
const FRAMEWORK_ERRORS: Record<string, { code: string; detail: string }> = {
  FST_ERR_BAD_URL: { code: 'INVALID_URL', detail: 'The URL is not valid: a percent-encoding is malformed' },
  FST_ERR_MAX_PARAM_LENGTH: { code: 'URL_TOO_LONG', detail: 'A path segment of the URL is too long' },
};

/** Fastify's `frameworkErrors`: a malformed URL or an overlong path segment, as problem+json. */
export function handleFrameworkError(
  error: Error & { code?: string; statusCode?: number },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const known = error.code ? FRAMEWORK_ERRORS[error.code] : undefined;
  const status = error.statusCode ?? 400;
  sendProblem(known ? new AppError(status, known.code, known.detail) : error, request, reply, NO_LOGGING);
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser rejects before any request object
 * exists (headers over 16 KB, malformed HTTP), answered as problem+json with a fresh correlation id
 * instead of Node's bare status line.
 */
export function handleClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'The request headers are too large (16 KB in all at most)']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'The request took too long to arrive']
        : [400, 'BAD_REQUEST', 'The request is not well-formed HTTP'];
  const correlationId = randomUUID();
  const body = JSON.stringify(toProblem(new AppError(status, code, detail), correlationId));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `${CORRELATION_ID_HEADER}: ${correlationId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}
