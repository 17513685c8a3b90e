import {
  ForbiddenException,
  HttpException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';

/** Stable codes that travel in the response body; clients and tests match on these, never on messages. */
export const AUTH_ERROR_CODES = {
  TOKEN_MISSING: 'TOKEN_MISSING',
  TOKEN_EXPIRED: 'TOKEN_EXPIRED',
  TOKEN_NOT_YET_VALID: 'TOKEN_NOT_YET_VALID',
  TOKEN_INVALID: 'TOKEN_INVALID',
  INSUFFICIENT_ROLE: 'INSUFFICIENT_ROLE',
  INSUFFICIENT_SCOPE: 'INSUFFICIENT_SCOPE',
  JWKS_UNAVAILABLE: 'JWKS_UNAVAILABLE',
} as const;

export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[keyof typeof AUTH_ERROR_CODES];

const STATUS_BY_CODE: Record<AuthErrorCode, 401 | 403 | 503> = {
  TOKEN_MISSING: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_NOT_YET_VALID: 401,
  TOKEN_INVALID: 401,
  INSUFFICIENT_ROLE: 403,
  INSUFFICIENT_SCOPE: 403,
  // The issuer's key endpoint being down is not the caller's fault: a 401 would make clients
  // throw away a good token and send their users back to the login page.
  JWKS_UNAVAILABLE: 503,
};

/**
 * Every authentication or authorization failure. A plain Error (not an HttpException) so that
 * code outside Nest can use JwtVerificationService too; `toHttpException()` converts it.
 */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  readonly status: 401 | 403 | 503;
  /** For 503s: when trying again makes sense, in seconds; sent as `Retry-After`. */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = STATUS_BY_CODE[code];
    if (options?.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /**
   * The Nest exception whose response body is `{ code, message }` (plus `retryAfterSeconds` when
   * set), as the problem+json filter expects.
   */
  toHttpException(): HttpException {
    const body = {
      code: this.code,
      message: this.message,
      ...(this.retryAfterSeconds !== undefined ? { retryAfterSeconds: this.retryAfterSeconds } : {}),
    };
    if (this.status === 401) return new UnauthorizedException(body);
    if (this.status === 403) return new ForbiddenException(body);
    return new ServiceUnavailableException(body);
  }
}

export function isAuthError(error: unknown): error is AuthError {
  return error instanceof AuthError;
}
