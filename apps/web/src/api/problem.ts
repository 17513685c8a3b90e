/** An RFC 9457 problem as the services send it: a stable `code` and the request's `correlationId`. */
export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    /** 0 when no answer came at all. */
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    /** Quote it to support: it finds the request in every service's logs. */
    readonly correlationId: string,
    readonly fieldErrors: FieldError[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(detail || title);
    this.name = 'ApiError';
  }

  /** The field errors of a 400, by field name (`items[0].quantity` → that key). */
  fieldMessage(field: string): string | undefined {
    return this.fieldErrors.find((e) => e.field === field)?.message;
  }
}

/** Reads an error answer; anything that is not problem+json still becomes an ApiError. */
export async function toApiError(res: Response, sentCorrelationId: string): Promise<ApiError> {
  const correlationId = res.headers.get('x-correlation-id') ?? sentCorrelationId;
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's HTML page): the status says enough.
  }
  const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
  const errors = Array.isArray(body.errors)
    ? (body.errors as unknown[]).filter(
        (e): e is FieldError =>
          typeof e === 'object' && e !== null && typeof (e as FieldError).field === 'string',
      )
    : [];
  const retryAfter = Number(body.retryAfterSeconds ?? res.headers.get('retry-after'));
  return new ApiError(
    res.status,
    text('code') || `HTTP_${res.status}`,
    text('title') || res.statusText || 'Error',
    text('detail') || text('message'),
    text('correlationId') || correlationId,
    errors,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}

/** No answer: the gateway is down, or the network is. */
export function unreachable(correlationId: string): ApiError {
  return new ApiError(
    0,
    'NETWORK_ERROR',
    'No answer',
    'The service could not be reached. Check your connection and try again.',
    correlationId,
  );
}

/** What to tell a person, by code; the problem's own detail otherwise. */
const MESSAGES: Record<string, string> = {
  NETWORK_ERROR: 'The service could not be reached. Check your connection and try again.',
  TOKEN_MISSING: 'You are not signed in. Sign in again to continue.',
  TOKEN_EXPIRED: 'Your session has expired. Sign in again to continue.',
  TOKEN_INVALID: 'Your session is no longer valid. Sign in again to continue.',
  INSUFFICIENT_ROLE: 'Your account is not allowed to do this.',
  INSUFFICIENT_SCOPE: 'Your account is not allowed to do this.',
  USER_DISABLED: 'Your account is disabled. Ask an administrator to enable it.',
  USER_NOT_PROVISIONED: 'Your account is still being set up. Try again in a minute.',
  INSUFFICIENT_STOCK: 'There is not enough stock for every item. Lower the quantities and try again.',
  ORDER_NOT_CANCELLABLE: 'This order can no longer be cancelled.',
  IDEMPOTENCY_KEY_IN_USE: 'This order is still being placed. Wait a moment and look under My orders.',
  THROTTLED: 'Too many requests. Wait a moment and try again.',
  QUOTA_EXCEEDED: 'The usage quota is used up for now.',
  SKU_TAKEN: 'Another product already has this SKU.',
  PRODUCT_RESERVED: 'Open orders hold some of this product, so it cannot be deleted now.',
  EMAIL_TAKEN: 'Another user already has this email address.',
  UNKNOWN_PLAN: 'There is no usage plan of that name.',
  UPSTREAM_UNAVAILABLE: 'A service is unavailable at the moment. Try again shortly.',
  UPSTREAM_FAILED: 'A service failed to answer. Try again shortly.',
  UPSTREAM_TIMEOUT: 'A service took too long to answer. Try again shortly.',
  CIRCUIT_OPEN: 'A service is unavailable at the moment. Try again shortly.',
  DATABASE_UNAVAILABLE: 'The service is unavailable at the moment. Try again shortly.',
};

export function describeError(error: unknown): { message: string; code?: string; correlationId?: string } {
  if (error instanceof ApiError) {
    const message = MESSAGES[error.code] ?? (error.detail || error.title);
    return { message, code: error.code, correlationId: error.correlationId };
  }
  return { message: error instanceof Error ? error.message : 'Something went wrong.' };
}
