import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CORRELATION_ID_HEADER = 'x-correlation-id';

// The same rule as @helpline/common's resolveCorrelationId (identity stays free of Nest): accept a
// caller's id only when it is short and plain, so it cannot forge log lines.
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's genReqId: the caller's x-correlation-id when acceptable, else a new UUID. */
export function correlationIdOf(request: IncomingMessage): string {
  const value = request.headers[CORRELATION_ID_HEADER];
  const id = Array.isArray(value) ? value[0] : value;
  return typeof id === 'string' && ACCEPTABLE_ID.test(id) ? id : randomUUID();
}
