import { randomUUID } from 'node:crypto';

export const CORRELATION_ID_HEADER = 'x-correlation-id';

// Accept callers' ids only when they are short and plain, so a header cannot forge log lines or
// smuggle markup into them; anything else is replaced by a fresh id.
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The correlation id for a request: the caller's, when acceptable, or a new UUID. */
export function resolveCorrelationId(incoming: unknown): string {
  const value = Array.isArray(incoming) ? incoming[0] : incoming;
  return typeof value === 'string' && ACCEPTABLE_ID.test(value) ? value : randomUUID();
}
