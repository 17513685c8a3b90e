import { AppError } from '@helpline/common';

/** What the edge answers itself, with stable codes (the services' own problems pass through as sent). */
export const EDGE_ERROR_CODES = {
  API_KEY_INVALID: 'API_KEY_INVALID',
  THROTTLED: 'THROTTLED',
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  UPSTREAM_UNAVAILABLE: 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_FAILED: 'UPSTREAM_FAILED',
  UPSTREAM_TIMEOUT: 'UPSTREAM_TIMEOUT',
  CIRCUIT_OPEN: 'CIRCUIT_OPEN',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNFORWARDABLE_REQUEST: 'UNFORWARDABLE_REQUEST',
} as const;

export const invalidApiKey = () =>
  new AppError(403, EDGE_ERROR_CODES.API_KEY_INVALID, 'The API key (x-api-key) is not valid, or was revoked');

export const limited = (code: 'THROTTLED' | 'QUOTA_EXCEEDED', retryAfterSeconds: number) =>
  new AppError(
    429,
    code,
    code === 'THROTTLED'
      ? `Too many requests; retry in ${retryAfterSeconds} s`
      : `The usage plan's quota is spent; it renews in ${retryAfterSeconds} s`,
    { retryAfterSeconds },
  );

export const payloadTooLarge = (limit: number) =>
  new AppError(413, EDGE_ERROR_CODES.PAYLOAD_TOO_LARGE, `The request body is larger than ${limit} bytes`);

/** The service stopped reading the body before its end: over the service's own limit. */
export const bodyRefused = () =>
  new AppError(
    413,
    EDGE_ERROR_CODES.PAYLOAD_TOO_LARGE,
    'The service stopped reading the request body before its end: it is larger than the service accepts',
  );

/** A request the upstream call cannot carry (a malformed header); the caller's own error otherwise. */
export function unforwardable(cause: unknown): AppError {
  const e = cause as { cause?: { message?: string }; message?: string } | undefined;
  const message = e?.cause?.message ?? e?.message;
  return new AppError(
    400,
    EDGE_ERROR_CODES.UNFORWARDABLE_REQUEST,
    `The request cannot be forwarded${message ? `: ${message}` : ''}`,
    {
      cause,
    },
  );
}

/** An upstream that could not be reached or answered nothing in time, as the caller sees it. */
export type UpstreamFailure = 'refused' | 'failed' | 'timeout' | 'circuit-open';

export function upstreamProblem(upstream: string, kind: UpstreamFailure, cause?: unknown): AppError {
  const extra = { extra: { upstream }, retryAfterSeconds: 5, cause };
  switch (kind) {
    case 'refused':
      return new AppError(503, EDGE_ERROR_CODES.UPSTREAM_UNAVAILABLE, `${upstream} is unavailable`, extra);
    case 'timeout':
      return new AppError(
        504,
        EDGE_ERROR_CODES.UPSTREAM_TIMEOUT,
        `${upstream} did not answer in time`,
        extra,
      );
    case 'circuit-open':
      return new AppError(
        503,
        EDGE_ERROR_CODES.CIRCUIT_OPEN,
        `${upstream} is failing; calls to it are paused`,
        extra,
      );
    default:
      return new AppError(502, EDGE_ERROR_CODES.UPSTREAM_FAILED, `${upstream} broke off its answer`, extra);
  }
}
