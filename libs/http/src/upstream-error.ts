import { AppError, type FieldError } from '@helpline/common';

/** The stable codes of the problems this library raises. */
export const UPSTREAM_ERROR_CODES = {
  /** The upstream answered 400: our request (often the caller's input, passed on) was refused. */
  badRequest: 'UPSTREAM_BAD_REQUEST',
  /** The upstream answered 401 or 403: the token we sent may not do this. */
  forbidden: 'UPSTREAM_FORBIDDEN',
  /** The upstream answered 404. */
  notFound: 'UPSTREAM_NOT_FOUND',
  /** Any other status, a refused or reset connection, a DNS failure, a malformed response. */
  unavailable: 'UPSTREAM_UNAVAILABLE',
  /** No answer within the attempt's time limit or the call's budget. */
  timeout: 'UPSTREAM_TIMEOUT',
  /** The upstream's circuit is open: the call failed fast, without reaching it. */
  circuitOpen: 'CIRCUIT_OPEN',
  /** Neither a caller's Authorization nor a service token source: nothing to authenticate with. */
  authUnavailable: 'UPSTREAM_AUTH_UNAVAILABLE',
  /** A pass-through status (409, 422…) whose body had no usable `code`. */
  rejected: 'UPSTREAM_REJECTED',
} as const;

export type UpstreamErrorCode = (typeof UPSTREAM_ERROR_CODES)[keyof typeof UPSTREAM_ERROR_CODES];

export interface UpstreamErrorDetails {
  upstream: string;
  /** The call's correlation id (the request's, or a fresh one for background work). */
  correlationId: string;
  /** The upstream's HTTP status, when it answered. */
  upstreamStatus?: number;
  /** The upstream's own problem `code`, when it sent one. */
  upstreamCode?: string;
  /** The upstream's parsed response body (4xx only), for callers that need more than the code. */
  upstreamBody?: unknown;
  /** How the call failed without a status: ECONNREFUSED, ECONNRESET, ENOTFOUND, timeout… (logs only). */
  reason?: string;
  retryAfterSeconds?: number;
  /** Problem members beyond `upstream` (e.g. `upstreamCode`, `errors`). */
  extra?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * An upstream call that did not succeed, as a problem for our own caller: the status and code that
 * ProblemDetailsFilter sends, `upstream` in the body. The upstream's status, code and body stay on
 * the error for code that wants to act on them; the body is never put in the problem.
 */
export class UpstreamError extends AppError {
  readonly upstream: string;
  readonly correlationId: string;
  readonly upstreamStatus?: number;
  readonly upstreamCode?: string;
  readonly upstreamBody?: unknown;
  readonly reason?: string;

  constructor(status: number, code: string, detail: string, details: UpstreamErrorDetails) {
    super(status, code, detail, {
      cause: details.cause,
      retryAfterSeconds: details.retryAfterSeconds,
      extra: { upstream: details.upstream, ...details.extra },
    });
    this.upstream = details.upstream;
    this.correlationId = details.correlationId;
    if (details.upstreamStatus !== undefined) this.upstreamStatus = details.upstreamStatus;
    if (details.upstreamCode !== undefined) this.upstreamCode = details.upstreamCode;
    if (details.upstreamBody !== undefined) this.upstreamBody = details.upstreamBody;
    if (details.reason !== undefined) this.reason = details.reason;
  }
}

export function isUpstreamError(error: unknown, code?: string): error is UpstreamError {
  return error instanceof UpstreamError && (code === undefined || error.code === code);
}

/** What an upstream said in its error body, checked and bounded before any of it is passed on. */
export interface UpstreamProblem {
  code?: string;
  detail?: string;
  errors?: FieldError[];
}

const PROBLEM_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const MAX_DETAIL_CHARS = 500;
const MAX_FIELD_ERRORS = 50;
const MAX_FIELD_CHARS = 200;

/** The code, detail and field errors of an upstream's (problem+)JSON body; anything else is ignored. */
export function readUpstreamProblem(body: unknown): UpstreamProblem {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const b = body as Record<string, unknown>;
  const out: UpstreamProblem = {};
  if (typeof b.code === 'string' && PROBLEM_CODE.test(b.code)) out.code = b.code;
  const detail = typeof b.detail === 'string' ? b.detail : typeof b.message === 'string' ? b.message : '';
  if (detail) out.detail = detail.slice(0, MAX_DETAIL_CHARS);
  if (Array.isArray(b.errors)) {
    const errors = b.errors
      .slice(0, MAX_FIELD_ERRORS)
      .filter(
        (e): e is FieldError =>
          typeof e === 'object' &&
          e !== null &&
          typeof (e as FieldError).field === 'string' &&
          typeof (e as FieldError).message === 'string',
      )
      .map((e) => ({
        field: e.field.slice(0, MAX_FIELD_CHARS),
        message: e.message.slice(0, MAX_FIELD_CHARS),
      }));
    if (errors.length > 0) out.errors = errors;
  }
  return out;
}

/**
 * `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) as whole seconds, capped; undefined
 * when absent or unreadable.
 */
export function parseRetryAfter(value: unknown, maxSeconds: number, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  const trimmed = text.trim();
  let seconds: number;
  if (/^\d+$/.test(trimmed)) seconds = Number(trimmed);
  else {
    // An HTTP-date names its weekday and month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse alone
    // would also take "-1" or "1.5" for dates.
    if (!/^[A-Za-z]{3},? /.test(trimmed)) return undefined;
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    seconds = Math.max(0, Math.ceil((date - now) / 1000));
  }
  return Math.min(seconds, maxSeconds);
}
