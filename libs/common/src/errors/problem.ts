import { HttpException, HttpStatus } from '@nestjs/common';
import { databaseUnavailable, isDatabaseUnavailable } from '../database/database-errors.js';
import { AppError } from './app-error.js';
import { DomainError, type ErrorCatalog } from './domain-error.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const PROBLEM_TYPE_BASE = 'https://helpline.example/problems/';

/** RFC 9457 problem details, with helpline's `code` and `correlationId` members. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  correlationId?: string;
  /**
   * Seconds after which a retry makes sense; `sendProblem` also sends it as `Retry-After`. Kept in
   * the body because a browser cannot read that header cross-origin unless CORS exposes it.
   */
  retryAfterSeconds?: number;
  [member: string]: unknown;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

// Fastify raises these before a handler runs; give them codes a client can act on.
const CODE_BY_FASTIFY_CODE: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

export function problemType(code: string): string {
  return PROBLEM_TYPE_BASE + code.toLowerCase().replace(/_/g, '-');
}

/**
 * Any thrown value → the status and problem body to send. A DomainError's status comes from the
 * service's error catalog; unknown errors, and domain codes missing from the catalog, become a
 * bare 500.
 */
export function toProblem(
  error: unknown,
  correlationId?: string,
  catalog: ErrorCatalog = {},
): ProblemDetails {
  const base = (status: number, code: string, detail: string, extra: Record<string, unknown> = {}) => {
    const { retryAfterSeconds: rawRetryAfter, ...members } = extra;
    const retryAfterSeconds = toRetryAfter(rawRetryAfter);
    return {
      ...members,
      type: problemType(code),
      title: titleFor(status),
      status,
      detail,
      code,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      ...(correlationId ? { correlationId } : {}),
    };
  };

  // A database outage reaches here as the driver's error, from wherever the query ran.
  if (!(error instanceof AppError) && !(error instanceof HttpException) && isDatabaseUnavailable(error)) {
    return toProblem(databaseUnavailable(error), correlationId);
  }

  if (error instanceof DomainError && Object.hasOwn(catalog, error.code)) {
    return base(catalog[error.code] as number, error.code, error.message, error.extra);
  }

  if (error instanceof AppError) {
    return base(error.status, error.code, error.message, {
      ...error.extra,
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    });
  }

  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const body =
      typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
    // Nest wraps Fastify's own errors (body parsing) in an HttpException whose cause keeps their code.
    const causeCode = (error.cause as { code?: unknown } | undefined)?.code;
    const code =
      typeof body.code === 'string'
        ? body.code
        : (typeof causeCode === 'string' && CODE_BY_FASTIFY_CODE[causeCode]) ||
          (CODE_BY_STATUS[status] ?? `HTTP_${status}`);
    const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    const detail =
      typeof message === 'string' ? message : typeof response === 'string' ? response : error.message;
    const { message: _m, code: _c, statusCode: _s, error: _e, ...extra } = body;
    return base(status, code, status >= 500 && !body.code ? titleFor(status) : detail, extra);
  }

  const fastifyError = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (
    typeof fastifyError?.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    const status = fastifyError.statusCode;
    const code =
      (typeof fastifyError.code === 'string' && CODE_BY_FASTIFY_CODE[fastifyError.code]) ||
      CODE_BY_STATUS[status] ||
      `HTTP_${status}`;
    return base(
      status,
      code,
      typeof fastifyError.message === 'string' ? fastifyError.message : titleFor(status),
    );
  }

  return base(
    500,
    'INTERNAL_ERROR',
    'An unexpected error occurred. Quote the correlation id when reporting it.',
  );
}

/**
 * `retryAfterSeconds` from an AppError or an HttpException's body (how @helpline/auth passes it):
 * whole seconds as Retry-After needs them, or undefined (and left out) when it is not a usable number.
 */
function toRetryAfter(value: unknown): number | undefined {
  if (typeof value !== 'number' || value < 0) return undefined;
  const seconds = Math.ceil(value);
  return Number.isSafeInteger(seconds) ? seconds : undefined;
}

function titleFor(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  if (!name) return status >= 500 ? 'Server Error' : 'Client Error';
  return name
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}
