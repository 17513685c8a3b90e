/** One invalid input field, as reported in a 400 problem's `errors` member. */
export interface FieldError {
  field: string;
  message: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  /** Extra problem+json members (e.g. `errors`, `upstream`). */
  extra?: Record<string, unknown>;
  /** When a retry makes sense, in seconds (503, 429): sent as the `Retry-After` header. */
  retryAfterSeconds?: number;
}

/**
 * The base of every error a service raises on purpose. `code` is stable (tests and clients match
 * on it, it survives a hop between services); `detail` is for humans.
 */
export class AppError extends Error {
  readonly extra: Record<string, unknown>;
  readonly retryAfterSeconds?: number;
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    options: AppErrorOptions = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.extra = options.extra ?? {};
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export class BadRequestError extends AppError {
  constructor(code: string, detail: string, options?: AppErrorOptions) {
    super(400, code, detail, options);
  }
}

export class ValidationError extends AppError {
  constructor(readonly errors: FieldError[]) {
    super(400, 'VALIDATION_FAILED', describeFieldErrors(errors), { extra: { errors } });
  }
}

export class ForbiddenError extends AppError {
  constructor(code: string, detail: string, options?: AppErrorOptions) {
    super(403, code, detail, options);
  }
}

export class NotFoundError extends AppError {
  constructor(code: string, detail: string, options?: AppErrorOptions) {
    super(404, code, detail, options);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, detail: string, options?: AppErrorOptions) {
    super(409, code, detail, options);
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(code: string, detail: string, options?: AppErrorOptions) {
    super(503, code, detail, options);
  }
}

function describeFieldErrors(errors: FieldError[]): string {
  if (errors.length === 0) return 'The request is invalid.';
  return `Invalid request: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`;
}
